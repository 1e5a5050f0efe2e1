"""Produce, archive and e-mail a week's ops-review report, as the Monday 06:00 task does.

    python manage.py produce_weekly_report                      # last week, mailed once
    python manage.py produce_weekly_report --week 2026-W47 --no-email

Safe to run any number of times: each week is rendered once and mailed to the ops leads once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.management.commands.ops_report import iso_week
from reports.services import ReportNotReady, weekly_report_produce
from reports.weeks import Week


class Command(BaseCommand):
    help = "Produce and archive a week's ops-review report and mail it to the ops leads (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", type=iso_week, default=None, metavar="YYYY-Www",
                            help="the ISO week (default: the last complete week)")
        parser.add_argument("--no-email", action="store_true",
                            help="archive only; do not mail the ops leads")

    def handle(self, *args, week: Week | None, no_email: bool, **options) -> None:
        week = week or Week.last_complete()
        if not week.is_complete():
            raise CommandError(f"{week.iso} is not over yet.")
        try:
            report = weekly_report_produce(week=week, email=not no_email)
        except ReportNotReady as exc:
            raise CommandError(f"{exc} Another worker is rendering it; try again shortly.") from exc
        mailed = f", mailed {report.emailed_at:%Y-%m-%d %H:%M}" if report.emailed_at else ""
        self.stdout.write(f"{report}: archived{mailed}")
