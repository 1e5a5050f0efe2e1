"""`manage.py import_lens lens.json`: a Well-Architected custom lens as a new draft version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.lens import MAX_BYTES, LensError, import_lens, parse_lens
from reviews.models import Kind


class Command(BaseCommand):
    help = "Import an AWS Well-Architected custom lens JSON file as a new draft questionnaire."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=Kind.values, default=Kind.ORR)

    def handle(self, *args, file: str, kind: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file}: larger than 500 KB, the most a lens may be")
        try:
            data = parse_lens(path.read_bytes())
        except LensError as exc:
            raise CommandError(f"{file}: " + "\n  ".join(exc.problems)) from exc
        version = import_lens(data, kind=kind)
        self.stdout.write(self.style.SUCCESS(
            f"imported {file} as draft {version}; lint it before publishing: "
            f"manage.py lint_questionnaire {kind}:{version.number}"))
