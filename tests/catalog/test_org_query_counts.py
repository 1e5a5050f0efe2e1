"""The organisation's lists run as many queries with many rows as with a few."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Membership, OrgEvent, Service, Team
from orr.models import ApiToken

SMALL, LARGE = 10, 200


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_teams(n, start):
    teams = Team.objects.bulk_create(
        Team(name=f"Team {i:04d}", slug=f"team-{i}") for i in range(start, start + n))
    Service.objects.bulk_create(Service(name=f"S {t.slug}", slug=f"s-{t.slug}", team=t)
                                for t in teams)
    return teams


def add_people(n, start):
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"p{i:04d}", first_name="P") for i in range(start, start + n))
    team = Team.objects.get_or_create(name="People", slug="people")[0]
    Membership.objects.bulk_create(Membership(user=u, team=team) for u in users)


def add_events(n, start, actor):
    team = Team.objects.get_or_create(name="Audited", slug="audited")[0]
    OrgEvent.objects.bulk_create(
        OrgEvent(actor=actor, verb="team_changed", team=team, message=f"change {i}")
        for i in range(start, start + n))


def add_tokens(n, start, actor):
    team = Team.objects.get_or_create(name="Tokened", slug="tokened")[0]
    for i in range(start, start + n):
        ApiToken.issue(name=f"t{i}", by=actor, teams=[team] if i % 2 else None)


@pytest.mark.parametrize("url,grow", [
    ("catalog:org", lambda n, s, u: add_teams(n, s)),
    ("catalog:people", lambda n, s, u: add_people(n, s)),
    ("catalog:audit", add_events),
    ("tokens:list", add_tokens),
])
def test_org_lists_are_flat(client, ops_lead, url, grow, django_assert_max_num_queries):
    client.force_login(ops_lead)
    grow(SMALL, 0, ops_lead)
    client.get(reverse(url))
    small = queries(client, reverse(url))
    grow(LARGE - SMALL, SMALL, ops_lead)
    with django_assert_max_num_queries(small):
        client.get(reverse(url))


def test_the_retired_list_is_flat(client, ops_lead, payments, django_assert_max_num_queries):
    client.force_login(ops_lead)
    Service.objects.bulk_create(Service(name=f"R{i}", slug=f"r-{i}", team=payments,
                                        retired_at="2026-01-01T00:00Z") for i in range(SMALL))
    small = queries(client, reverse("catalog:retired_services"))
    Service.objects.bulk_create(Service(name=f"R{i}", slug=f"r-{i}", team=payments,
                                        retired_at="2026-01-01T00:00Z")
                                for i in range(SMALL, LARGE))
    with django_assert_max_num_queries(small):
        client.get(reverse("catalog:retired_services"))
