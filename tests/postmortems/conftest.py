"""Builders for COE tests: a fresh draft, and one whose every gate passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from postmortems import services
from postmortems.models import ContributingFactor, Postmortem

INCIDENT = dt.datetime(2024, 6, 12, 6, 19, tzinfo=dt.UTC)


def make_coe(service, author, **overrides) -> Postmortem:
    fields = {
        "title": "Checkout API failed, affecting customers in the EU region",
        "incident_start": INCIDENT,
        "incident_tz": "Europe/Helsinki",
        "severity": Postmortem.Severity.SEV2,
        "customers_affected": 1200,
        "customers_description": "EU shoppers could not pay.",
        "tag_names": ["Database"],
        **overrides,
    }
    return services.postmortem_create(service=service, by=author, **fields)


def answer_everything(postmortem, by, text="The pool ran out of connections at 09:19 EEST."):
    for answer in postmortem.answers.all():
        answer.save_if_current(base_revision=answer.revision, by=by, text=text)


def add_event(postmortem, kind, minutes, note="", by=None):
    return services.timeline_add(
        postmortem=postmortem, by=by or postmortem.author, kind=kind,
        at=postmortem.incident_start + dt.timedelta(minutes=minutes), note=note or kind,
    )


def add_action(postmortem, factor=None, lesson=None, title="Cap pool size per pod at 20"):
    return services.action_add(
        postmortem=postmortem, by=postmortem.author, title=title, owner=postmortem.author,
        due_date=timezone.localdate() + dt.timedelta(days=30), priority="P2",
        factor=factor, lesson=lesson,
    )


def complete(postmortem, committee=()):
    """Make every gate pass: answers, a full timeline, an addressed factor, a committee."""
    author = postmortem.author
    answer_everything(postmortem, author)
    for kind, minutes in [("started", 0), ("detected", 4), ("engaged", 9), ("mitigated", 30),
                          ("resolved", 55)]:
        add_event(postmortem, kind, minutes)
    factor = services.factor_add(
        postmortem=postmortem, by=author, category=ContributingFactor.Category.TECHNICAL,
        text="The connection pool had no upper bound per pod.",
    )
    add_action(postmortem, factor=factor)
    for member in committee:
        services.document_assign_reviewer(document=postmortem, reviewer=member, by=author)
    return postmortem


@pytest.fixture
def coe(questionnaires, checkout, author) -> Postmortem:
    return make_coe(checkout, author)


@pytest.fixture
def ready_coe(coe, reviewer) -> Postmortem:
    """A draft whose every gate passes, with an outside reviewer on the committee."""
    return complete(coe, committee=[reviewer])
