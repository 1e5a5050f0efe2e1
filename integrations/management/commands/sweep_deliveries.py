from django.core.management.base import BaseCommand

from integrations.webhooks import deliveries_sweep


class Command(BaseCommand):
    help = "Queue again outbound webhook deliveries that were never attempted."

    def handle(self, *args, **options):
        self.stdout.write(f"{len(deliveries_sweep())} delivery(ies) queued again.")
