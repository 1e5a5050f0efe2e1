"""Prepared queries (opsreview/prepared.py): compiled once, run with each call's values, the same
rows as the QuerySet they were built from, and refused when a value would not be a parameter."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Service, Team
from opsreview.prepared import Prepared
from tests.conftest import join, make_service, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(django_user_model):
    payments, search = make_team("Payments"), make_team("Search")
    for name in ("checkout", "refunds", "ledger"):
        make_service(payments, name=name, slug=name)
    make_service(search, name="indexer", slug="indexer")
    join(make_user(django_user_model, "ana"), payments)
    return payments, search


SERVICES_OF = Prepared(lambda team_id: Service.objects.filter(team_id=team_id)
                       .select_related("team").annotate(team_name=F("team__name"))
                       .order_by("name"))


def test_same_rows_as_the_queryset_for_each_call(teams):
    for team in teams:
        built = list(Service.objects.filter(team_id=team.pk).select_related("team")
                     .annotate(team_name=F("team__name")).order_by("name"))
        got = SERVICES_OF(team.pk)
        assert [s.pk for s in got] == [s.pk for s in built] and got
        assert [(s.team.name, s.team_name) for s in got] == [(team.name, team.name)] * len(got)
    assert SERVICES_OF(-1) == []


def test_compiled_once_then_only_run(teams, monkeypatch):
    payments, search = teams
    SERVICES_OF(payments.pk)  # compiled here, if no earlier test did
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql",
                        lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    with CaptureQueriesContext(connection) as queries:
        assert len(SERVICES_OF(payments.pk)) == 3
        assert len(SERVICES_OF(search.pk)) == 1
    assert compiled == [] and len(queries) == 2


def test_values_rows_aggregates_and_prefetches(teams):
    payments, _ = teams
    counts = Prepared(lambda name: Team.objects.filter(name=name)
                      .annotate(n=Count("services")).values_list("name", "n"))
    assert counts("Payments") == [("Payments", 3)]
    with_members = Prepared(lambda pk: Team.objects.filter(pk=pk).prefetch_related("members"))
    (team,) = with_members(payments.pk)
    with CaptureQueriesContext(connection) as queries:
        assert [u.username for u in team.members.all()] == ["ana"]
    assert len(queries) == 0


def test_each_argument_in_each_of_its_places(teams):
    payments, search = teams
    named = Prepared(lambda team_id, slug: Service.objects.filter(slug=slug, team_id=team_id))
    assert [s.slug for s in named(payments.pk, "refunds")] == ["refunds"]
    assert named(payments.pk, "indexer") == []
    twice = Prepared(lambda team_id: Service.objects.filter(team_id=team_id)
                     .filter(team__pk=team_id).order_by("slug"))
    assert [s.slug for s in twice(search.pk)] == ["indexer"]
    since = Prepared(lambda day: Service.objects.filter(created_at__date__gte=day))
    today = timezone.localdate()
    assert len(since(today)) == 4 and since(today + dt.timedelta(1)) == []
    after = Prepared(lambda moment: Service.objects.filter(created_at__gt=moment))
    an_hour = dt.timedelta(hours=1)
    assert len(after(timezone.now() - an_hour)) == 4 and after(timezone.now() + an_hour) == []


def test_get_is_one_row_or_the_models_errors(teams):
    by_slug = Prepared(lambda slug: Service.objects.filter(slug=slug)[:2])
    assert by_slug.get("ledger").name == "ledger"
    with pytest.raises(Service.DoesNotExist):
        by_slug.get("nothing")
    by_team = Prepared(lambda team_id: Service.objects.filter(team_id=team_id)[:2])
    with pytest.raises(Service.MultipleObjectsReturned):
        by_team.get(teams[0].pk)


def test_values_that_would_not_be_plain_parameters_are_refused(teams):
    with pytest.raises(ValueError, match="plain parameter"):
        Prepared(lambda text: Service.objects.filter(name__icontains=text))("check")
    with pytest.raises(TypeError, match="int, str, date or aware datetime"):
        Prepared(lambda when: Service.objects.filter(created_at__gte=when))(1.5)
    with pytest.raises(TypeError, match="aware datetime"):
        Prepared(lambda when: Service.objects.filter(created_at__gte=when))(dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="related manager"):
        Prepared(lambda slug: teams[0].services.filter(slug=slug))("checkout")


def test_related_rows_are_kept_where_prefetch_related_keeps_them(teams):
    payments, _ = teams
    with_services = Prepared(
        lambda name: Team.objects.filter(name=name)[:2],
        related={"services": Prepared(lambda pk: Service.objects.filter(team_id=pk)
                                      .order_by("slug"))})
    with CaptureQueriesContext(connection) as loading:
        team = with_services.get("Payments")
    with CaptureQueriesContext(connection) as reading:
        slugs = [s.slug for s in team.services.all()]
    assert slugs == ["checkout", "ledger", "refunds"] and team.pk == payments.pk
    assert len(loading) == 2 and len(reading) == 0


def test_a_query_that_can_have_no_row_runs_no_sql(teams):
    of_teams = Prepared(lambda: Service.objects.filter(team_id__in=[]))
    with CaptureQueriesContext(connection) as queries:
        assert of_teams() == [] and of_teams() == []
    assert len(queries) == 0


def test_kept_per_time_zone_as_date_lookups_write_it_into_the_sql(teams, settings):
    Service.objects.update(created_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    on_day = Prepared(lambda day: Service.objects.filter(created_at__date=day))
    settings.TIME_ZONE = "UTC"
    assert len(on_day(dt.date(2026, 3, 1))) == 4
    settings.TIME_ZONE = "Asia/Tokyo"
    assert len(on_day(dt.date(2026, 3, 2))) == 4 and on_day(dt.date(2026, 3, 1)) == []
