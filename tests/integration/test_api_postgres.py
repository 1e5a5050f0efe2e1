"""The REST API on PostgreSQL: full-text COE search, cursor pages and visibility as on SQLite."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from tests.api.conftest import grant  # noqa: F401  (the token fixture)
from tests.postmortems.conftest import add_action, make_coe

pytestmark = pytest.mark.django_db


def test_coe_search_uses_full_text_and_hides_restricted(client, grant, questionnaires,  # noqa: F811
                                                        checkout, author, ops_lead):
    found = make_coe(checkout, author, title="Deployments skipped the canary stages")
    make_coe(checkout, author, title="Checkout returned 502s", restricted=True)
    rows = grant(client, author).get(reverse("api:coes"), {"q": "deploy stage"}).json()
    assert [r["code"] for r in rows["results"]] == [found.code]
    lead = grant(client, ops_lead).get(reverse("api:coes")).json()["results"]
    assert [r["code"] for r in lead] == [found.code]  # an ops lead sees the draft, not the other


def test_action_item_cursor_pages_and_creation(client, grant, questionnaires,  # noqa: F811
                                               checkout, author):
    coe = make_coe(checkout, author)
    today = timezone.localdate()
    ActionItem.objects.bulk_create(
        ActionItem(title=f"Alarm {i}", owner=author, team=checkout.team, document=coe,
                   due_date=today + dt.timedelta(days=i % 4), priority="P2") for i in range(9))
    api = grant(client, author)
    seen, url = [], reverse("api:action_items") + "?page_size=4"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 9
    created = api.post(reverse("api:action_items"), {
        "document": coe.code, "title": "Cap the pool size per pod at 20", "owner": "author"})
    assert created.status_code == 201, created.json()
    refused = api.post(reverse("api:action_items"), {
        "document": coe.code, "title": "Improve documentation", "owner": "author"})
    assert refused.status_code == 400 and "title" in refused.json()["fields"]
    assert ActionItem.objects.count() == 10
    item = add_action(coe)
    closed = api.post(reverse("api:action_item_status", args=[item.pk]), {"status": "done"})
    assert closed.status_code == 400
