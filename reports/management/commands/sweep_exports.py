"""Send PDF exports again that a broker outage or a dead worker left behind, as beat does every
minute.

    python manage.py sweep_exports

Safe to run any number of times: an export that is done is never rendered again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.exports import export_sweep


class Command(BaseCommand):
    help = "Queue again exports left running by a dead worker and resend exports waiting too long."

    def handle(self, *args, **options) -> None:
        sent = export_sweep()
        self.stdout.write(f"Exports sent again: {len(sent)}")
