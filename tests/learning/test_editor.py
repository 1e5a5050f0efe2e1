"""The draft editor: add, reword (key kept) or change meaning (new key), move, retire; the lock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.lint import lint
from reviews.models import Question, Questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1():
    return Questionnaire.objects.get(kind="orr").latest_published()


@pytest.fixture
def draft(v1):
    return v1.copy_as_draft()


def edit_url(version, key):
    return reverse("learning:question_edit", args=["orr", version.number, key])


def fields(question, **changes):
    data = {"text": question.text, "help": question.help or "Guidance.", "kind": question.kind,
            "choices_text": "\n".join(question.choices), "required": "on",
            "risk_rules_text": "\n".join(f"{a}: {lv}" for a, lv in question.risk_rules.items())}
    data.update(changes)
    return data


def test_rewording_asks_and_keeps_the_key(draft, ops_lead, client):
    client.force_login(ops_lead)
    question = Question.objects.get(section__version=draft, key="customer-view")
    url = edit_url(draft, "customer-view")
    asked = client.post(url, fields(question, text="What does the service do for customers?"))
    assert asked.status_code == 400 and "Is the meaning the same?" in asked.content.decode()
    assert "What does the service do for customers?" in asked.content.decode()  # kept
    client.post(url, fields(question, text="What does the service do for customers?",
                            meaning="same"))
    question.refresh_from_db()
    assert question.key == "customer-view"
    assert question.text == "What does the service do for customers?"
    assert "reworded" in {f.rule for f in lint(draft)}


def test_changed_meaning_gets_a_new_key_and_retires_the_old(draft, ops_lead, client):
    client.force_login(ops_lead)
    question = Question.objects.get(section__version=draft, key="customer-view")
    client.post(edit_url(draft, "customer-view"),
                fields(question, text="Which customers pay for this service?", meaning="changed"))
    keys = set(draft.questions().values_list("key", flat=True))
    assert "customer-view" not in keys and "which-customers-pay-for-this-service" in keys


def test_add_move_and_retire(draft, ops_lead, client):
    client.force_login(ops_lead)
    add = reverse("learning:question_add", args=["orr", draft.number, "testing"])
    client.post(add, {"text": "Do you run game days?", "help": "Quarterly.", "kind": "yes_no",
                      "required": "on", "risk_rules_text": "no: medium"})
    question = Question.objects.get(section__version=draft, key="do-you-run-game-days")
    assert question.risk_rules == {"no": "medium"} and question.section.key == "testing"
    action = reverse("learning:question_action", args=["orr", draft.number, question.key])
    last_before = question.order
    client.post(action, {"action": "up"})
    question.refresh_from_db()
    assert question.order == last_before - 1
    client.post(action, {"action": "move", "section": "monitoring"})
    question.refresh_from_db()
    assert question.section.key == "monitoring"
    client.post(action, {"action": "retire"})
    assert not Question.objects.filter(section__version=draft, key=question.key).exists()


def test_risk_rule_naming_a_non_answer_is_refused_and_keeps_input(draft, ops_lead, client):
    client.force_login(ops_lead)
    add = reverse("learning:question_add", args=["orr", draft.number, "testing"])
    response = client.post(add, {"text": "Do you chaos-test?", "help": "h", "kind": "yes_no",
                                 "risk_rules_text": "never: high"})
    assert response.status_code == 400
    assert "is not an answer" in response.content.decode()
    assert "Do you chaos-test?" in response.content.decode()


def test_section_add_move_retire(draft, ops_lead, client):
    client.force_login(ops_lead)
    url = reverse("learning:section_action", args=["orr", draft.number])
    client.post(url, {"action": "add", "title": "Learning from incidents", "guidance": "g"})
    section = draft.sections.get(key="learning-from-incidents")
    top = section.order
    client.post(url, {"action": "up", "section": section.key})
    section.refresh_from_db()
    assert section.order == top - 1
    client.post(url, {"action": "retire", "section": section.key})
    assert not draft.sections.filter(key=section.key).exists()


def test_a_published_version_stays_locked(v1, ops_lead, client):
    client.force_login(ops_lead)
    question = Question.objects.get(section__version=v1, key="customer-view")
    response = client.post(edit_url(v1, "customer-view"),
                           fields(question, text="Changed", meaning="same"))
    assert response.status_code == 400 and "can never be edited" in response.content.decode()
    question.refresh_from_db()
    assert question.text != "Changed"


def test_only_ops_leads_edit(draft, author, client):
    client.force_login(author)
    assert client.get(edit_url(draft, "customer-view")).status_code == 403
