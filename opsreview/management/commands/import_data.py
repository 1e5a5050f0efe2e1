from django.core.management.base import BaseCommand, CommandError

from opsreview.backup import ImportRefused, import_data


class Command(BaseCommand):
    help = "Load a file written by export_data into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            import_data(path)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {path}"))
