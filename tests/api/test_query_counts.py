"""Every API list runs as many queries with 1,000 rows as with 10 (± 2), as the pages do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Team
from orr.models import ReadinessReview
from postmortems.models import Postmortem, Tag
from reviews.models import State
from tests.test_query_counts import SLACK, add_documents, add_items, add_services, assign

SMALL, LARGE = 10, 1000


def assert_flat(api, url: str, grow, django_assert_max_num_queries) -> None:
    grow(SMALL)
    with CaptureQueriesContext(connection) as small:
        response = api.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) >= SMALL
    grow(LARGE - SMALL)
    with django_assert_max_num_queries(len(small.captured_queries) + SLACK):
        response = api.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) == 50


@pytest.fixture
def api(client, grant, reviewer):
    # An outside reviewer: the visibility queries do real work (assignments, other teams).
    return grant(client, reviewer)


def test_service_list(api, questionnaires, payments, author, django_assert_max_num_queries):
    def grow(n):
        for service in add_services(payments, n)[::2]:
            add_documents(ReadinessReview, 1, service=service, author=author,
                          state=State.APPROVED)

    assert_flat(api, reverse("api:services"), grow, django_assert_max_num_queries)


def test_team_list(api, payments, django_assert_max_num_queries):
    def grow(n):
        teams = Team.objects.bulk_create(
            Team(name=f"Bulk team {Team.objects.count() + i}",
                 slug=f"bulk-team-{Team.objects.count() + i}") for i in range(n))
        add_services(teams[0], 3)

    assert_flat(api, reverse("api:teams"), grow, django_assert_max_num_queries)


def test_orr_list(api, questionnaires, checkout, author, reviewer,
                  django_assert_max_num_queries):
    def grow(n):
        assign(add_documents(ReadinessReview, n, service=checkout, author=author), reviewer)

    assert_flat(api, reverse("api:orrs"), grow, django_assert_max_num_queries)


def test_coe_list(api, questionnaires, checkout, author, reviewer,
                  django_assert_max_num_queries):
    tag = Tag.objects.create(name="Database")

    def grow(n):
        coes = add_documents(Postmortem, n, service=checkout, author=author)
        assign(coes[::3], reviewer)
        Postmortem.tags.through.objects.bulk_create(
            Postmortem.tags.through(postmortem_id=c.pk, tag_id=tag.pk) for c in coes)

    assert_flat(api, reverse("api:coes"), grow, django_assert_max_num_queries)


def test_action_item_list(api, questionnaires, checkout, author, reviewer,
                          django_assert_max_num_queries):
    coe = add_documents(Postmortem, 1, service=checkout, author=author)[0]

    def grow(n):
        add_items(n // 2, owner=reviewer, team=checkout.team, document=coe)
        add_items(n - n // 2, owner=author, team=checkout.team)

    assert_flat(api, reverse("api:action_items") + "?state=open", grow,
                django_assert_max_num_queries)
