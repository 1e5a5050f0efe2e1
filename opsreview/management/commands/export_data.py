import sys

from django.core.management.base import BaseCommand

from opsreview.backup import export_archive, export_data


class Command(BaseCommand):
    help = ("Back up every team, service, questionnaire version, document and action item. "
            "With --output NAME.zip: an archive with the attached files and a checksum manifest "
            "(what a full restore needs); otherwise the rows only, as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, output=None, **options):
        if output and output.endswith(".zip"):
            manifest = export_archive(output)
            self.stderr.write(f"Wrote {output} ({len(manifest)} files)")
        elif output:
            with open(output, "w", encoding="utf-8") as stream:
                export_data(stream)
            self.stderr.write(f"Wrote {output} (rows only: attachments need a .zip)")
        else:
            export_data(sys.stdout)
