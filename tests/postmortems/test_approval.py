import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reviews.models import State
from reviews.services import (
    document_assign_reviewer,
    document_decide,
    document_submit,
    missing_approvals,
)


def approve(coe, user, reason="Deep enough; the actions are specific."):
    return document_decide(document=coe, reviewer=user, verdict="approve", reason=reason)


@pytest.fixture
def two_member_coe(ready_coe, author, own_team_reviewer):
    """Committee: the outside reviewer (from ready_coe) and a reviewer of the owning team."""
    document_assign_reviewer(document=ready_coe, reviewer=own_team_reviewer, by=author)
    document_submit(document=ready_coe, by=author)
    return ready_coe


def state(coe):
    coe.refresh_from_db()
    return coe.state


def test_every_committee_member_must_approve_by_default(two_member_coe, reviewer,
                                                        own_team_reviewer):
    approve(two_member_coe, reviewer)
    assert state(two_member_coe) == State.IN_REVIEW
    assert missing_approvals(two_member_coe) == "1 more committee approval(s) (1 of 2)"
    approve(two_member_coe, own_team_reviewer)
    assert state(two_member_coe) == State.APPROVED


def test_own_team_approval_alone_is_not_enough(two_member_coe, own_team_reviewer, settings):
    settings.COE_QUORUM = 1
    approve(two_member_coe, own_team_reviewer)
    assert state(two_member_coe) == State.IN_REVIEW
    assert missing_approvals(two_member_coe) == (
        "an approval from a committee member outside the owning team")


def test_numeric_quorum_with_an_outside_approver(two_member_coe, reviewer, settings):
    settings.COE_QUORUM = "1"
    approve(two_member_coe, reviewer)
    assert state(two_member_coe) == State.APPROVED


def test_own_team_only_committee_can_never_approve(coe, author, own_team_reviewer, teammate):
    from .conftest import complete

    complete(coe, committee=[own_team_reviewer, teammate])
    document_submit(document=coe, by=author)
    approve(coe, own_team_reviewer)
    approve(coe, teammate)
    assert state(coe) == State.IN_REVIEW
    assert "outside the owning team" in missing_approvals(coe)


def test_approvals_of_an_earlier_round_do_not_count(two_member_coe, author, reviewer,
                                                    own_team_reviewer):
    approve(two_member_coe, reviewer)
    document_decide(document=two_member_coe, reviewer=own_team_reviewer,
                    verdict="request_changes", reason="Ask why the alarm was late.")
    assert state(two_member_coe) == State.CHANGES_REQUESTED
    document_submit(document=two_member_coe, by=author)
    approve(two_member_coe, own_team_reviewer)
    assert state(two_member_coe) == State.IN_REVIEW
    assert "1 more committee approval(s)" in missing_approvals(two_member_coe)


def test_author_can_never_approve(ready_coe, author):
    document_submit(document=ready_coe, by=author)
    with pytest.raises(PermissionDenied):
        approve(ready_coe, author)


def test_committee_member_requests_changes_on_answers_through_the_page(
        client, ready_coe, author, reviewer):
    document_submit(document=ready_coe, by=author)
    summary = ready_coe.answers.get(question__key="summary")
    client.force_login(reviewer)
    client.post(reverse("postmortems:decide", args=[ready_coe.code]), {
        "verdict": "request_changes", "reason": "Say how many customers, in numbers.",
        "flagged": [summary.pk]})
    assert state(ready_coe) == State.CHANGES_REQUESTED
    client.force_login(author)
    content = client.get(ready_coe.get_absolute_url()).content.decode()
    assert "The committee asked for changes to this answer." in content
    assert "Say how many customers, in numbers." in content


def test_committee_member_approves_through_the_page(client, ready_coe, author, reviewer):
    document_submit(document=ready_coe, by=author)
    client.force_login(reviewer)
    response = client.post(reverse("postmortems:decide", args=[ready_coe.code]),
                           {"verdict": "approve", "reason": "Thorough."}, follow=True)
    assert "is now approved" in response.content.decode()
    assert state(ready_coe) == State.APPROVED


def test_decision_without_reason_is_refused(client, ready_coe, author, reviewer):
    document_submit(document=ready_coe, by=author)
    client.force_login(reviewer)
    response = client.post(reverse("postmortems:decide", args=[ready_coe.code]),
                           {"verdict": "approve", "reason": ""})
    assert response.status_code == 400
    assert state(ready_coe) == State.IN_REVIEW
