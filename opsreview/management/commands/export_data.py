import sys

from django.core.management.base import BaseCommand

from opsreview.backup import export_data


class Command(BaseCommand):
    help = "Write every team, service, questionnaire version, document and action item as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, output=None, **options):
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                export_data(stream)
            self.stderr.write(f"Wrote {output}")
        else:
            export_data(sys.stdout)
