"""Copy a questionnaire version to a new draft: `manage.py copy_questionnaire orr 1`."""

from django.core.management.base import BaseCommand, CommandError

from reviews.loading import get_version
from reviews.models import Kind


class Command(BaseCommand):
    help = "Copy a questionnaire version (usually a published one) to a new draft version."

    def add_arguments(self, parser):
        parser.add_argument("questionnaire", choices=Kind.values)
        parser.add_argument("number", type=int)
        parser.add_argument("--changelog", default="", help="What the new version changes.")

    def handle(self, *args, questionnaire: str, number: int, changelog: str, **options):
        try:
            version = get_version(questionnaire, number)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        copy = version.copy_as_draft(changelog=changelog)
        self.stdout.write(self.style.SUCCESS(
            f"created draft: {questionnaire} v{copy.number} (copied from v{number})"
        ))
