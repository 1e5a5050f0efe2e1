"""Lint a questionnaire version: `manage.py lint_questionnaire 2` (ORR) or `coe:2`.

Prints every finding; exits 1 when there is an error (publishing would be refused), 0 otherwise.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from reviews.lint import errors, lint
from reviews.loading import get_version
from reviews.models import Kind


def parse_version(value: str, default_kind: str) -> tuple[str, int]:
    """`2`, `v2`, `orr:2` or `coe:v3` → (kind, number)."""
    kind, _, number = value.rpartition(":")
    kind = kind or default_kind
    number = number.lower().removeprefix("v")
    if kind not in Kind.values or not number.isdigit():
        raise CommandError(
            f"{value!r} is not a version; write a number (2), or kind and number (orr:2, coe:3)"
        )
    return kind, int(number)


class Command(BaseCommand):
    help = "Lint a questionnaire version; exit status 1 when publishing it would be refused."

    def add_arguments(self, parser):
        parser.add_argument("version", help="version number, e.g. 2 or orr:2 or coe:3")
        parser.add_argument("--kind", choices=Kind.values, default=Kind.ORR)

    def handle(self, *args, version: str, kind: str, **options):
        kind, number = parse_version(version, kind)
        try:
            found_version = get_version(kind, number)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        findings = lint(found_version)
        for finding in findings:
            style = self.style.ERROR if finding.is_error else self.style.WARNING
            self.stdout.write(style(str(finding)))
        bad = errors(findings)
        summary = (f"{found_version}: {len(bad)} error(s), "
                   f"{len(findings) - len(bad)} warning(s)")
        if bad:
            self.stderr.write(summary)
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
