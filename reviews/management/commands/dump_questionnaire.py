"""Write a questionnaire version as YAML: `manage.py dump_questionnaire orr 1 [--output FILE]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.loading import dump_version, get_version
from reviews.models import Kind


class Command(BaseCommand):
    help = (
        "Write a questionnaire version as YAML (the load_questionnaire format), to start a new "
        "version from it: bump `version`, edit, load."
    )

    def add_arguments(self, parser):
        parser.add_argument("questionnaire", choices=Kind.values)
        parser.add_argument("number", type=int)
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument("--force", action="store_true", help="Overwrite an existing file.")

    def handle(self, *args, questionnaire: str, number: int, output: str | None, force: bool,
               **options):
        try:
            text = dump_version(get_version(questionnaire, number))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        # A dump must not silently replace a file that was loaded, e.g. fixtures/orr/v1.yaml.
        if path.exists() and not force:
            raise CommandError(f"{path} exists; pass --force to overwrite it.")
        path.write_text(text, encoding="utf-8")
        self.stderr.write(f"wrote {questionnaire} v{number} to {path}")
