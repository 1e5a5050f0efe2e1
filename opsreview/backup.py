"""Backups of every document as JSON, with the questionnaire versions they are pinned to.

Django's serialisers write and read rows as they are (loaddata saves "raw", so the
published-version lock and the append-only log do not refuse a restore).
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import transaction

from reviews.models import Document, Questionnaire

# Order matters for readers of the file, not for loaddata (it defers constraint checks).
MODELS = [
    "auth.group",
    "auth.user",
    "catalog",
    "reviews",
    "orr",
    "postmortems",
    "actions",
]


def export_data(stream: io.TextIOBase) -> None:
    call_command("dumpdata", *MODELS, indent=1, stdout=stream, natural_foreign=True)


class ImportRefused(Exception):
    pass


@transaction.atomic
def import_data(path: str) -> None:
    if Document.objects.exists() or Questionnaire.objects.exists():
        raise ImportRefused(
            "The database already holds questionnaires or documents; import into an empty, "
            "migrated database."
        )
    call_command("loaddata", path, verbosity=0)
