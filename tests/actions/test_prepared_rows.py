"""The action item lists run as prepared queries (actions.selectors.item_rows): for every kind of
viewer, list, filter and page they show exactly what `filtered_items` shows."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.test import RequestFactory
from django.utils import timezone

from actions import selectors
from actions.models import ActionItem
from catalog.models import Membership
from tests.actions.conftest import make_item
from tests.conftest import join, make_user
from tests.postmortems.conftest import make_coe

pytestmark = pytest.mark.django_db

Status = ActionItem.Status


@pytest.fixture
def items(questionnaires, checkout, author, teammate, reviewer, payments, platform):
    coe = make_coe(checkout, author)
    today = timezone.localdate()
    for i in range(12):
        make_item(owner=(author, teammate, reviewer)[i % 3], team=(payments, platform)[i % 2],
                  priority=("P1", "P2", "P3")[i % 3], due_date=today + dt.timedelta(days=i - 4),
                  status=(Status.OPEN, Status.IN_PROGRESS, Status.DONE, Status.WONT_DO)[i % 4],
                  closing_note="Shipped in the pool change." if i % 4 > 1 else "",
                  closed_at=timezone.now() if i % 4 > 1 else None,
                  document=coe if i % 3 else None)


def test_every_viewer_list_filter_and_page_as_the_queryset(items, django_user_model, author,
                                                          reviewer, ops_lead, payments,
                                                          platform, checkout):
    two_teams = make_user(django_user_model, "two-teams")
    join(two_teams, payments)
    join(two_teams, platform, Membership.Role.REVIEWER)
    nobody = make_user(django_user_model, "nobody")
    queries = [{}, {"status": "all"}, {"status": "done"}, {"priority": "P1"}, {"overdue": "1"},
               {"team": payments.slug}, {"service": checkout.slug}, {"source": "coe"},
               {"sort": "priority", "status": "all"},
               {"sort": "-created", "status": "wont_do", "source": "orr"},
               {"overdue": "1", "priority": "P2", "team": platform.slug}]
    shown = 0
    for user in (author, reviewer, ops_lead, two_teams, nobody):
        for scope in ("mine", "team", "all"):
            for query in queries:
                request = RequestFactory().get("/", query)
                request.user = user
                rows = selectors.item_rows(request, scope)
                built = selectors.filtered_items(request, scope).only(*selectors.ROW_FIELDS)
                assert rows.count() == built.count(), (user, scope, query)
                for page in (1, 2, 3):
                    got = Paginator(rows, 2).get_page(page)
                    want = Paginator(built, 2).get_page(page)
                    assert [i.pk for i in got] == [i.pk for i in want], (user, scope, query)
                    shown += len(got)
    assert shown > 100  # the lists were not all empty
