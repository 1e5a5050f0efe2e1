"""A vague action title is refused however the item is made: the page, the services the
integrations and imports call, and the admin; always with the same message. The REST API:
tests/api/test_action_items.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from actions.services import action_item_create, check_action_title, vague_title_problem
from orr import services as orr_services
from postmortems import services as pm_services
from tests.postmortems.conftest import make_coe

from .conftest import make_item

VAGUE = "Improve documentation"
GOOD = "Alarm on checkout p99 latency above 800 ms"


@pytest.fixture
def coe(questionnaires, checkout, author):
    return make_coe(checkout, author)


def later() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


def test_the_message_names_the_problem_and_a_way_out():
    message = vague_title_problem(VAGUE)
    assert message and "Try:" in message
    assert vague_title_problem(GOOD) is None
    check_action_title(GOOD)  # no error


@pytest.mark.parametrize("title", [VAGUE, "Be more careful"])
def test_the_service_refuses_a_vague_title_on_the_field(db, author, payments, title):
    with pytest.raises(ValidationError) as refused:
        action_item_create(title=title, owner=author, team=payments, priority="P2",
                           due_date=later(), created_by=author)
    assert refused.value.message_dict == {"title": [vague_title_problem(title)]}
    assert not ActionItem.objects.exists()
    item = action_item_create(title=GOOD, owner=author, team=payments, priority="P2",
                              due_date=later(), created_by=author)
    assert item.title == GOOD and item.created_by == author


def test_the_orr_and_coe_workflows_go_through_the_rule(review, coe, author):
    """The service functions that integrations and imports would call, without any form."""
    with pytest.raises(ValidationError) as refused:
        orr_services.gap_add_action(answer=review.answers.first(), by=author, title=VAGUE,
                                    owner=author, due_date=later(), priority="P2")
    assert refused.value.message_dict == {"title": [vague_title_problem(VAGUE)]}
    with pytest.raises(ValidationError):
        pm_services.action_add(postmortem=coe, by=author, title=VAGUE, owner=author,
                               due_date=later(), priority="P2")
    assert not ActionItem.objects.exists()
    assert not coe.events.filter(verb="action_added").exists()
    assert not review.events.filter(verb="action_added").exists()


def test_the_page_shows_the_message_by_the_title_and_keeps_the_input(client, coe, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:action_new", args=[coe.code]), {
        "title": VAGUE, "owner": author.pk, "priority": "P2"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [vague_title_problem(VAGUE)]
    page = response.content.decode()
    assert f'value="{VAGUE}"' in page and 'aria-invalid="true"' in page
    assert not ActionItem.objects.exists()


def test_the_admin_refuses_a_vague_title_too(client, django_user_model, author, payments):
    item = make_item(owner=author, team=payments, title=GOOD, priority="P2")
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    url = reverse("admin:actions_actionitem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(title=VAGUE, owner=author.pk, team=payments.pk,
                due_date=item.due_date.isoformat())
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [vague_title_problem(VAGUE)]
    item.refresh_from_db()
    assert item.title == GOOD
