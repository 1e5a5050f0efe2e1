"""The global search on PostgreSQL uses full-text search (stemming), with the same visibility."""

import datetime as dt

import pytest

from opsreview.search import search
from postmortems import services as pm

pytestmark = pytest.mark.django_db


def test_full_text_search_finds_stemmed_words_in_factors(checkout, author, outsider):
    doc = pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )
    pm.factor_add(postmortem=doc, by=author, category="tooling",
                  text="Deployments of configuration skipped the canary stages.")
    # "deploy" matches "Deployments" through stemming, which a substring match would also
    # find; "stage" → "stages" and "configurations" → "configuration" need the stemmer.
    assert [d.pk for d in search(author, "configurations stage").postmortems] == [doc.pk]
    assert search(outsider, "configurations stage").postmortems == []  # a draft
