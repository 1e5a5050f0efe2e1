"""Builders for the learning tests: an approved COE with a factor and a lesson."""

from __future__ import annotations

import pytest
from django.utils import timezone

from postmortems.models import Lesson
from reviews.models import Document
from tests.postmortems.conftest import complete, make_coe


def approve(document) -> None:
    # Setup only: the approval workflow has its own tests; here the COE just needs to be approved.
    Document.objects.filter(pk=document.pk).update(state="approved", approved_at=timezone.now())
    document.refresh_from_db()


@pytest.fixture
def approved_coe(questionnaires, checkout, author):
    coe = complete(make_coe(checkout, author))
    Lesson.objects.create(postmortem=coe, text="Unbounded pools exhaust the database.")
    approve(coe)
    return coe


@pytest.fixture
def factor(approved_coe):
    return approved_coe.factors.first()


@pytest.fixture
def lesson(approved_coe):
    return approved_coe.lessons.first()


PROPOSAL = {
    "section_key": "architecture",
    "text": "Does every connection pool have an upper bound per instance?",
    "guidance": "An unbounded pool exhausts the database under load (see the COE).",
    "kind": "yes_no",
    "risk_rules": {"no": "high"},
    "why": "The pool outage would have been caught.",
}


@pytest.fixture
def proposal(lesson, author):
    from learning import proposals

    return proposals.propose(postmortem=lesson.postmortem, lesson=lesson, by=author, **PROPOSAL)

