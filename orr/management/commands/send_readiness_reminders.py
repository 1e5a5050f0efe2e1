"""Remind teams 30 and 7 days before their service's readiness lapses, as the daily task does.

    python manage.py send_readiness_reminders
    python manage.py send_readiness_reminders --date 2026-11-30

Safe to run any number of times: each reminder goes at most once.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from opsreview.arguments import add_date_argument
from orr.reminders import send_readiness_reminders


class Command(BaseCommand):
    help = "Remind teams before their service's readiness lapses (at most once per lead time)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args, date: dt.date | None = None, **options) -> None:
        sent = send_readiness_reminders(today=date)
        self.stdout.write(f"Readiness reminders sent: {sent}")
