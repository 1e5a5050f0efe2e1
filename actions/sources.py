"""What an action item came from, as (label, link), for the item's page and e-mails.

An ORR gap points at its answer (`ActionItem.source_answer`). A document kind that links items
to rows of its own (a COE's contributing factors and lessons) registers a describer here when
its app is ready, so `actions` never imports the kinds above it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

Describer = Callable[[object], "tuple[str, str] | None"]

_describers: list[Describer] = []


def register(describer: Describer) -> Describer:
    """Add a describer: it gets the item and returns (label, link), or None if not its own."""
    if describer not in _describers:
        _describers.append(describer)
    return describer


def describe(item) -> tuple[str, str] | None:
    doc = item.document
    if doc is None:
        return None
    if item.source_answer_id:
        question = item.source_answer.question
        url = reverse("orr:section", args=[doc.code, question.section.key])
        return f"ORR answer: {question.text[:90]}", f"{url}#q{item.source_answer_id}"
    for describer in _describers:
        found = describer(item)
        if found is not None:
            return found
    return doc.code, doc.get_absolute_url()
