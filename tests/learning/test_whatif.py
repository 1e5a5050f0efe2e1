"""What-if before publishing: counts on a seeded set, flat queries; pages of the loop."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.whatif import what_if
from orr import services as orr_services
from reviews.models import Document, Question, Questionnaire
from tests.conftest import make_service

pytestmark = pytest.mark.django_db


def seed(team, author, n: int, tier1: int):
    """`n` services with an approved ORR on v1, `tier1` of them tier 1."""
    for i in range(n):
        service = make_service(team, tier=1 if i < tier1 else 2)
        review = orr_services.orr_start(service=service, by=author, trigger="pre_launch")
        Document.objects.filter(pk=review.pk).update(state="approved", approved_at=timezone.now())


@pytest.fixture
def draft():
    v1 = Questionnaire.objects.get(kind="orr").latest_published()
    draft = v1.copy_as_draft()
    section = draft.sections.get(key="architecture")
    for i in range(3):
        Question.objects.create(section=section, key=f"new-{i}", order=100 + i, kind="yes_no",
                                text=f"New {i}?", help="h", risk_rules={"no": "high"})
    return draft


def test_counts_on_a_seeded_set(draft, payments, author):
    seed(payments, author, n=5, tier1=2)
    result = what_if(draft)
    assert len(result.added) == 3
    assert len(result.approved_must_answer) == 5
    assert len(result.tier1_must_answer) == 2
    assert result.summary().startswith(
        f"v{draft.number} adds 3 questions; 5 approved services must answer them; 2 of them tier 1")


def test_unmapped_answers_and_new_gaps(draft, checkout, author):
    review = orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    yes_no = Question.objects.filter(section__version=review.version, kind="yes_no").first()
    answer = review.answers.get(question=yes_no)
    answer.save_if_current(base_revision=answer.revision, by=author, choice="yes", risk="none")
    gone = review.answers.select_related("question").exclude(question=yes_no).first()
    gone.save_if_current(base_revision=gone.revision, by=author, text="Answered.")
    Question.objects.filter(section__version=draft, key=gone.question.key).delete()
    Question.objects.filter(section__version=draft, key=yes_no.key).update(
        risk_rules={"yes": "medium", "no": "high"})
    row = next(r for r in what_if(draft).rows if r.document.pk == review.pk)
    assert row.unmapped == [f"{gone.question.key}: question removed"]
    assert row.new_gaps == [f"{yes_no.key}: 'yes' is now medium risk"]
    assert set(row.new_questions) == {"new-0", "new-1", "new-2"}


@pytest.mark.parametrize("n", [3, 30])
def test_whatif_page_query_count_is_flat(draft, payments, author, ops_lead, client, n,
                                          django_assert_max_num_queries):
    seed(payments, author, n=n, tier1=1)
    client.force_login(ops_lead)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("learning:whatif", args=["orr", draft.number]))
    assert response.status_code == 200
    assert f"{n} approved services must answer them" in response.content.decode()


def test_whatif_page_is_for_ops_leads(draft, client, author):
    client.force_login(author)
    assert client.get(reverse("learning:whatif", args=["orr", draft.number])).status_code == 403


def test_version_page_shows_lint_and_refuses_publish_with_errors(draft, ops_lead, client):
    Question.objects.filter(section__version=draft, key="new-0").update(risk_rules={})
    client.force_login(ops_lead)
    page = client.get(reverse("learning:version", args=["orr", draft.number])).content.decode()
    assert "risk-rule" in page
    response = client.post(reverse("learning:publish", args=["orr", draft.number]), follow=True)
    assert "cannot be published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


