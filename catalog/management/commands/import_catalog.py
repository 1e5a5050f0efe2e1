"""Import Backstage descriptor files or a CSV of services into the catalog.

    python manage.py import_catalog catalog-info.yaml more/*.yaml [--dry-run] [--by USERNAME]

A directory stands for every .yaml, .yml and .csv file under it. The same engine as the upload
page: it prints the same summary, changes nothing on --dry-run or on any error (exit code 1).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.importing import DiskFile, ImportRefused, catalog_import_run, summary_lines

SUFFIXES = {".yaml", ".yml", ".csv"}


class Command(BaseCommand):
    help = "Import Backstage catalog-info.yaml files or a CSV of services (docs/catalog-import.md)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--dry-run", action="store_true",
                            help="Show what would change; change nothing.")
        parser.add_argument("--by", metavar="USERNAME",
                            help="Who the import is recorded for (default: nobody, the command).")

    def handle(self, *args, paths, dry_run, by, **options):
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files += [DiskFile(p) for p in sorted(path.rglob("*")) if p.suffix in SUFFIXES]
            elif path.is_file():
                files.append(DiskFile(path))
            else:
                raise CommandError(f"{raw}: no such file or directory")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"--by {by}: no such user")
        try:
            outcome = catalog_import_run(files=files, by=user, dry_run=dry_run)
        except ImportRefused as exc:
            raise CommandError(f"Nothing was imported: {exc}.") from exc
        for line in summary_lines(outcome.plan, verbose=options["verbosity"] > 1):
            self.stdout.write(line)
        if outcome.plan.blocked:
            raise CommandError("Nothing was imported: fix the errors and conflicts above.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
