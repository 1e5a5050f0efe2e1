from django.core.management.base import BaseCommand, CommandError

from opsreview.backup import ImportRefused, import_data


class Command(BaseCommand):
    help = ("Restore a backup written by export_data (a .zip archive, or rows-only JSON) into a "
            "migrated database without documents. Every object is checked against the app's "
            "rules first; superuser and staff rights are never restored.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--merge", action="store_true",
            help="the database has users: keep them (matched by username, never overwritten) "
                 "and add the backup's other users",
        )

    def handle(self, *args, path, merge=False, **options):
        try:
            added = import_data(path, merge=merge)
        except ImportRefused as exc:
            raise CommandError(f"Refused: {exc}") from exc
        total = sum(added.values())
        self.stdout.write(self.style.SUCCESS(f"Imported {path}: {total} rows"))
