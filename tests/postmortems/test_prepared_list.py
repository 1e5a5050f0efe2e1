"""The COE list runs as prepared queries (postmortems.selectors.postmortem_rows): for every kind of
viewer, filter and page it shows exactly what the list's QuerySet shows."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db.models import QuerySet

from catalog.models import Membership
from postmortems import selectors
from postmortems.models import Postmortem, Tag
from tests.conftest import join, make_service, make_user
from tests.postmortems.conftest import INCIDENT, make_coe

pytestmark = pytest.mark.django_db


@pytest.fixture
def coes(questionnaires, checkout, author, payments, platform, django_user_model):
    other = make_service(platform)
    platform_author = make_user(django_user_model, "pia")
    join(platform_author, platform)
    made = []
    for i in range(7):
        made.append(make_coe(checkout, author, incident_start=INCIDENT - dt.timedelta(days=40 * i),
                             severity=1 + i % 3, tag_names=["Database"] if i % 2 else ["DNS"]))
        made.append(make_coe(other, platform_author, severity=1 + i % 2,
                             incident_start=INCIDENT - dt.timedelta(days=33 * i)))
    Postmortem.objects.filter(pk__in=[c.pk for c in made[::3]]).update(state="approved")
    Postmortem.objects.filter(pk=made[1].pk).update(restricted=True, state="approved")
    return made


def viewers(django_user_model, author, reviewer, ops_lead, payments, platform):
    two_teams = make_user(django_user_model, "two-teams")
    join(two_teams, payments)
    join(two_teams, platform, Membership.Role.REVIEWER)
    return [author, reviewer, ops_lead, two_teams, make_user(django_user_model, "nobody")]


def test_every_viewer_filter_and_page_as_the_queryset(coes, django_user_model, author, reviewer,
                                                      ops_lead, payments, platform, checkout):
    filters = [{}, {"service": checkout}, {"team": payments}, {"team": platform},
               {"tag": Tag.objects.get(name="Database")}, {"state": "approved"}, {"severity": 2},
               {"date_from": dt.date(2024, 1, 1), "date_to": dt.date(2024, 5, 1)},
               {"team": payments, "severity": 1, "state": "draft"}]
    shown = 0
    for user in viewers(django_user_model, author, reviewer, ops_lead, payments, platform):
        for values in filters:
            f = selectors.ListFilters(**values)
            rows = selectors.postmortem_rows(user, f)
            assert not isinstance(rows, QuerySet)
            built = selectors.postmortem_list(user, f)
            assert rows.count() == built.count()
            for page in (1, 2, 3):
                got = Paginator(rows, 3).get_page(page)
                want = Paginator(built, 3).get_page(page)
                assert [p.pk for p in got] == [p.pk for p in want], (user, values, page)
                shown += len(got)
        assert sorted(selectors.visible_tag_options(user)) == sorted(
            selectors.visible_tags(user).values_list("name", "name"))
    assert shown > 50  # the lists were not all empty


def test_a_search_runs_the_queryset_and_an_empty_list_has_an_empty_first_page(coes, ops_lead):
    searched = selectors.postmortem_rows(ops_lead, selectors.ListFilters(q="Checkout"))
    assert isinstance(searched, QuerySet) and searched.count() == 13  # not the restricted one
    empty = selectors.postmortem_rows(ops_lead, selectors.ListFilters(severity=4))
    assert empty.count() == 0 and list(Paginator(empty, 50).get_page(1)) == []
