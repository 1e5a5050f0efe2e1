"""Remind the teams whose campaign ORR is not approved yet, as the daily task does.

    python manage.py send_campaign_reminders
    python manage.py send_campaign_reminders --date 2026-11-30

Safe to run any number of times: each reminder goes at most once.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from opsreview.arguments import add_date_argument
from orr.campaign_reminders import send_campaign_reminders


class Command(BaseCommand):
    help = ("Remind teams of campaign ORRs due within a few working days or delayed "
            "(each at most once).")

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args, date: dt.date | None = None, **options) -> None:
        sent = send_campaign_reminders(today=date)
        self.stdout.write(f"Campaign reminders sent: {sent}")
