import datetime as dt

from django.urls import reverse

from orr import services as orr_services
from postmortems import services as pm
from tests.conftest import make_service


def make_coe(service, author, committee):
    return pm.postmortem_create(
        service=service, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), committee=committee,
    )


def test_items_from_an_orr_answer_and_a_coe_factor_link_back(client, review, author, reviewer,
                                                            payments, today):
    answer = review.answers.select_related("question__section").first()
    from_answer = orr_services.gap_add_action(
        answer=answer, by=author, title="Page on checkout 5xx above 1 %", owner=author,
        due_date=today + dt.timedelta(days=20), priority="P1")
    coe = make_coe(make_service(payments, name="Ledger", slug="ledger"), author, [reviewer])
    factor = pm.factor_add(postmortem=coe, by=author, category="tooling",
                           text="No canary stage for configuration deploys.")
    from_factor = pm.action_add(postmortem=coe, by=author, factor=factor, owner=author,
                                title="Add a canary stage for config deploys", priority="P2",
                                due_date=today + dt.timedelta(days=30))
    client.force_login(author)
    for url in (reverse("actions:mine"), reverse("actions:team")):
        content = client.get(url).content.decode()
        assert from_answer.title in content and from_factor.title in content
    page = client.get(from_answer.get_absolute_url()).content.decode()
    assert f"#q{answer.pk}" in page and "ORR answer:" in page
    page = client.get(from_factor.get_absolute_url()).content.decode()
    assert f"{coe.get_absolute_url()}#factor-{factor.pk}" in page
    assert "Contributing factor:" in page


def test_list_filters_by_source_kind(client, review, author, today):
    answer = review.answers.first()
    orr_services.gap_add_action(answer=answer, by=author, title="Alarm on queue depth > 1000",
                                owner=author, due_date=today + dt.timedelta(days=9),
                                priority="P2")
    client.force_login(author)
    assert "Alarm on queue depth" in client.get(
        reverse("actions:mine"), {"source": "orr"}).content.decode()
    assert "Alarm on queue depth" not in client.get(
        reverse("actions:mine"), {"source": "coe"}).content.decode()


def test_inline_status_change_returns_to_the_list_but_never_offsite(client, review, author,
                                                                    today):
    item = orr_services.gap_add_action(
        answer=review.answers.first(), by=author, title="Alarm on queue depth > 1000",
        owner=author, due_date=today + dt.timedelta(days=9), priority="P2")
    client.force_login(author)
    url = reverse("actions:status", args=[item.pk])
    response = client.post(url, {"status": "in_progress", "next": "/actions/?status=open"})
    assert response["Location"] == "/actions/?status=open"
    response = client.post(url, {"status": "open", "next": "https://evil.example.com/"})
    assert response["Location"] == item.get_absolute_url()


def test_status_changes_are_recorded_in_the_document_history(client, review, author, today):
    item = orr_services.gap_add_action(
        answer=review.answers.first(), by=author, title="Alarm on queue depth > 1000",
        owner=author, due_date=today + dt.timedelta(days=9), priority="P2")
    client.force_login(author)
    client.post(reverse("actions:status", args=[item.pk]),
                {"status": "done", "note": "Alarm live, runbook linked."})
    event = review.events.filter(verb="action_status").get()
    assert event.actor == author and "open → done" in event.message
    assert event.data["note"] == "Alarm live, runbook linked."
