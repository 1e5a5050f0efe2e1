"""Recurring factors: planted recurrences found, explained, flagged after a closed fix; no leak
of restricted COEs; the COE page's panel in flat queries; the weekly report's section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from actions.models import ActionItem
from learning.similarity import recurring_themes, similar_for_postmortem
from postmortems.models import ContributingFactor, FactorAction, Postmortem
from postmortems.services import latest_coe_version

pytestmark = pytest.mark.django_db
BASE = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
POOL = "The database connection pool had no upper bound per pod and was exhausted."
POOL_AGAIN = "Connection pool exhausted again: no upper bound on the database pool per pod."
OTHER = "A certificate expired because renewal alarms went to an unowned mailbox."


def quick_coe(service, author, text, *, days=0, category="technical", restricted=False,
              state="approved"):
    coe = Postmortem.objects.create(
        service=service, author=author, version=latest_coe_version(), title=text[:60],
        incident_start=BASE + dt.timedelta(days=days), restricted=restricted, state=state)
    coe.assign_code("COE")
    ContributingFactor.objects.create(postmortem=coe, category=category, text=text)
    return coe


def close_action(coe, author, *, closed_days):
    factor = coe.factors.get()
    item = ActionItem.objects.create(
        title="Cap the pool", owner=author, team=coe.service.team, due_date=BASE.date(),
        document=coe, status=ActionItem.Status.DONE, closing_note="Capped at 20.",
        closed_at=BASE + dt.timedelta(days=closed_days))
    FactorAction.objects.create(factor=factor, item=item)
    return item


def test_planted_recurrence_is_found_explained_and_flagged(checkout, author):
    first = quick_coe(checkout, author, POOL)
    close_action(first, author, closed_days=5)
    quick_coe(checkout, author, OTHER, days=3)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    matches = similar_for_postmortem(later, author)
    assert [m.other.code for m in matches] == [first.code]
    match = matches[0]
    assert {"connection", "pool", "database", "exhausted"} <= set(match.shared)
    assert match.same_category and match.same_service
    assert match.recurred_after_fix
    assert match.actions[0].title == "Cap the pool"


def test_no_flag_when_the_fix_was_closed_after_the_recurrence(checkout, author):
    first = quick_coe(checkout, author, POOL)
    close_action(first, author, closed_days=40)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    (match,) = similar_for_postmortem(later, author)
    assert not match.recurred_after_fix


def test_a_restricted_coe_never_leaks(checkout, author, outsider):
    hidden = quick_coe(checkout, author, POOL, restricted=True)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    assert [m.other.code for m in similar_for_postmortem(later, author)] == [hidden.code]
    assert similar_for_postmortem(later, outsider) == []
    assert all(m.other.code != hidden.code for m in recurring_themes())


def test_coe_page_shows_similar_factors_to_insiders_only(checkout, author, outsider, client):
    hidden = quick_coe(checkout, author, POOL, restricted=True)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    client.force_login(author)
    page = client.get(reverse("postmortems:detail", args=[later.code])).content.decode()
    assert f"Similar factors in {hidden.code}" in page and "<mark>pool</mark>" in page
    client.force_login(outsider)
    page = client.get(reverse("postmortems:detail", args=[later.code])).content.decode()
    assert hidden.code not in page


# The COE page's query count at 10 and 1,000 COEs: tests/learning/test_scale_queries.py.


def test_weekly_report_has_recurring_themes(checkout, author, ops_lead, client):
    from reports.weeks import Week

    first = quick_coe(checkout, author, POOL)
    close_action(first, author, closed_days=5)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    themes = recurring_themes()
    assert themes[0].factor.code == later.code and themes[0].recurred_after_fix
    week = Week.containing((BASE + dt.timedelta(days=31)).date())
    client.force_login(ops_lead)
    page = client.get(reverse("reports:weekly", args=[week])).content.decode()
    assert "Recurring themes" in page and "recurred after its fix" in page
    assert later.code in page and first.code in page


@pytest.fixture
def remembered(similarity_cache_on):
    return similarity_cache_on


def test_remembered_matches_are_forgotten_when_a_factor_changes(
        checkout, author, outsider, remembered, django_assert_num_queries):
    hidden = quick_coe(checkout, author, POOL, restricted=True)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    assert [m.other.code for m in similar_for_postmortem(later, author)] == [hidden.code]
    # Remembered: this COE's factors and the corpus are not read again; the viewer's
    # visibility and the action items still are, per request.
    with django_assert_num_queries(2):
        assert [m.other.code for m in similar_for_postmortem(later, author)] == [hidden.code]
    assert similar_for_postmortem(later, outsider) == []
    newer = quick_coe(checkout, author, POOL, days=10)
    assert [m.other.code for m in similar_for_postmortem(later, author)] == [
        hidden.code, newer.code]
    factor = newer.factors.get()
    factor.text = OTHER
    factor.save()
    assert [m.other.code for m in similar_for_postmortem(later, author)] == [hidden.code]
