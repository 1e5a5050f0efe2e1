"""The ORR list: the reviews a person may see, newest first, 50 to a page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orr import services as orr_services
from tests.conftest import make_service


@pytest.fixture
def many(questionnaires, payments, author):
    services = [make_service(payments, name=f"Svc {n}", slug=f"svc-{n}") for n in range(55)]
    return [orr_services.orr_start(service=s, by=author, trigger="pre_launch") for s in services]


@pytest.mark.django_db
def test_pages_of_fifty_newest_first(client, author, many):
    client.force_login(author)
    first = client.get(reverse("orr:list"))
    codes = [r.code for r in first.context["page"]]
    assert codes == [r.code for r in reversed(many)][:50]
    assert "1–50 of 55" in first.content.decode()
    second = client.get(reverse("orr:list"), {"page": 2})
    assert [r.code for r in second.context["page"]] == [r.code for r in reversed(many)][50:]


@pytest.mark.django_db
def test_another_teams_drafts_are_neither_listed_nor_counted(client, outsider, many):
    client.force_login(outsider)
    response = client.get(reverse("orr:list"))
    assert list(response.context["page"]) == []
    assert many[0].code not in response.content.decode()


@pytest.mark.django_db
def test_a_row_shows_the_review_its_service_team_state_and_day(client, author, many):
    from opsreview.templatetags.dates import day

    client.force_login(author)
    page = client.get(reverse("orr:list")).content.decode()
    newest = many[-1]
    row = next(r for r in page.split("<tr>") if f">{newest.code}</a>" in r)
    assert f'<a href="{newest.get_absolute_url()}">{newest.code}</a>' in row
    assert "<td>Svc 54</td>" in row and f"<td>{newest.service.team.name}</td>" in row
    assert '<span class="badge state-draft">Draft</span>' in row
    assert f"<td>{day(newest.updated_at)}</td>" in row


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_one_review_or_fifty(
        client, author, payments, questionnaires, django_assert_max_num_queries):
    client.force_login(author)
    orr_services.orr_start(service=make_service(payments, name="One", slug="one"), by=author,
                           trigger="pre_launch")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("orr:list"))
    for n in range(50):
        orr_services.orr_start(service=make_service(payments, name=f"S{n}", slug=f"s-{n}"),
                               by=author, trigger="pre_launch")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("orr:list"))


@pytest.mark.django_db
def test_the_state_filter_for_each_kind_of_viewer(client, author, outsider, ops_lead, many):
    from reviews.models import Document

    Document.objects.filter(pk__in=[r.pk for r in many[:20]]).update(state="approved")
    for user, approved, drafts in ((author, 20, 35), (outsider, 20, 0), (ops_lead, 20, 35)):
        client.force_login(user)
        for state, expected in (("approved", approved), ("draft", drafts)):
            page = client.get(reverse("orr:list"), {"state": state}).context["page"]
            assert page.paginator.count == expected, (user, state)
            assert {r.state for r in page} <= {state}
    client.force_login(author)
    drafts = client.get(reverse("orr:list"), {"state": "draft"}).context["page"]
    assert [r.code for r in drafts] == [r.code for r in reversed(many[20:])]
