from django.core.management.base import BaseCommand

from orr.expiring import announce_expiring_readiness


class Command(BaseCommand):
    help = "Send readiness.expiring once per ORR approval that expires soon."

    def handle(self, *args, **options):
        self.stdout.write(f"{announce_expiring_readiness()} event(s) emitted.")
