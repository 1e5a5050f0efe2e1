"""`manage.py export_lens orr 2 --output lens.json`: a version as a Well-Architected lens."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.lens import export_lens
from reviews.loading import get_version
from reviews.models import Kind


class Command(BaseCommand):
    help = "Export a questionnaire version as an AWS Well-Architected custom lens JSON file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("version", help="version number, e.g. 2 or v2")
        parser.add_argument("--output", required=True, help="the JSON file to write")

    def handle(self, *args, kind: str, version: str, output: str, **options):
        number = version.lower().removeprefix("v")
        if not number.isdigit():
            raise CommandError(f"{version!r} is not a version number")
        try:
            found = get_version(kind, int(number))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        exported = export_lens(found)
        Path(output).write_text(exported.dumps(), encoding="utf-8")
        for note in exported.notes:
            self.stdout.write(self.style.WARNING(f"shortened: {note}"))
        self.stdout.write(self.style.SUCCESS(
            f"exported {found} to {output} ({len(exported.notes)} item(s) shortened)"))
