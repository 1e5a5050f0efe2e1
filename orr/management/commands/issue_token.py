"""Issue an API token for a script: `manage.py issue_token "payments deploy" --team payments`.

Prints the secret once on standard output (and nothing else there), so a script can capture it.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.models import Team
from orr.models import ApiToken
from orr.tokens import token_issue


class Command(BaseCommand):
    help = "Issue an API token and print its secret (shown once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What uses the token, e.g. 'payments deploy'.")
        parser.add_argument("--team", action="append", default=[], metavar="SLUG",
                            help="Only this team's services (repeat for more); default: all.")
        parser.add_argument("--scope", action="append", default=[],
                            choices=ApiToken.Scope.values,
                            help="What the token may do (repeat for more); default: read.")
        parser.add_argument("--days", type=int, default=90,
                            help="Expires after this many days (default 90; 0: never).")
        parser.add_argument("--by", metavar="USERNAME",
                            help="Who issues it (recorded in the audit log).")

    def handle(self, *args, name, team, scope, days, by, **options):
        teams = list(Team.objects.filter(slug__in=team))
        missing = set(team) - {t.slug for t in teams}
        if missing:
            raise CommandError(f"No team with slug: {', '.join(sorted(missing))}")
        if days < 0:
            raise CommandError("--days must be 0 (never expires) or more.")
        issuer = None
        if by:
            issuer = get_user_model().objects.filter(username=by).first()
            if issuer is None:
                raise CommandError(f"No user “{by}”.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        token, raw = token_issue(by=issuer, name=name, expires_at=expires_at,
                                 scopes=scope or [ApiToken.Scope.READ], teams=teams)
        self.stderr.write(f"Issued “{token.name}” ({token.prefix}…), "
                          + (f"expires {expires_at:%Y-%m-%d}" if expires_at else "never expires")
                          + ". Store the secret now; it is not shown again.")
        self.stdout.write(raw)
