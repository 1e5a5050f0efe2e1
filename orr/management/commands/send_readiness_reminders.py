"""Remind teams 30 and 7 days before their service's readiness lapses, as the daily task does.

    python manage.py send_readiness_reminders
    python manage.py send_readiness_reminders --date 2026-11-30

Safe to run any number of times: each reminder goes at most once.
"""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from orr.reminders import send_readiness_reminders


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date like 2026-11-30.") from None


class Command(BaseCommand):
    help = "Remind teams before their service's readiness lapses (at most once per lead time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                            help="run as if today were this day (default: today)")

    def handle(self, *args, date: dt.date | None = None, **options) -> None:
        sent = send_readiness_reminders(today=date)
        self.stdout.write(f"Readiness reminders sent: {sent}")
