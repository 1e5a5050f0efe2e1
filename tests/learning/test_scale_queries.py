"""The loop's list pages at 10 and at 1,000: the proposal queue (proposals from 10 vs 1,000
COEs, some restricted), the what-if table (10 vs 1,000 services with an approved ORR) and the
COE page's similar factors (10 vs 1,000 other COEs with factors, some similar, some restricted)
each cost the same number of queries. Seeded with bulk inserts, so each test stays short."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Service
from learning.models import Proposal
from orr.models import ReadinessReview
from orr.services import latest_orr_version
from postmortems.models import ContributingFactor, Postmortem
from postmortems.services import latest_coe_version
from reviews.models import Answer, Question
from tests.learning.conftest import PROPOSAL

pytestmark = pytest.mark.django_db
FEW, MANY = 10, 1000
BASE = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
POOL = "The database connection pool had no upper bound per pod and was exhausted."
OTHER = "A certificate expired because renewal alarms went to an unowned mailbox."
_codes = itertools.count(1)


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def coes(service, author, n: int, *, restricted_every: int = 10, days: int = 0):
    """`n` approved COEs with one factor each (every other one like POOL), every
    `restricted_every`-th restricted. One insert per COE; factors in one bulk insert."""
    version = latest_coe_version()
    made = []
    for i in range(n):
        made.append(Postmortem.objects.create(
            service=service, author=author, version=version, title=f"Incident {i}",
            code=f"COE-S{next(_codes):05d}", state="approved", approved_at=timezone.now(),
            incident_start=BASE + dt.timedelta(days=days + i),
            restricted=bool(restricted_every) and i % restricted_every == 0))
    ContributingFactor.objects.bulk_create(
        ContributingFactor(postmortem=coe, category="technical",
                           text=POOL if i % 2 else OTHER)
        for i, coe in enumerate(made))
    return made


def test_proposal_queue_is_flat_from_10_to_1000_coes(checkout, author, ops_lead, client):
    def propose_from(made):
        factors = ContributingFactor.objects.filter(postmortem__in=made)
        Proposal.objects.bulk_create(
            Proposal(postmortem_id=factor.postmortem_id, factor=factor, proposer=author,
                     source_text=factor.text,
                     **{**PROPOSAL, "text": f"Question from factor {factor.pk}?"})
            for factor in factors)

    propose_from(coes(checkout, author, FEW))
    client.force_login(ops_lead)
    url = reverse("learning:proposals")
    few, page = queries(client, url)
    assert page.count("Question from factor") == FEW
    propose_from(coes(checkout, author, MANY - FEW))
    many, page = queries(client, url)
    assert page.count("Question from factor") == MANY
    # The ops lead is outside the team: restricted COEs stay unnamed, checked in one query.
    assert "a restricted COE" in page
    assert many == few


def services_with_approved_orrs(team, author, n: int, start: int):
    version = latest_orr_version()
    services = Service.objects.bulk_create(
        Service(team=team, name=f"Scale service {start + i}", slug=f"scale-{start + i}",
                tier=1 if i % 4 == 0 else 2)
        for i in range(n))
    questions = list(version.questions().filter(kind="yes_no")[:3])
    reviews = [ReadinessReview.objects.create(
        service=service, author=author, version=version, state="approved",
        approved_at=timezone.now(), code=f"ORR-S{next(_codes):05d}", trigger="pre_launch")
        for service in services]
    Answer.objects.bulk_create(
        Answer(document=review, question=q, choice="yes", risk="none")
        for review in reviews for q in questions)


def test_whatif_table_is_flat_from_10_to_1000_services(payments, author, ops_lead, client):
    v1 = latest_orr_version()
    draft = v1.copy_as_draft()
    section = draft.sections.get(key="architecture")
    Question.objects.create(section=section, key="pool-bound", order=100, kind="yes_no",
                            text="Is every pool bounded?", help="h", risk_rules={"no": "high"})
    changed = draft.questions().filter(kind="yes_no").first()
    Question.objects.filter(pk=changed.pk).update(risk_rules={"yes": "medium", "no": "high"})
    services_with_approved_orrs(payments, author, FEW, 0)
    client.force_login(ops_lead)
    url = reverse("learning:whatif", args=["orr", draft.number])
    few, page = queries(client, url)
    assert f"{FEW} approved services must answer them" in page
    services_with_approved_orrs(payments, author, MANY - FEW, FEW)
    many, page = queries(client, url)
    assert f"{MANY} approved services must answer them" in page
    assert many == few


def test_similar_factors_on_the_coe_page_are_flat_from_10_to_1000_coes(checkout, author,
                                                                         client):
    (later,) = coes(checkout, author, 1, restricted_every=0, days=5000)
    ContributingFactor.objects.filter(postmortem=later).update(
        text="Connection pool exhausted again: no upper bound on the database pool per pod.")
    client.force_login(author)
    url = reverse("postmortems:detail", args=[later.code])
    coes(checkout, author, FEW)
    few, page = queries(client, url)
    assert "Similar factors in" in page
    coes(checkout, author, MANY - FEW, days=FEW)
    many, page = queries(client, url)
    assert "Similar factors in" in page
    assert many == few
