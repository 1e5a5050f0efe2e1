"""Write the weekly ops-review report of an ISO week to a file.

    python manage.py ops_report                                  # last week, PDF
    python manage.py ops_report --week 2026-W47 --format pdf --output ops-review.pdf
    python manage.py ops_report --week 2026-W47 --format csv --output tables/      # a directory
    python manage.py ops_report --week 2026-W47 --format csv --output tables.zip   # a zip
    python manage.py ops_report --week 2026-W47 --format html --output report.html

CSV writes one file per table: into a directory, or into a zip when PATH ends in ".zip". HTML is
one file with its stylesheet inside, readable offline. The figures are those of the page and the
archived PDF. This only writes a file: the archive and the Monday e-mail are produce_weekly_report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import selectors, services
from reports.tables import csv_bytes, csv_zip
from reports.weeks import Week


def iso_week(value: str) -> Week:
    try:
        return Week.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Write the weekly ops-review report of a week as PDF, CSV files or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week", type=iso_week, default=None, metavar="YYYY-Www",
            help="the ISO week, e.g. 2026-W47 (default: the last complete week)",
        )
        parser.add_argument("--format", choices=["pdf", "csv", "html"], default="pdf")
        parser.add_argument(
            "--output", type=Path, default=None, metavar="PATH",
            help="the file (pdf, html), or for csv a directory or a .zip file "
                 "(default: ops-review-<week>.pdf / .html / a directory ops-review-<week>)",
        )

    def handle(self, *args, week: Week | None, format: str, output: Path | None,
               **options) -> None:
        week = week or Week.last_complete()
        if not week.is_complete():
            self.stderr.write(f"Note: {week.iso} is not over yet; these are the figures so far.")
        name = f"ops-review-{week.iso}"
        output = output or Path(name if format == "csv" else f"{name}.{format}")
        try:
            written = self._write(week, format, output, name)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        self.stdout.write(f"Wrote {written}")

    def _write(self, week: Week, format: str, output: Path, name: str) -> str:
        if format == "pdf":
            output.write_bytes(services.weekly_report_pdf(week))
            return str(output)
        if format == "html":
            output.write_text(services.weekly_report_html(week, standalone=True),
                              encoding="utf-8")
            return str(output)
        tables = selectors.weekly_report(week).tables
        if output.suffix == ".zip":
            output.write_bytes(csv_zip(tables, name))
            return f"{output} ({len(tables)} CSV files)"
        output.mkdir(parents=True, exist_ok=True)
        for table in tables:
            (output / f"{table.slug}.csv").write_bytes(csv_bytes(table))
        return f"{len(tables)} CSV files to {output}"
