import pytest
from django.urls import reverse

from orr import services
from reviews.models import Answer, Comment, State
from reviews.services import document_assign_reviewer, document_submit

from .conftest import answer_everything


def save_url(review, answer):
    return reverse("orr:answer_save", args=[review.code, answer.pk])


def post_answer(client, review, answer, revision, text):
    return client.post(
        save_url(review, answer),
        {f"q{answer.pk}-revision": revision, f"q{answer.pk}-text": text,
         f"q{answer.pk}-risk": "none"},
        HTTP_ACCEPT="application/json",
    )


def test_member_starts_an_orr_from_the_service_page(client, questionnaires, checkout, author):
    client.force_login(author)
    response = client.post(reverse("orr:start", args=[checkout.slug]), {"trigger": "pre_launch"})
    review = checkout.documents.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orr:detail", args=[review.code])


def test_outsider_cannot_start_an_orr(client, questionnaires, checkout, outsider):
    client.force_login(outsider)
    response = client.post(reverse("orr:start", args=[checkout.slug]), {"trigger": "pre_launch"})
    assert response.status_code == 403
    assert not checkout.documents.exists()


def test_other_team_cannot_see_a_draft(client, review, outsider):
    client.force_login(outsider)
    assert client.get(reverse("orr:detail", args=[review.code])).status_code == 404
    section = review.version.sections.first()
    assert client.get(reverse("orr:section", args=[review.code, section.key])).status_code == 404


def test_other_team_can_read_once_in_review_but_not_edit(client, ready_review, author, outsider):
    document_submit(document=ready_review, by=author)
    client.force_login(outsider)
    assert client.get(reverse("orr:detail", args=[ready_review.code])).status_code == 200
    answer = ready_review.answers.first()
    response = post_answer(client, ready_review, answer, answer.revision, "hijack")
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, review):
    response = client.get(reverse("orr:detail", args=[review.code]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["answer_save", "answer_comment", "answer_action",
                                  "answer_evidence", "answer_accept_risk"])
def test_answer_write_views_refuse_get(client, review, author, name):
    client.force_login(author)
    answer = review.answers.first()
    assert client.get(reverse(f"orr:{name}", args=[review.code, answer.pk])).status_code == 405


@pytest.mark.parametrize("name", ["submit", "decide", "assign", "milestone_create"])
def test_review_write_views_refuse_get(client, review, author, name):
    client.force_login(author)
    assert client.get(reverse(f"orr:{name}", args=[review.code])).status_code == 405


def test_autosave_returns_the_new_revision(client, review, author):
    client.force_login(author)
    answer = review.answers.first()
    response = post_answer(client, review, answer, 0, "Our SLA is 99.95 % monthly.")
    assert response.status_code == 200
    assert response.json()["revision"] == 1
    answer.refresh_from_db()
    assert answer.text == "Our SLA is 99.95 % monthly."


def test_concurrent_edit_gets_a_conflict_with_both_texts(client, review, author, teammate):
    answer = review.answers.first()
    client.force_login(author)
    assert post_answer(client, review, answer, 0, "Author's text").status_code == 200
    client.force_login(teammate)
    response = post_answer(client, review, answer, 0, "Teammate's text")
    assert response.status_code == 409
    body = response.json()
    assert body["theirs"]["text"] == "Author's text"
    assert body["theirs"]["updated_by"] == "author"
    assert body["mine"]["text"] == "Teammate's text"
    answer.refresh_from_db()
    assert answer.text == "Author's text"  # nothing overwritten


def test_conflict_without_javascript_keeps_both_texts_on_the_page(client, review, author, teammate):
    answer = review.answers.first()
    client.force_login(author)
    post_answer(client, review, answer, 0, "Author's text")
    client.force_login(teammate)
    response = client.post(save_url(review, answer), {
        f"q{answer.pk}-revision": 0, f"q{answer.pk}-text": "Teammate's text",
        f"q{answer.pk}-risk": "none"}, follow=True)
    content = response.content.decode()
    assert "Author&#x27;s text" in content and "Teammate&#x27;s text" in content
    assert "changed this answer meanwhile" in content


def test_na_without_reason_is_refused_and_nothing_saved(client, review, author):
    client.force_login(author)
    answer = review.answers.first()
    response = client.post(save_url(review, answer), {
        f"q{answer.pk}-revision": 0, f"q{answer.pk}-text": "x", f"q{answer.pk}-risk": "na"},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "na_reason" in response.json()["errors"]
    answer.refresh_from_db()
    assert answer.revision == 0


def test_gap_becomes_an_action_item_with_a_link_back(client, review, author, today):
    client.force_login(author)
    answer = review.answers.first()
    answer.save_if_current(base_revision=0, by=author, text="No alarm", risk=Answer.Risk.HIGH)
    response = client.post(reverse("orr:answer_action", args=[review.code, answer.pk]), {
        "title": "Alarm on checkout 5xx rate above 1% for 5 minutes", "owner": author.pk,
        "priority": "P1", "backlog_url": "https://tracker.example.com/PAY-1"}, follow=True)
    item = answer.action_items.get()
    assert item.document_id == review.pk and item.team == review.service.team
    assert item.due_date > today  # defaulted from the priority
    assert item.due_date.weekday() < 5
    assert reverse("orr:section", args=[review.code, answer.question.section.key]) in \
        response.content.decode() or response.status_code == 200


def test_decide_view_refuses_the_author(client, ready_review, author):
    document_submit(document=ready_review, by=author)
    client.force_login(author)
    response = client.post(reverse("orr:decide", args=[ready_review.code]),
                           {"verdict": "approve", "reason": "mine"})
    assert response.status_code == 403
    ready_review.refresh_from_db()
    assert ready_review.state == State.IN_REVIEW


def test_reviewer_approves_through_the_page(client, ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    client.force_login(reviewer)
    client.post(reverse("orr:decide", args=[ready_review.code]),
                {"verdict": "approve", "reason": "Evidence checked."})
    ready_review.refresh_from_db()
    assert ready_review.state == State.APPROVED


def test_submit_page_names_the_failing_gates(client, review, author):
    client.force_login(author)
    response = client.post(reverse("orr:submit", args=[review.code]), follow=True)
    content = response.content.decode()
    assert "Not submitted. Failing gates" in content
    assert "At least one reviewer assigned" in content


def _grow(review, author, reviewer, n):
    """Comments, evidence and action items on many answers."""
    answers = list(review.answers.all()[:n])
    for a in answers:
        Comment.objects.create(answer=a, author=reviewer, body="Why?")
        a.evidence.create(label="dash", url="https://dash.example.com")
        services.gap_add_action(answer=a, by=author, title=f"Alarm on queue depth {a.pk}",
                                owner=author, due_date=a.document.created_at.date(),
                                priority="P2")


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["detail", "section"])
def test_page_query_count_does_not_grow_with_data(client, ready_review, author, reviewer, page,
                                                  django_assert_max_num_queries):
    document_assign_reviewer(document=ready_review, reviewer=reviewer, by=author)
    client.force_login(author)
    section = ready_review.version.sections.first()
    args = [ready_review.code] + ([section.key] if page == "section" else [])
    url = reverse(f"orr:{page}", args=args)
    _grow(ready_review, author, reviewer, 1)
    small = _count_queries(client, url, django_assert_max_num_queries)
    _grow(ready_review, author, reviewer, 40)
    answer_everything(ready_review, author)
    with django_assert_max_num_queries(small + 2):
        assert client.get(url).status_code == 200
    assert small < 45
