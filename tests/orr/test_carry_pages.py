"""The pages of a carried ORR: marks, confirm, filter to changed answers, overview summary."""

import pytest
from django.urls import reverse

from orr import services
from reviews.models import Answer
from tests.orr.test_carry_forward import approve, last_year  # noqa: F401 (fixture)


@pytest.fixture
def this_year(last_year, checkout, author):  # noqa: F811
    return services.orr_start(service=checkout, by=author, trigger="periodic")


def test_section_page_marks_carried_answers_and_confirms_them(client, this_year, last_year,  # noqa: F811
                                                              author):
    client.force_login(author)
    answer = this_year.answers.select_related("question__section").get(
        question__key="backup-restore-practice")
    url = reverse("orr:section", args=[this_year.code, answer.question.section.key])
    page = " ".join(client.get(url).content.decode().split())
    approved = f"{last_year.approved_at:%-d %b %Y}"
    assert (f'carried from <a href="{last_year.get_absolute_url()}">{last_year.code}</a> '
            f"(approved {approved})") in page
    assert "Open action item from" in page and "Run a restore drill" in page
    client.post(reverse("orr:answer_confirm", args=[this_year.code, answer.pk]))
    answer.refresh_from_db()
    assert answer.carry_state == Answer.Carry.CONFIRMED
    response = client.post(reverse("orr:section_confirm",
                                   args=[this_year.code, answer.question.section.key]))
    assert response.status_code == 302
    assert not this_year.answers.filter(question__section=answer.question.section,
                                        carry_state=Answer.Carry.CARRIED).exists()


def test_filter_shows_changed_answers_only(client, this_year, author):
    client.force_login(author)
    answers = list(this_year.answers.select_related("question__section")
                   .filter(question__section__order=1).order_by("question__order"))
    changed = answers[0]
    changed.save_if_current(base_revision=changed.revision, by=author, text="New words.")
    url = reverse("orr:section", args=[this_year.code, changed.question.section.key])
    page = client.get(url + "?changed=1").content.decode()
    assert f'id="q{changed.pk}"' in page
    assert all(f'id="q{a.pk}"' not in page for a in answers[1:])
    assert "Side by side" in page and "New words." in page
    assert all(f'id="q{a.pk}"' in client.get(url).content.decode() for a in answers)
    # The filter stays on when the reviewer moves to another section.
    other = next(sec for sec in this_year.version.sections.all()
                 if sec.key != changed.question.section.key)
    assert reverse("orr:section", args=[this_year.code, other.key]) + "?changed=1" in page


def test_overview_summarises_changes_since_the_last_approval(client, this_year, last_year,  # noqa: F811
                                                             author):
    client.force_login(author)
    page = client.get(this_year.get_absolute_url()).content.decode()
    assert f"What changed since <a href=\"{last_year.get_absolute_url()}\">{last_year.code}</a>" \
        in page
    assert "still to confirm or change" in page
    assert "Every carried answer confirmed or changed" in page


def test_keep_accepted_risk_button(client, this_year, author):
    client.force_login(author)
    answer = this_year.answers.filter(carried_from__accepted_risk__isnull=False).first()
    client.post(reverse("orr:answer_keep_risk", args=[this_year.code, answer.pk]))
    answer.refresh_from_db()
    assert answer.accepted_risk.reason == "low traffic"


def test_print_has_an_appendix_of_changes_since_the_last_approval(this_year, last_year,  # noqa: F811
                                                                  author):
    from django.template.loader import render_to_string

    from orr.printing import PRINT_TEMPLATE, orr_print_context

    answer = this_year.answers.select_related("question").get(
        question__key="backup-restore-practice")
    answer.save_if_current(base_revision=answer.revision, by=author,
                           text="Restored **weekly** since March.")
    html = render_to_string(PRINT_TEMPLATE, orr_print_context(this_year))
    appendix = html[html.index('id="changes-since"'):]
    assert f"Appendix: changes since {last_year.code}" in appendix
    assert "Restores are not practised yet." in appendix
    assert "Restored <strong>weekly</strong> since March." in appendix
    assert "1 changed" in appendix
    first = render_to_string(PRINT_TEMPLATE, orr_print_context(last_year))
    assert "Appendix: changes since" not in first


def test_overview_for_reviewers(client, last_year, author, reviewer, django_user_model):  # noqa: F811
    """Approved: no red gap badges for addressed gaps; accepted risks say until when; the
    assigned reviewer is not offered again."""
    from reviews.forms import AssignReviewerForm

    client.force_login(author)
    page = client.get(last_year.get_absolute_url()).content.decode()
    assert "open gap" not in page
    assert "gaps addressed" in page or "gap addressed" in page
    assert "accepted until" in page
    assert reviewer not in AssignReviewerForm(document=last_year).fields["reviewer"].queryset


def test_overview_explains_the_approval_rule_before_the_first_approval(client, this_year,
                                                                       author):
    client.force_login(author)
    page = client.get(this_year.get_absolute_url()).content.decode()
    assert "Needs an approval from a reviewer outside Payments" in page
