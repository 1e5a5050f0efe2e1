"""The ORR list: the reviews a person may see, newest first, 50 to a page."""

import pytest
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
