import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from postmortems import selectors
from postmortems.models import Postmortem
from reviews.models import Document
from tests.conftest import join, make_service

from .conftest import make_coe


def set_state(coe, state, **fields):
    Document.objects.filter(pk=coe.pk).update(state=state)
    Postmortem.objects.filter(pk=coe.pk).update(**fields)


def codes(response):
    return {p.code for p in response.context["postmortems"]}


@pytest.fixture
def corpus(questionnaires, checkout, payments, platform, author, django_user_model):
    """Drafts, submitted and restricted COEs of two teams."""
    platform_author = django_user_model.objects.create_user("platformer", password="pw")
    join(platform_author, platform)
    ledger = make_service(platform, name="Ledger", slug="ledger")
    docs = {
        "pay_draft": make_coe(checkout, author, title="Pay draft: pool exhausted"),
        "pay_review": make_coe(checkout, author, title="Pay in review: DNS",
                               tag_names=["DNS"]),
        "ledger_draft": make_coe(ledger, platform_author, title="Ledger draft"),
        "ledger_review": make_coe(ledger, platform_author, title="Ledger replication lag",
                                  severity=1, tag_names=["Database", "Latent"],
                                  incident_start=dt.datetime(2023, 1, 5, tzinfo=dt.UTC)),
        "ledger_secret": make_coe(ledger, platform_author, title="Ledger key leak"),
    }
    set_state(docs["pay_review"], "in_review")
    set_state(docs["ledger_review"], "approved")
    set_state(docs["ledger_secret"], "in_review", restricted=True)
    summary = docs["ledger_review"].answers.get(question__key="summary")
    summary.save_if_current(base_revision=0, by=platform_author,
                            text="A replica fell behind by 40 minutes under compaction.")
    return {k: v.code for k, v in docs.items()}


def test_member_sees_own_drafts_and_others_submitted_never_restricted(client, corpus, author):
    client.force_login(author)
    response = client.get(reverse("postmortems:list"))
    assert codes(response) == {corpus["pay_draft"], corpus["pay_review"],
                               corpus["ledger_review"]}


def test_outsider_sees_only_submitted_unrestricted(client, corpus, outsider):
    client.force_login(outsider)
    assert codes(client.get(reverse("postmortems:list"))) == {
        corpus["pay_review"], corpus["ledger_review"]}


def test_ops_lead_sees_drafts_but_not_restricted(client, corpus, ops_lead):
    client.force_login(ops_lead)
    seen = codes(client.get(reverse("postmortems:list")))
    assert corpus["ledger_draft"] in seen and corpus["ledger_secret"] not in seen


def test_committee_member_sees_the_restricted_coe(client, corpus, outsider, author):
    secret = Postmortem.objects.get(code=corpus["ledger_secret"])
    secret.assignments.create(user=outsider)
    client.force_login(outsider)
    assert corpus["ledger_secret"] in codes(client.get(reverse("postmortems:list")))


def test_visible_queryset_matches_can_view_for_everyone(corpus, author, outsider, ops_lead,
                                                        reviewer, teammate):
    from reviews.permissions import can_view

    for user in (author, outsider, ops_lead, reviewer, teammate):
        visible = set(selectors.visible_postmortems(user).values_list("code", flat=True))
        expected = {p.code for p in Postmortem.objects.all() if can_view(user, p)}
        assert visible == expected, user


@pytest.mark.parametrize("params,expected", [
    ({"service": "ledger"}, {"ledger_review"}),
    ({"team": "payments"}, {"pay_draft", "pay_review"}),
    ({"tag": "Latent"}, {"ledger_review"}),
    ({"state": "approved"}, {"ledger_review"}),
    ({"severity": "1"}, {"ledger_review"}),
    ({"date_to": "2023-12-31"}, {"ledger_review"}),
    ({"date_from": "2024-01-01"}, {"pay_draft", "pay_review"}),
    ({"q": "dns"}, {"pay_review"}),
    ({"q": "compaction"}, {"ledger_review"}),  # summary text
    ({"q": "key leak"}, set()),  # restricted: never found by search either
])
def test_filters_and_search_respect_permissions(client, corpus, author, params, expected):
    client.force_login(author)
    response = client.get(reverse("postmortems:list"), params)
    assert codes(response) == {corpus[k] for k in expected}


def test_affected_service_filter_finds_the_coe(client, corpus, author):
    ledger_service = Postmortem.objects.get(code=corpus["ledger_review"]).service
    pay = Postmortem.objects.get(code=corpus["pay_review"])
    pay.affected_services.add(ledger_service)
    client.force_login(author)
    response = client.get(reverse("postmortems:list"), {"service": "ledger"})
    assert codes(response) == {corpus["ledger_review"], corpus["pay_review"]}


def test_bad_filter_values_are_ignored_with_a_note(client, corpus, author):
    client.force_login(author)
    response = client.get(reverse("postmortems:list"), {"date_from": "soon"})
    assert response.status_code == 200
    assert "ignored" in response.content.decode()


def test_list_has_a_new_postmortem_button_for_team_members(client, corpus, author):
    client.force_login(author)
    assert reverse("postmortems:create") in client.get(reverse("postmortems:list")).content.decode()


def test_list_query_count_is_flat(client, corpus, author, checkout):
    client.force_login(author)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("postmortems:list"))
    for i in range(30):
        make_coe(checkout, author, title=f"More {i}", tag_names=[f"t{i}", "DNS"])
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("postmortems:list"))
    assert len(response.context["postmortems"]) == 33
    assert len(large.captured_queries) == len(small.captured_queries)


def test_each_row_shows_its_own_tags_alphabetically_with_its_labels(client, corpus, ops_lead):
    client.force_login(ops_lead)
    page = client.get(reverse("postmortems:list")).content.decode()
    row = next(r for r in page.split("<tr>") if corpus["ledger_review"] in r)
    assert ('<span class="badge text-bg-light border">Database</span> '
            '<span class="badge text-bg-light border">Latent</span>') in row
    assert "SEV1 (critical)" in row and ">Approved</span>" in row
    assert "5 Jan 2023 02:00 EET" in row  # in the incident's own zone
    draft = next(r for r in page.split("<tr>") if corpus["ledger_draft"] in r)
    assert ">Latent<" not in draft and ">Draft</span>" in draft
