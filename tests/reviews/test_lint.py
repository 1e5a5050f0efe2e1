"""The questionnaire lint: each rule failing and passing; publishing refuses an error."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from reviews.lint import lint
from reviews.models import Question, Questionnaire, QuestionnaireVersion, Section

pytestmark = pytest.mark.django_db



@pytest.fixture
def draft():
    # The shipped ORR v1 is loaded for the session; lint a fresh questionnaire's draft beside it.
    questionnaire = Questionnaire.objects.get(kind="orr")
    number = questionnaire.versions.order_by("-number").first().number + 1
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number)
    section = Section.objects.create(version=version, key="ops", order=1, title="Ops",
                                     guidance="")
    Question.objects.create(section=section, key="new-alarm", order=1, kind="yes_no",
                            text="Do you alarm on it?", help="An alarm pages a human.",
                            risk_rules={"no": "high"})
    return version


def rules_of(version) -> set[str]:
    return {finding.rule for finding in lint(version)}


def only_question(version) -> Question:
    return Question.objects.get(section__version=version)


def test_clean_draft_has_no_findings(draft):
    assert lint(draft) == []


def test_unique_keys(draft):
    section = Section.objects.create(version=draft, key="more", order=2, title="More",
                                     guidance="g")
    Question.objects.create(section=section, key="new-alarm", order=1, text="Again?", help="h")
    assert "unique-keys" in rules_of(draft)
    Question.objects.filter(section=section).update(key="other-key")
    assert "unique-keys" not in rules_of(draft)


def test_guidance_required(draft):
    Question.objects.filter(section__version=draft).update(help="")
    assert "guidance" in rules_of(draft)
    Section.objects.filter(version=draft).update(guidance="Section-wide guidance counts.")
    assert "guidance" not in rules_of(draft)


def test_risk_rule_required(draft):
    Question.objects.filter(section__version=draft).update(risk_rules={})
    assert "risk-rule" in rules_of(draft)
    Question.objects.filter(section__version=draft).update(risk_rules={"no": "medium"})
    assert "risk-rule" not in rules_of(draft)


def test_named_risk_level_reachable(draft):
    Question.objects.filter(section__version=draft).update(
        kind="choice", choices=["daily", "weekly"], risk_rules={"never": "high", "weekly": "medium"}
    )
    findings = [f for f in lint(draft) if f.rule == "risk-levels-reachable"]
    assert len(findings) == 1 and "'high'" in findings[0].message
    Question.objects.filter(section__version=draft).update(
        choices=["daily", "weekly", "never"]
    )
    assert "risk-levels-reachable" not in rules_of(draft)


def test_choice_in_one_level(draft):
    Question.objects.filter(section__version=draft).update(
        kind="choice", choices=["Never", "daily"], risk_rules={"never": "high", "Never ": "none"}
    )
    assert "choice-in-one-level" in rules_of(draft)
    Question.objects.filter(section__version=draft).update(risk_rules={"never": "high"})
    assert "choice-in-one-level" not in rules_of(draft)


def test_no_empty_section(draft):
    Section.objects.create(version=draft, key="empty", order=2, title="Empty", guidance="g")
    assert "no-empty-section" in rules_of(draft)
    Section.objects.filter(version=draft, key="empty").delete()
    assert "no-empty-section" not in rules_of(draft)


def test_reworded_question_is_a_warning_not_an_error():
    v1 = Questionnaire.objects.get(kind="orr").latest_published()
    draft = v1.copy_as_draft()
    assert "reworded" not in rules_of(draft)
    Question.objects.filter(section__version=draft, key="customer-view").update(
        text="What does your service do for customers?"
    )
    reworded = [f for f in lint(draft) if f.rule == "reworded"]
    assert len(reworded) == 1 and not reworded[0].is_error
    assert reworded[0].where.endswith("customer-view")


def test_retired_key_not_reused():
    v1 = Questionnaire.objects.get(kind="orr").latest_published()
    v2 = v1.copy_as_draft()
    Question.objects.filter(section__version=v2, key="customer-view").delete()
    v2.publish()
    v3 = v2.copy_as_draft()
    assert "retired-key-reused" not in rules_of(v3)
    section = v3.sections.order_by("order").first()
    Question.objects.create(section=section, key="customer-view", order=99,
                            text="A different meaning", help="h")
    findings = [f for f in lint(v3) if f.rule == "retired-key-reused"]
    assert findings and findings[0].is_error and f"v{v2.number}" in findings[0].message


def test_publish_refused_with_a_lint_error(draft):
    Question.objects.filter(section__version=draft).update(risk_rules={})
    with pytest.raises(ValidationError) as refused:
        draft.publish()
    assert "risk-rule" in " ".join(refused.value.messages)
    draft.refresh_from_db()
    assert draft.status == "draft"
    Question.objects.filter(section__version=draft).update(risk_rules={"no": "high"})
    draft.publish()
    assert draft.status == "published"


def test_publish_command_refuses_a_lint_error(draft):
    from django.core.management import CommandError

    Question.objects.filter(section__version=draft).update(help="")
    with pytest.raises(CommandError, match="guidance"):
        call_command("publish_questionnaire", "orr", str(draft.number))


def test_admin_publish_action_refuses_a_lint_error(draft, admin_client):
    Question.objects.filter(section__version=draft).update(help="")
    response = admin_client.post(
        "/admin/reviews/questionnaireversion/",
        {"action": "publish", "_selected_action": [draft.pk]}, follow=True,
    )
    assert "cannot be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_lint_command_exit_status(draft, capsys):
    call_command("lint_questionnaire", f"orr:{draft.number}")
    assert "0 error(s)" in capsys.readouterr().out
    Question.objects.filter(section__version=draft).update(help="")
    with pytest.raises(SystemExit) as exited:
        call_command("lint_questionnaire", str(draft.number))
    assert exited.value.code == 1
    assert "guidance" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["orr", "coe"])
def test_shipped_v1_passes_the_lint(kind):
    v1 = Questionnaire.objects.get(kind=kind).latest_published()
    assert [f for f in lint(v1) if f.is_error] == []


def test_missing_guidance_is_an_error_for_orr_and_a_warning_for_coe(draft):
    Question.objects.filter(section__version=draft).update(help="")
    assert [(f.rule, f.level) for f in lint(draft)] == [("guidance", "error")]
    coe = Questionnaire.objects.get(kind="coe")
    number = coe.versions.order_by("-number").first().number + 1
    version = QuestionnaireVersion.objects.create(questionnaire=coe, number=number)
    section = Section.objects.create(version=version, key="impact", order=1, title="Impact")
    Question.objects.create(section=section, key="impact-told", order=1, kind="markdown",
                            text="Discuss customer-impact during the event.")
    assert [(f.rule, f.level) for f in lint(version)] == [("guidance", "warning")]
    version.publish()
    assert version.status == "published"
