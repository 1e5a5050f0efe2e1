"""Send the action item reminders that are due, as the daily 07:00 task does.

    python manage.py send_reminders
    python manage.py send_reminders --date 2026-11-30

Safe to run any number of times: each reminder goes at most once.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from actions.models import Reminder
from actions.reminders import RemindersNotSent, send_due_reminders
from opsreview.arguments import add_date_argument


class Command(BaseCommand):
    help = "Send due-soon, overdue and escalation reminders for action items (at most once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args, date: dt.date | None = None, **options) -> None:
        try:
            counts = send_due_reminders(today=date)
        except RemindersNotSent as exc:
            self._report(exc.counts)
            raise CommandError(str(exc)) from exc
        self._report(counts)

    def _report(self, counts: dict[str, int]) -> None:
        for kind, label in Reminder.Kind.choices:
            self.stdout.write(f"{label}: {counts[kind]}")
