"""Action items through the API: filters, cursor pages, creation and status changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from actions.services import default_due_date, vague_title_problem
from reviews.models import Document
from tests.conftest import make_service, make_team
from tests.postmortems.conftest import add_action, make_coe

LIST = "api:action_items"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def coe(questionnaires, checkout, author):
    return make_coe(checkout, author)


@pytest.fixture
def api(client, grant, author):
    return grant(client, author)


# --- filters ----------------------------------------------------------------------------------

@pytest.fixture
def spread(coe, author, teammate, review):
    """Items of different states, owners, teams, services and due dates."""
    today = timezone.localdate()
    late = add_action(coe, title="Alarm on pool saturation above 80%")
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=2))
    mine_later = add_action(coe, title="Cap the pool size per pod at 20")
    theirs = add_action(coe, title="Add a runbook step for pool resets")
    ActionItem.objects.filter(pk=theirs.pk).update(owner=teammate, status="in_progress")
    done = add_action(coe, title="Load-test checkout at 2x peak")
    done.set_status("done", note="Ran it.")
    ActionItem.objects.filter(pk=done.pk).update(due_date=today - dt.timedelta(days=9))
    other = make_service(review.service.team, slug="ledger")
    from orr import services as orr_services

    ledger_review = orr_services.orr_start(service=other, by=author, trigger="pre_launch")
    on_ledger = orr_services.gap_add_action(
        answer=ledger_review.answers.first(), by=author, title="Page on ledger lag above 5 min",
        owner=author, due_date=today + dt.timedelta(days=3), priority="P1")
    return {"late": late.pk, "later": mine_later.pk, "theirs": theirs.pk, "done": done.pk,
            "ledger": on_ledger.pk}


@pytest.mark.parametrize("params,expected", [
    ({}, ["late", "later", "theirs", "done", "ledger"]),
    ({"state": "open"}, ["late", "later", "theirs", "ledger"]),
    ({"state": "in_progress"}, ["theirs"]),
    ({"state": "done"}, ["done"]),
    ({"overdue": "true"}, ["late"]),
    ({"overdue": "false"}, ["later", "theirs", "done", "ledger"]),
    ({"owner": "teammate"}, ["theirs"]),
    ({"service": "ledger"}, ["ledger"]),
    ({"service": "checkout-api", "state": "open"}, ["late", "later", "theirs"]),
    ({"team": "payments", "priority": "P1"}, ["ledger"]),
    ({"team": "platform"}, []),
])
def test_filters(api, spread, params, expected):
    assert sorted(ids(api.get(reverse(LIST), params))) == sorted(spread[k] for k in expected)


@pytest.mark.parametrize("params,field", [
    ({"state": "closed"}, "state"), ({"overdue": "maybe"}, "overdue"),
    ({"priority": "P9"}, "priority"),
])
def test_a_filter_that_does_not_parse_is_400_json(api, db, params, field):
    response = api.get(reverse(LIST), params)
    assert response.status_code == 400
    assert field in response.json()["fields"] and response.json()["error"]


# --- cursor pages -----------------------------------------------------------------------------

def test_cursor_pages_walk_every_item_once_in_due_date_order(api, coe, author):
    today = timezone.localdate()
    items = ActionItem.objects.bulk_create(
        ActionItem(title=f"Alarm {i}", owner=author, team=coe.service.team, document=coe,
                   due_date=today + dt.timedelta(days=i % 3), priority="P2")
        for i in range(7)
    )
    seen, url, pages = [], reverse(LIST) + "?page_size=3", 0
    while url:
        body = api.get(url).json()
        assert len(body["results"]) <= 3
        seen += body["results"]
        url, pages = body["next"], pages + 1
        assert url is None or "cursor=" in url
    assert pages == 3
    assert sorted(r["id"] for r in seen) == sorted(i.pk for i in items)
    dues = [r["due_date"] for r in seen]
    assert dues == sorted(dues)


def test_a_broken_cursor_is_404_json(api, db):
    response = api.get(reverse(LIST), {"cursor": "not-a-cursor"})
    assert response.status_code == 404 and response.json()["error"]


# --- create -----------------------------------------------------------------------------------

def create(api, coe, **overrides):
    body = {"document": coe.code, "title": "Cap the pool size per pod at 20", "owner": "author",
            "priority": "P2", **overrides}
    return api.post(reverse(LIST), body)


def test_create_for_a_coe_factor_logs_it_and_defaults_the_due_date(api, coe, author):
    from postmortems import services as pm

    factor = pm.factor_add(postmortem=coe, by=author, category="technical",
                           text="The pool had no upper bound.")
    response = create(api, coe, factor=factor.pk, priority="P1")
    assert response.status_code == 201, response.json()
    item = ActionItem.objects.get(pk=response.json()["id"])
    assert item.factor_link.factor == factor and item.created_by == author
    assert item.due_date == default_due_date("P1")
    assert response.json()["document"] == coe.code
    assert coe.events.filter(verb="action_added").exists()


def test_create_for_an_orr_gap(api, review, author):
    answer = review.answers.first()
    response = create(api, review, answer=answer.pk)
    assert response.status_code == 201, response.json()
    assert ActionItem.objects.get().source_answer == answer


@pytest.mark.parametrize("overrides,field", [
    ({"title": "Improve documentation"}, "title"),  # the vague-action wording rule
    ({"title": "Be more careful"}, "title"),
    ({"title": ""}, "title"),
    ({"due_date": "2020-01-01"}, "due_date"),  # in the past
    ({"due_date": "tomorrow"}, "due_date"),
    ({"owner": "nobody"}, "owner"),
    ({"owner": "reviewer"}, "owner"),  # not in the owning team
    ({"priority": "P7"}, "priority"),
    ({"backlog_url": "javascript:alert(1)"}, "backlog_url"),
    ({"factor": 999999}, "factor"),
])
def test_create_with_bad_input_is_400_json_and_creates_nothing(api, coe, reviewer, overrides,
                                                               field):
    response = create(api, coe, **overrides)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"] and body["fields"][field][0] and body["error"]
    assert not ActionItem.objects.exists()


def test_a_vague_title_is_refused_with_the_services_message_on_the_title(api, coe):
    response = create(api, coe, title="Improve documentation")
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {
        "title": [vague_title_problem("Improve documentation")]}
    assert not ActionItem.objects.exists()


def test_an_unknown_document_is_404_like_a_hidden_one(api, db):
    response = api.post(reverse(LIST), {"document": "COE-404", "title": "Alarm on lag",
                                        "owner": "author"})
    assert response.status_code == 404 and response.json()["error"]
    assert not ActionItem.objects.exists()


def test_an_orr_item_needs_its_answer(api, review):
    response = create(api, review)
    assert response.status_code == 400 and "answer" in response.json()["fields"]
    assert not ActionItem.objects.exists()


def test_not_json_is_400(api, coe):
    response = api.client.post(reverse(LIST), "title=x", content_type="text/plain",
                               HTTP_AUTHORIZATION=f"Bearer {api.raw}")
    assert response.status_code == 415 and response.json()["error"]
    assert not ActionItem.objects.exists()


def test_an_approved_document_takes_no_new_items(api, coe):
    Document.objects.filter(pk=coe.pk).update(state="approved")
    assert create(api, coe).status_code == 403
    assert not ActionItem.objects.exists()


# --- status -----------------------------------------------------------------------------------

def status(api, item, **body):
    return api.post(reverse("api:action_item_status", args=[item.pk]), body)


def test_closing_needs_a_note(api, coe):
    item = add_action(coe)
    for closed in ("done", "wont_do"):
        response = status(api, item, status=closed)
        assert response.status_code == 400 and response.json()["error"]
    item.refresh_from_db()
    assert item.status == "open" and item.closed_at is None


def test_closing_with_a_note_records_it_in_the_history(api, coe):
    item = add_action(coe)
    response = status(api, item, status="done", note="Pool capped in deploy 4411.")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["closing_note"] == "Pool capped in deploy 4411."
    item.refresh_from_db()
    assert item.closed_at is not None
    assert coe.events.filter(verb="action_status").exists()


def test_an_unknown_status_is_400(api, coe):
    item = add_action(coe)
    response = status(api, item, status="finished")
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_someone_outside_owner_team_and_ops_leads_may_not_change_it(client, grant, coe, reviewer):
    item = add_action(coe)
    Document.objects.filter(pk=coe.pk).update(state="in_review")
    response = status(grant(client, reviewer), item, status="in_progress")
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_an_item_of_another_team_is_changed_by_an_ops_lead(client, grant, coe, ops_lead):
    item = add_action(coe)
    response = status(grant(client, ops_lead), item, status="wont_do", note="Superseded.")
    assert response.status_code == 200


def test_unknown_item_is_404_json(api, db):
    response = api.post(reverse("api:action_item_status", args=[999999]), {"status": "done"})
    assert response.status_code == 404 and response.json()["error"]


def test_list_rows_show_overdue_and_links(api, coe):
    item = add_action(coe)
    ActionItem.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1))
    row = api.get(reverse(LIST)).json()["results"][0]
    assert row["overdue"] is True and row["service"] == "checkout-api"
    assert row["url"].endswith(f"/actions/{item.pk}/")


def test_items_of_other_teams_services_filter_by_team(client, grant, ops_lead, author, db):
    team = make_team("Search", slug="search")
    other = make_team("Data", slug="data")
    today = timezone.localdate()
    for t in (team, other):
        ActionItem.objects.create(title="Alarm on index lag", owner=author, team=t,
                                  due_date=today, priority="P3")
    api = grant(client, ops_lead)
    assert len(ids(api.get(reverse(LIST), {"team": "search"}))) == 1


def test_an_owner_is_a_username_never_a_primary_key(api, coe, teammate):
    response = create(api, coe, owner=str(teammate.pk))
    assert response.status_code == 400 and "owner" in response.json()["fields"]
    assert not ActionItem.objects.exists()
