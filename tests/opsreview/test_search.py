import datetime as dt

import pytest
from django.urls import reverse

from opsreview.search import search
from postmortems import services as pm
from reviews.models import Document
from reviews.services import document_submit
from tests.conftest import make_service


def coe(service, author, title="Checkout 502s", *, restricted=False, committee=()):
    return pm.postmortem_create(
        service=service, by=author, title=title, incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), restricted=restricted,
        committee=committee,
    )


@pytest.fixture
def ledger(payments):
    return make_service(payments, name="Ledger", slug="ledger")


def test_finds_a_coe_by_a_word_in_its_contributing_factors(ledger, author):
    doc = coe(ledger, author)
    pm.factor_add(postmortem=doc, by=author, category="tooling",
                  text="The pipeline had no canary stage for configuration deploys.")
    assert [d.pk for d in search(author, "canary").postmortems] == [doc.pk]
    assert search(author, "nonexistentword").total == 0


def test_finds_a_coe_by_its_summary(ledger, author):
    doc = coe(ledger, author)
    summary = doc.answers.get(question__key="summary")
    summary.save_if_current(base_revision=0, by=author, text="Connection pool exhaustion in EU.")
    assert [d.pk for d in search(author, "exhaustion").postmortems] == [doc.pk]


def test_never_shows_a_restricted_coe_or_another_teams_draft(ledger, author, outsider, reviewer,
                                                            ready_review):
    restricted = coe(ledger, author, "Secret incident", restricted=True, committee=[reviewer])
    Document.objects.filter(pk=restricted.pk).update(state="in_review")
    coe(ledger, author, "Secret draft")
    assert search(outsider, "Secret").postmortems == []
    assert {d.title for d in search(author, "Secret").postmortems} == {"Secret incident",
                                                                      "Secret draft"}
    assert [d.title for d in search(reviewer, "Secret").postmortems] == ["Secret incident"]
    # An ORR draft of another team stays hidden until it is submitted.
    assert search(outsider, ready_review.code).reviews == []
    document_submit(document=ready_review, by=author)
    assert [d.pk for d in search(outsider, ready_review.code).reviews] == [ready_review.pk]


def test_search_page_groups_results_by_kind(client, author, checkout):
    client.force_login(author)
    content = client.get(reverse("search"), {"q": "checkout"}).content.decode()
    assert "Services (1)" in content and "Checkout API" in content
    assert "Postmortems (0)" in content
