"""Action items follow their tracker issue: recorded GitHub, GitLab and Jira payloads."""

from __future__ import annotations

import json

import pytest

from actions.models import ActionItem
from postmortems import services as pm_services
from reviews.models import Event
from tests.integrations.conftest import make_integration, post

pytestmark = pytest.mark.django_db

GITHUB_ISSUE = "https://github.com/Codertocat/Hello-World/issues/1"
GITLAB_ISSUE = "http://example.com/diaspora/issues/23"
JIRA_ISSUE = "https://acme.atlassian.net/browse/OPS-42"


@pytest.fixture
def coe(questionnaires, checkout, author):
    import datetime as dt

    from django.utils import timezone

    return pm_services.postmortem_create(
        service=checkout, by=author, title="Checkout outage",
        incident_start=timezone.now() - dt.timedelta(days=2), incident_tz="UTC", severity=2)


def add_item(coe, author, backlog_url, **extra):
    import datetime as dt

    return pm_services.action_add(
        postmortem=coe, by=author, title="Add a circuit breaker to the ledger client",
        owner=author, due_date=dt.date.today() + dt.timedelta(days=30), priority="P2",
        backlog_url=backlog_url, **extra)


def load(name: str) -> bytes:
    from tests.integrations.conftest import payload

    return payload(name)


def test_github_closed_issue_closes_the_linked_item_with_a_note(anon, coe, author, payments):
    item = add_item(coe, author, GITHUB_ISSUE)
    other = add_item(coe, author, "https://github.com/Codertocat/Hello-World/issues/2")
    github = make_integration(payments, author, "github")

    answer = post(anon, github, load("github_issues_closed.json"))

    assert answer.status_code == 202 and answer.json()["action_items"] == [item.pk]
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.closing_note == f"Closed in GitHub by Codertocat: {GITHUB_ISSUE}"
    assert item.backlog_url == GITHUB_ISSUE  # the evidence link stays
    other.refresh_from_db()
    assert other.status == ActionItem.Status.OPEN
    change = Event.objects.get(document=coe, verb="action_status")
    assert change.data["action"] == item.pk and "open → done" in change.message
    assert "Codertocat" in change.data["note"]


def test_github_reopened_issue_reopens_the_item(anon, coe, author, payments):
    item = add_item(coe, author, GITHUB_ISSUE + "/")
    github = make_integration(payments, author, "github")
    post(anon, github, load("github_issues_closed.json"))
    reopened = load("github_issues_closed.json").replace(b'"action": "closed"',
                                                         b'"action": "reopened"')

    assert post(anon, github, reopened).status_code == 202

    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN and item.closed_at is None
    assert [e.message.split(": ")[-1] for e in
            Event.objects.filter(document=coe, verb="action_status")] == [
        "open → done", "done → open"]


def test_github_bad_signature_changes_nothing(anon, coe, author, payments):
    item = add_item(coe, author, GITHUB_ISSUE)
    github = make_integration(payments, author, "github")
    answer = post(anon, github, load("github_issues_closed.json"),
                  headers={"X-Hub-Signature-256": "sha256=" + "0" * 64, "X-GitHub-Event": "issues"})
    assert answer.status_code == 401
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    assert not Event.objects.filter(verb="action_status").exists()


def test_unknown_issue_is_ignored(anon, coe, author, payments):
    item = add_item(coe, author, "https://github.com/elsewhere/repo/issues/9")
    github = make_integration(payments, author, "github")
    answer = post(anon, github, load("github_issues_closed.json"))
    assert answer.status_code == 202 and answer.json()["action_items"] == []
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_another_teams_item_with_the_same_link_is_not_touched(anon, coe, author, platform,
                                                              reviewer):
    item = add_item(coe, author, GITHUB_ISSUE)
    theirs = make_integration(platform, reviewer, "github")
    assert post(anon, theirs, load("github_issues_closed.json")).json()["action_items"] == []
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_gitlab_close_with_the_token_closes_the_item(anon, coe, author, payments):
    item = add_item(coe, author, GITLAB_ISSUE)
    gitlab = make_integration(payments, author, "gitlab")
    body = load("gitlab_issue_close.json")

    assert post(anon, gitlab, body, headers={"X-Gitlab-Token": "wrong"}).status_code == 401
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN

    assert post(anon, gitlab, body).status_code == 202
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.closing_note.startswith("Closed in GitLab by root")


def test_jira_issue_done_closes_and_back_in_progress_reopens(anon, coe, author, payments):
    item = add_item(coe, author, JIRA_ISSUE)
    jira = make_integration(payments, author, "jira")
    body = load("jira_issue_updated_done.json")

    assert post(anon, jira, body, headers={"X-Hub-Signature": "sha256=00"}).status_code == 401
    assert post(anon, jira, body).status_code == 202
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.closing_note == f"Closed in Jira by Mia Krystof: {JIRA_ISSUE}"

    data = json.loads(body)
    data["issue"]["fields"]["status"] = {"name": "In Progress",
                                         "statusCategory": {"key": "indeterminate"}}
    data["changelog"]["items"][0].update(fromString="Done", toString="In Progress")
    assert post(anon, jira, json.dumps(data).encode()).status_code == 202
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_jira_without_a_signature_accepts_the_shared_secret_as_bearer(anon, coe, author,
                                                                     payments):
    item = add_item(coe, author, JIRA_ISSUE)
    jira = make_integration(payments, author, "jira")
    body = load("jira_issue_updated_done.json")
    assert post(anon, jira, body, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert post(anon, jira, body,
                headers={"Authorization": f"Bearer {jira.secret}"}).status_code == 202
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
