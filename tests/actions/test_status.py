import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions.models import ActionItem

from .conftest import make_item

Status = ActionItem.Status


@pytest.fixture
def item(author, payments):
    return make_item(owner=author, team=payments)


@pytest.mark.parametrize("status", [Status.DONE, Status.WONT_DO])
def test_closing_needs_a_note(item, status):
    with pytest.raises(ValidationError):
        item.set_status(status, note="  ")
    item.refresh_from_db()
    assert item.status == Status.OPEN
    assert item.revision == 1


def test_done_with_a_note_records_it_and_the_time(item):
    item.set_status(Status.DONE, note="Alarm added in PR 123.")
    item.refresh_from_db()
    assert (item.status, item.closing_note) == (Status.DONE, "Alarm added in PR 123.")
    assert item.closed_at is not None
    assert item.revision == 2


def test_reopening_clears_the_closing_time(item):
    item.set_status(Status.WONT_DO, note="The service is retired.")
    item.set_status(Status.OPEN)
    item.refresh_from_db()
    assert item.closed_at is None


def test_in_progress_needs_no_note(item):
    item.set_status(Status.IN_PROGRESS)
    assert ActionItem.objects.get(pk=item.pk).status == Status.IN_PROGRESS


def test_an_unknown_status_is_refused(item):
    with pytest.raises(ValidationError):
        item.set_status("finished", note="yes")


def test_the_database_refuses_done_without_a_note(item):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=item.pk).update(status=Status.DONE, closing_note="")


def post_status(client, item, **data):
    return client.post(reverse("actions:status", args=[item.pk]), data)


@pytest.fixture
def others_item(reviewer, payments):
    """Owned by a reviewer of another team, so owner and team member are different people."""
    return make_item(owner=reviewer, team=payments)


@pytest.mark.parametrize("persona", ["reviewer", "teammate", "ops_lead"])
def test_owner_team_member_and_ops_lead_may_change_the_status(
    client, request, others_item, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = post_status(client, others_item, status="in_progress")
    assert response.status_code == 302
    others_item.refresh_from_db()
    assert others_item.status == Status.IN_PROGRESS


def test_an_outsider_may_not_change_the_status(client, others_item, outsider):
    client.force_login(outsider)
    response = post_status(client, others_item, status="done", note="Done by me.")
    assert response.status_code == 403
    others_item.refresh_from_db()
    assert others_item.status == Status.OPEN


def test_status_change_by_get_is_405(client, others_item, teammate):
    client.force_login(teammate)
    response = client.get(reverse("actions:status", args=[others_item.pk]))
    assert response.status_code == 405


def test_done_without_a_note_through_the_view_changes_nothing(client, others_item, teammate):
    client.force_login(teammate)
    response = post_status(client, others_item, status="done", note="")
    assert response.status_code == 302
    others_item.refresh_from_db()
    assert others_item.status == Status.OPEN
