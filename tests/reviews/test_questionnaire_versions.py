"""Versioned questionnaires: loading from YAML, the published-version lock, commands and admin."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reviews.admin import LOCKED_NOTE
from reviews.loading import (
    QuestionnaireFileError,
    dump_version,
    load_questionnaire_file,
    parse_questionnaire,
)
from reviews.models import (
    PublishedVersionLocked,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)

REPO = Path(__file__).resolve().parents[2]
ORR_V1 = REPO / "fixtures" / "orr" / "v1.yaml"
COE_V1 = REPO / "fixtures" / "coe" / "v1.yaml"
FIRST_QUESTION = "Describe what your service does from the customer’s point of view."
DRAFT = QuestionnaireVersion.Status.DRAFT
PUBLISHED = QuestionnaireVersion.Status.PUBLISHED


def counts() -> tuple[int, int, int]:
    return (
        QuestionnaireVersion.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
    )


def variant(tmp_path: Path, *, version: int | None = None, status: str | None = None,
            replace: tuple[str, str] | None = None) -> Path:
    """A copy of the ORR v1 file with a new version number, status or question text."""
    text = ORR_V1.read_text(encoding="utf-8")
    if version is not None:
        text = text.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)
    if status is not None:
        text = text.replace("\nstatus: published\n", f"\nstatus: {status}\n", 1)
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace, 1)
    path = tmp_path / f"orr-{version or 1}-{status or 'same'}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_questionnaires(db):
    """These tests load files themselves, so they start without the preloaded versions.

    The published-version lock refuses deletes by design; raw SQL inside the test's
    transaction (rolled back afterwards) is the one way around it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("reviews_question", "reviews_section", "reviews_questionnaireversion",
                      "reviews_questionnaire"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


@pytest.fixture
def orr_v1(db) -> QuestionnaireVersion:
    version, created = load_questionnaire_file(ORR_V1)
    assert created
    return version


@pytest.fixture
def published_question(orr_v1) -> Question:
    return Question.objects.get(section__version=orr_v1, key="customer-view")


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


# --- loading --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_v1_fixtures_load_as_published_questionnaires():
    orr, _ = load_questionnaire_file(ORR_V1)
    coe, _ = load_questionnaire_file(COE_V1)
    assert (orr.status, coe.status) == (PUBLISHED, PUBLISHED)
    assert orr.published_at is not None
    assert orr.sections.count() == 9
    assert orr.questions().count() == 93
    assert orr.questions().first().text == FIRST_QUESTION
    assert Questionnaire.objects.get(kind="coe").latest_published() == coe
    assert len(orr.source_digest) == 64


_SECURITY = ("        kind: yes_no\n        help: Security needs its own, in-depth review; "
             "this ORR does not replace it.\n")
# The security review question without its risk rule: a lint error ([risk-rule]).
NO_RISK_RULE = (_SECURITY + "        risk_rules:\n          'no': high\n", _SECURITY)


def test_a_published_file_goes_through_the_lint_and_an_error_refuses_it(orr_v1, tmp_path):
    path = variant(tmp_path, version=2, replace=NO_RISK_RULE)
    before = counts()
    with pytest.raises(QuestionnaireFileError) as refused:
        load_questionnaire_file(path)
    assert "cannot be published: the lint found 1 error(s)" in str(refused.value)
    assert "service-definition/security-review" in str(refused.value)
    assert "[risk-rule]" in str(refused.value)
    assert counts() == before
    # The same file as a draft loads: the lint stands between a draft and publishing.
    draft, _ = load_questionnaire_file(variant(tmp_path, version=2, status="draft",
                                               replace=NO_RISK_RULE))
    assert draft.status == DRAFT


@pytest.mark.django_db
def test_loading_the_same_file_again_is_a_no_op(orr_v1):
    before = counts()
    version, created = load_questionnaire_file(ORR_V1)
    assert (version.pk, created) == (orr_v1.pk, False)
    assert counts() == before


@pytest.mark.django_db
def test_load_command_reports_created_then_unchanged():
    first = run("load_questionnaire", str(ORR_V1), str(COE_V1))
    assert "created: orr v1 (published)" in first
    assert "created: coe v1 (published)" in first
    again = run("load_questionnaire", str(ORR_V1), str(COE_V1))
    assert "unchanged: orr v1" in again and "unchanged: coe v1" in again


@pytest.mark.django_db
def test_reformatted_file_with_the_same_content_is_unchanged(orr_v1, tmp_path):
    # The digest covers content, not comments, quoting or key order.
    path = tmp_path / "dumped.yaml"
    path.write_text(dump_version(orr_v1), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != ORR_V1.read_text(encoding="utf-8")
    assert load_questionnaire_file(path) == (orr_v1, False)


@pytest.mark.django_db
def test_changed_file_with_the_same_version_number_is_refused(orr_v1, tmp_path):
    path = variant(tmp_path, replace=(FIRST_QUESTION, "Describe your service."))
    before = counts()
    with pytest.raises(QuestionnaireFileError) as exc:
        load_questionnaire_file(path)
    assert ("version 1 of orr is already loaded from different content; "
            "give the file a new version number") in str(exc.value)
    assert counts() == before
    assert orr_v1.questions().first().text == FIRST_QUESTION


@pytest.mark.django_db
def test_load_command_turns_a_refusal_into_a_command_error(orr_v1, tmp_path):
    path = variant(tmp_path, replace=(FIRST_QUESTION, "Describe your service."))
    with pytest.raises(CommandError, match="already loaded from different content"):
        run("load_questionnaire", str(path))


@pytest.mark.django_db
def test_changed_file_with_a_new_version_number_is_loaded_as_a_draft(orr_v1, tmp_path):
    path = variant(tmp_path, version=2, status="draft",
                   replace=(FIRST_QUESTION, "Describe your service."))
    version, created = load_questionnaire_file(path)
    assert created
    assert (version.number, version.status, version.published_at) == (2, DRAFT, None)
    assert version.questions().first().text == "Describe your service."
    assert orr_v1.questions().first().text == FIRST_QUESTION
    assert Questionnaire.objects.get(kind="orr").latest_published() == orr_v1


@pytest.mark.django_db
def test_a_file_without_status_is_loaded_as_a_draft(tmp_path):
    text = ORR_V1.read_text(encoding="utf-8").replace("\nstatus: published\n", "\n", 1)
    path = tmp_path / "no-status.yaml"
    path.write_text(text, encoding="utf-8")
    version, _ = load_questionnaire_file(path)
    assert version.status == DRAFT


@pytest.mark.django_db
def test_new_version_that_says_published_is_published_on_load(orr_v1, tmp_path):
    version, _ = load_questionnaire_file(variant(tmp_path, version=2))
    assert version.status == PUBLISHED
    assert Questionnaire.objects.get(kind="orr").latest_published() == version


@pytest.mark.django_db
def test_version_made_outside_a_file_is_never_overwritten_by_one(orr_v1, tmp_path):
    orr_v1.copy_as_draft()
    with pytest.raises(QuestionnaireFileError, match="was not loaded from a file"):
        load_questionnaire_file(variant(tmp_path, version=2, status="draft"))


BROKEN = """\
questionnaire: orr
name: Broken
version: 1
sections:
  - key: basics
    title: Basics
    widget: gallery
    questions:
      - key: sla
        text: What is the SLA of the service?
        kind: bool
      - key: sla
        text: Duplicate key.
      - key: goals
        requried: true
  - key: basics
    title: Again
    questions: []
"""


def test_invalid_file_lists_every_problem_by_section_and_question():
    with pytest.raises(QuestionnaireFileError) as exc:
        parse_questionnaire(BROKEN, "broken.yaml")
    message = str(exc.value)
    assert message.startswith("broken.yaml: ")
    assert "section #1 'basics': unknown widget 'gallery'" in message
    assert "section #1 'basics', question #1 'sla': unknown kind 'bool'" in message
    assert "duplicate question key 'sla'" in message
    assert "question #3 'goals': unknown key 'requried'" in message
    assert "question #3 'goals': missing 'text'" in message
    assert "duplicate section key 'basics'" in message


@pytest.mark.django_db
def test_invalid_file_creates_nothing(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(QuestionnaireFileError):
        load_questionnaire_file(path)
    assert counts() == (0, 0, 0)
    assert not Questionnaire.objects.exists()


def test_risk_rules_for_answers_a_question_cannot_have_are_refused():
    text = BROKEN.replace("widget: gallery", "widget: questions").replace(
        "kind: bool", "kind: yes_no\n        risk_rules: {maybe: high, no: severe}"
    )
    with pytest.raises(QuestionnaireFileError) as exc:
        parse_questionnaire(text, "risks.yaml")
    assert "risk rule for unknown answer 'maybe'" in str(exc.value)
    assert "unknown risk 'severe'" in str(exc.value)


def test_bare_yes_and_no_in_risk_rules_mean_the_answers_not_booleans():
    # YAML 1.1 reads a bare `no` as false; editors should not have to quote it.
    text = BROKEN.split("      - key: sla\n        text: Duplicate key.")[0].replace(
        "widget: gallery", "widget: questions"
    ).replace("kind: bool", "kind: yes_no\n        risk_rules: {no: high, yes: none}")
    data = parse_questionnaire(text, "bare.yaml")
    assert data["sections"][0]["questions"][0]["risk_rules"] == {"no": "high", "yes": "none"}


# --- the published-version lock -------------------------------------------------------------


@pytest.mark.django_db
def test_editing_a_published_question_is_refused(published_question):
    published_question.text = "Something else"
    with pytest.raises(PublishedVersionLocked) as exc:
        published_question.save()
    assert "is published and can never be edited" in exc.value.messages[0]
    assert "Copy it to a new draft version" in exc.value.messages[0]
    published_question.refresh_from_db()
    assert published_question.text == FIRST_QUESTION


@pytest.mark.django_db
def test_adding_a_question_to_a_published_section_is_refused(orr_v1):
    section = orr_v1.sections.first()
    with pytest.raises(PublishedVersionLocked, match="can never be edited"):
        Question.objects.create(section=section, key="new", order=99, text="New?")
    assert not Question.objects.filter(key="new").exists()


@pytest.mark.django_db
def test_bulk_update_of_published_questions_is_refused(orr_v1):
    with pytest.raises(PublishedVersionLocked, match="can never be edited"):
        Question.objects.filter(section__version=orr_v1).update(text="Rewritten")
    assert not Question.objects.filter(text="Rewritten").exists()


@pytest.mark.django_db
def test_deleting_published_questions_sections_or_versions_is_refused(published_question):
    version = published_question.section.version
    with pytest.raises(PublishedVersionLocked, match="can never be edited"):
        published_question.delete()
    with pytest.raises(PublishedVersionLocked):
        Question.objects.filter(section__version=version).delete()
    with pytest.raises(PublishedVersionLocked):
        published_question.section.delete()
    with pytest.raises(PublishedVersionLocked):
        version.delete()
    assert version.questions().count() == 93


@pytest.mark.django_db
def test_editing_published_version_guidance_is_refused(orr_v1):
    orr_v1.guidance = "Rewritten"
    with pytest.raises(PublishedVersionLocked):
        orr_v1.save()


@pytest.mark.django_db
def test_copy_edit_publish_makes_a_new_version_and_leaves_v1_alone(orr_v1):
    draft = orr_v1.copy_as_draft(changelog="Clarify the first question.")
    assert (draft.number, draft.status) == (2, DRAFT)
    question = Question.objects.get(section__version=draft, key="customer-view")
    question.text = "Describe what your service does for its customers."
    question.save()
    Question.objects.create(
        section=draft.sections.get(key="testing"), key="chaos", order=99,
        text="Do you run chaos experiments?", kind="yes_no", risk_rules={"no": "medium"},
    )
    draft.publish()
    draft.refresh_from_db()
    assert draft.status == PUBLISHED and draft.published_at is not None
    assert draft.questions().count() == 94
    assert orr_v1.questions().count() == 93
    assert orr_v1.questions().get(key="customer-view").text == FIRST_QUESTION
    assert Questionnaire.objects.get(kind="orr").latest_published() == draft


# --- commands -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_command_publishes_a_draft(orr_v1, tmp_path):
    load_questionnaire_file(variant(tmp_path, version=2, status="draft"))
    assert "published: orr v2" in run("publish_questionnaire", "orr", "2")
    assert QuestionnaireVersion.objects.get(number=2).status == PUBLISHED


@pytest.mark.django_db
def test_publish_command_refuses_missing_and_already_published_versions(orr_v1):
    with pytest.raises(CommandError, match=r"no version 5 of 'orr' \(versions: 1\)"):
        run("publish_questionnaire", "orr", "5")
    with pytest.raises(CommandError, match="already published"):
        run("publish_questionnaire", "orr", "1")


@pytest.mark.django_db
def test_copy_command_prints_the_new_draft_number(orr_v1):
    output = run("copy_questionnaire", "orr", "1")
    assert "created draft: orr v2 (copied from v1)" in output
    copy = QuestionnaireVersion.objects.get(questionnaire__kind="orr", number=2)
    assert copy.status == DRAFT
    assert copy.questions().count() == 93


@pytest.mark.django_db
def test_dump_command_writes_a_file_that_loads_back_unchanged(orr_v1, tmp_path):
    path = tmp_path / "orr-v1.yaml"
    run("dump_questionnaire", "orr", "1", "--output", str(path))
    text = path.read_text(encoding="utf-8")
    assert "status: draft" in text  # a dump starts a new version; publishing stays deliberate
    assert load_questionnaire_file(path) == (orr_v1, False)
    with pytest.raises(CommandError, match="exists"):
        run("dump_questionnaire", "orr", "1", "--output", str(path))


@pytest.mark.django_db
def test_dumped_version_edited_as_a_new_version_loads_as_a_draft(orr_v1, tmp_path):
    text = dump_version(orr_v1).replace("\nversion: 1\n", "\nversion: 2\n", 1)
    path = tmp_path / "orr-v2.yaml"
    path.write_text(text.replace(FIRST_QUESTION, "Describe it."), encoding="utf-8")
    version, created = load_questionnaire_file(path)
    assert created and version.status == DRAFT
    assert version.questions().first().text == "Describe it."


# --- admin ----------------------------------------------------------------------------------


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.mark.django_db
def test_admin_shows_a_published_question_read_only(admin_client_logged_in, published_question):
    response = admin_client_logged_in.get(change_url(published_question))
    assert response.status_code == 200
    html = response.content.decode()
    assert LOCKED_NOTE in html
    assert 'name="text"' not in html
    assert FIRST_QUESTION in html


@pytest.mark.django_db
def test_admin_post_does_not_change_a_published_question(admin_client_logged_in,
                                                         published_question):
    response = admin_client_logged_in.post(change_url(published_question), {
        "section": published_question.section_id, "key": "customer-view", "order": 1,
        "text": "Hijacked", "kind": "markdown", "required": "on", "choices": "[]",
        "risk_rules": "{}",
    })
    assert response.status_code == 403
    published_question.refresh_from_db()
    assert published_question.text == FIRST_QUESTION


@pytest.mark.django_db
def test_admin_published_version_has_no_section_add_or_delete(admin_client_logged_in, orr_v1):
    html = admin_client_logged_in.get(change_url(orr_v1)).content.decode()
    assert LOCKED_NOTE in html
    assert 'name="sections-MAX_NUM_FORMS" value="0"' in html  # no rows can be added
    assert 'name="sections-0-title"' not in html  # rows are shown, not editable
    assert "sections-0-DELETE" not in html


@pytest.mark.django_db
def test_admin_edits_a_draft_question(admin_client_logged_in, orr_v1):
    draft = orr_v1.copy_as_draft()
    question = Question.objects.get(section__version=draft, key="customer-view")
    html = admin_client_logged_in.get(change_url(question)).content.decode()
    assert 'name="text"' in html and LOCKED_NOTE not in html
    response = admin_client_logged_in.post(change_url(question), {
        "section": question.section_id, "key": "customer-view", "order": 1,
        "text": "Edited in the draft", "kind": "markdown", "required": "on", "choices": "[]",
        "risk_rules": "{}",
    })
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Edited in the draft"


@pytest.mark.django_db
def test_admin_refuses_adding_a_section_to_a_published_version(admin_client_logged_in, orr_v1):
    response = admin_client_logged_in.post(reverse("admin:reviews_section_add"), {
        "version": orr_v1.pk, "key": "extra", "order": 10, "title": "Extra",
        "widget": "questions", "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200  # the form again, with an error; not a 500
    assert response.context["adminform"].form.errors
    assert not Section.objects.filter(key="extra").exists()


@pytest.mark.django_db
def test_admin_question_form_reports_the_lock_as_a_form_error(orr_v1):
    from reviews.admin import QuestionForm

    draft = orr_v1.copy_as_draft()
    question = Question.objects.get(section__version=draft, key="customer-view")
    form = QuestionForm(instance=question, data={
        "section": question.section_id, "key": question.key, "order": 1, "text": "Late edit",
        "kind": "markdown", "required": "on", "choices": "[]", "risk_rules": "{}",
    })
    draft.publish()  # published while the form was open
    assert not form.is_valid()
    assert "can never be edited" in form.non_field_errors()[0]


@pytest.mark.django_db
def test_admin_copy_action_creates_a_draft(admin_client_logged_in, orr_v1):
    response = admin_client_logged_in.post(
        reverse("admin:reviews_questionnaireversion_changelist"),
        {"action": "copy_as_draft", "_selected_action": [orr_v1.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = QuestionnaireVersion.objects.get(questionnaire=orr_v1.questionnaire, number=2)
    assert copy.status == DRAFT
    assert copy.questions().count() == 93
    assert "Created draft Operational Readiness Review v2" in response.content.decode()


@pytest.mark.django_db
def test_admin_publish_action_publishes_drafts_and_reports_refusals(admin_client_logged_in,
                                                                    orr_v1):
    draft = orr_v1.copy_as_draft()
    response = admin_client_logged_in.post(
        reverse("admin:reviews_questionnaireversion_changelist"),
        {"action": "publish", "_selected_action": [orr_v1.pk, draft.pk]},
        follow=True,
    )
    html = response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert "Published Operational Readiness Review v2." in html
    assert "Operational Readiness Review v1 is already published." in html


@pytest.mark.django_db
def test_admin_event_log_cannot_be_added_to(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:reviews_event_add"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_pages_render_for_drafts_and_published_versions(admin_client_logged_in, orr_v1):
    draft = orr_v1.copy_as_draft()
    pages = [reverse(f"admin:reviews_{name}_changelist") for name in (
        "questionnaire", "questionnaireversion", "section", "question", "document", "answer",
        "decision", "event",
    )]
    pages += [reverse(f"admin:reviews_{name}_add") for name in (
        "questionnaire", "questionnaireversion", "section", "question",
    )]
    for version in (orr_v1, draft):
        section = version.sections.first()
        pages += [change_url(version.questionnaire), change_url(version), change_url(section),
                  change_url(section.questions.first())]
    for page in pages:
        assert admin_client_logged_in.get(page).status_code == 200, page
