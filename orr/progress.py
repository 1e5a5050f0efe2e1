"""An ORR's progress as its overview shows it: each section's counts, the gaps, and what the
gates count (`gate_answers`, orr/gates.py), from one query of plain rows.

Loading every answer as a model with its question and section (a hundred answers, three
models each) was most of the overview's cost; the page reads a dozen values of each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from actions.models import ActionItem
from opsreview.prepared import Prepared
from reviews.models import Answer, AnswerRules, Section

RISK_LABELS = dict(Answer.Risk.choices)


@dataclass(frozen=True, slots=True)
class AnswerState(AnswerRules):
    """What the overview and the gates read of one answer."""

    pk: int
    section: Section
    question_text: str
    question_order: int
    required: bool
    text: str
    choice: str
    risk: str
    na_reason: str
    carry_state: str
    n_actions: int
    n_carried_open: int  # open action items of the answer it was carried from
    accepted_until: dt.date | None  # the accepted risk's expiry; None: no risk accepted

    @property
    def has_accepted_risk(self) -> bool:
        return self.accepted_until is not None

    @property
    def addressed(self) -> bool:
        """A gap with an action item (its own, or the open one it was carried with) or an
        accepted risk: not a red badge, and no failing gate."""
        return self.is_gap and (self.n_actions + self.n_carried_open > 0
                                or self.has_accepted_risk)

    def get_risk_display(self) -> str:
        return RISK_LABELS.get(self.risk, self.risk)


# Compiled once per process (opsreview.prepared): the overview and the gates read it.
_ANSWER_ROWS = Prepared(lambda review_id: Answer.objects.filter(document_id=review_id).annotate(
    n_actions=Count("action_items", distinct=True),
    # A carried gap whose action item from the last review is still open (see the gate).
    n_carried_open=Count("carried_from__action_items", distinct=True, filter=Q(
        carried_from__action_items__status__in=ActionItem.OPEN_STATUSES)),
).values_list(
    "id", "question__section_id", "question__section__key", "question__section__order",
    "question__section__title", "question__text", "question__order", "question__required",
    "text", "choice", "risk", "na_reason", "carry_state", "n_actions", "n_carried_open",
    "accepted_risk__expires_on",
).order_by("question__section__order", "question__order"))


def answer_states(review) -> list[AnswerState]:
    rows = _ANSWER_ROWS(review.pk)
    sections: dict[int, Section] = {}
    states = []
    for (pk, section_id, key, order, title, *rest) in rows:
        section = sections.get(section_id)
        if section is None:
            section = sections[section_id] = Section(
                pk=section_id, version_id=review.version_id, key=key, order=order, title=title)
        states.append(AnswerState(pk, section, *rest))
    return states


def sections_with_progress(review) -> tuple[list[dict], list[AnswerState]]:
    """Each section's row (answered, gaps, addressed and open gaps, percent) in order, and the
    answers they count."""
    answers = answer_states(review)
    sections: dict[int, dict] = {}
    for a in answers:
        row = sections.setdefault(a.section.pk, {"section": a.section, "total": 0, "answered": 0,
                                                 "gaps": 0, "addressed": 0, "open_gaps": 0})
        row["total"] += 1
        row["answered"] += a.is_answered
        row["gaps"] += a.is_gap
        row["addressed"] += a.addressed
        row["open_gaps"] += a.is_gap and not a.addressed
    rows = sorted(sections.values(), key=lambda r: r["section"].order)
    for row in rows:
        row["percent"] = round(100 * row["answered"] / row["total"]) if row["total"] else 100
    return rows, answers
