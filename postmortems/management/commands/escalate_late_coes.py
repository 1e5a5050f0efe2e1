import datetime as dt

from django.core.management.base import BaseCommand

from postmortems.completion import escalate_late_postmortems


class Command(BaseCommand):
    help = "Tell the ops leads about COEs not submitted in time (once each; never at weekends)."

    def add_arguments(self, parser):
        parser.add_argument("--day", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, day=None, **options):
        sent = escalate_late_postmortems(today=day)
        self.stdout.write(f"{sent} escalation(s) sent.")
