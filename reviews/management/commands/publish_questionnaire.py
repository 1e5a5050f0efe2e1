"""Publish a draft questionnaire version: `manage.py publish_questionnaire orr 2`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviews.loading import get_version
from reviews.models import Kind


class Command(BaseCommand):
    help = "Publish a draft questionnaire version. A published version can never be edited."

    def add_arguments(self, parser):
        parser.add_argument("questionnaire", choices=Kind.values)
        parser.add_argument("number", type=int)

    def handle(self, *args, questionnaire: str, number: int, **options):
        try:
            version = get_version(questionnaire, number)
            version.publish()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"published: {questionnaire} v{number} at {version.published_at:%Y-%m-%d %H:%M %Z}"
        ))
