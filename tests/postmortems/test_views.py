import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orr import services as orr_services
from postmortems import services
from postmortems.models import ContributingFactor
from reviews.models import Document
from reviews.services import document_submit

from .conftest import add_action, add_event, make_coe


def url(name, coe, *args):
    return reverse(f"postmortems:{name}", args=[coe.code, *args])


# --- permissions --------------------------------------------------------------------------

def test_outsider_gets_404_on_a_draft(client, coe, outsider):
    client.force_login(outsider)
    assert client.get(url("detail", coe)).status_code == 404
    assert client.get(url("history", coe)).status_code == 404


def test_outsider_reads_a_submitted_coe_but_cannot_write(client, ready_coe, author, outsider):
    document_submit(document=ready_coe, by=author)
    client.force_login(outsider)
    assert client.get(url("detail", ready_coe)).status_code == 200
    assert client.post(url("timeline_add", ready_coe), {}).status_code == 403
    assert client.post(url("submit", ready_coe)).status_code == 403
    assert client.post(url("decide", ready_coe),
                       {"verdict": "approve", "reason": "x"}).status_code == 403


def test_restricted_coe_is_hidden_from_outsiders_even_in_review(client, ready_coe, author,
                                                                outsider, ops_lead, reviewer):
    Document.objects.filter(pk=ready_coe.pk).update(state="in_review")
    type(ready_coe).objects.filter(pk=ready_coe.pk).update(restricted=True)
    for user, status in [(outsider, 404), (ops_lead, 404), (reviewer, 200), (author, 200)]:
        client.force_login(user)
        assert client.get(url("detail", ready_coe)).status_code == status, user


WRITE_VIEWS = [("timeline_add", False), ("factor_add", False), ("lesson_add", False),
               ("submit", False), ("decide", False), ("answer_save", True),
               ("timeline_delete", True), ("factor_why", True), ("factor_delete", True),
               ("factor_accept", True), ("lesson_delete", True), ("lesson_link", True)]


@pytest.mark.parametrize("name,with_pk", WRITE_VIEWS)
def test_write_views_refuse_get(client, coe, author, name, with_pk):
    client.force_login(author)
    assert client.get(url(name, coe, *([1] if with_pk else []))).status_code == 405


@pytest.mark.parametrize("name,with_pk", WRITE_VIEWS)
def test_outsider_post_to_a_draft_is_404(client, ready_coe, outsider, name, with_pk):
    pk = ready_coe.factors.get().pk
    client.force_login(outsider)
    response = client.post(url(name, ready_coe, *([pk] if with_pk else [])), {})
    assert response.status_code == 404


def test_outsider_cannot_open_the_action_form_or_edit(client, coe, outsider):
    client.force_login(outsider)
    assert client.get(url("action_new", coe)).status_code == 404
    assert client.get(url("edit", coe)).status_code == 404


def test_reviewer_sees_the_draft_but_cannot_edit(client, coe, author, reviewer):
    services.document_assign_reviewer(document=coe, reviewer=reviewer, by=author)
    client.force_login(reviewer)
    assert client.get(url("detail", coe)).status_code == 200
    assert client.post(url("factor_add", coe), {"category": "technical",
                                                "text": "x"}).status_code == 403


def test_teammate_edits_but_nothing_after_submit(client, ready_coe, author, teammate):
    client.force_login(teammate)
    assert client.post(url("lesson_add", ready_coe), {"text": "Cap pools."}).status_code == 302
    document_submit(document=ready_coe, by=author)
    assert client.post(url("lesson_add", ready_coe), {"text": "More"}).status_code == 403


# --- answers ------------------------------------------------------------------------------

def post_answer(client, coe, answer, revision, text):
    return client.post(url("answer_save", coe, answer.pk), {
        f"q{answer.pk}-revision": revision, f"q{answer.pk}-text": text,
        f"q{answer.pk}-risk": "", f"q{answer.pk}-na_reason": ""},
        HTTP_ACCEPT="application/json")


def test_autosave_json_contract(client, coe, author, teammate):
    answer = coe.answers.get(question__key="summary")
    client.force_login(author)
    ok = post_answer(client, coe, answer, 0, "Checkout failed for 55 minutes.")
    assert ok.status_code == 200
    assert ok.json()["ok"] is True and ok.json()["revision"] == 1 and ok.json()["saved_at"]
    client.force_login(teammate)
    conflict = post_answer(client, coe, answer, 0, "Teammate's text")
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["conflict"] is True
    assert body["theirs"]["text"] == "Checkout failed for 55 minutes."
    assert body["mine"]["text"] == "Teammate's text"
    bad = post_answer(client, coe, answer, "x", "text")
    assert bad.status_code == 400 and "revision" in bad.json()["errors"]
    answer.refresh_from_db()
    assert answer.text == "Checkout failed for 55 minutes."
    assert coe.events.filter(verb="answer_saved").exists()


def test_answer_of_another_document_is_404(client, coe, author):
    other = make_coe(coe.service, author, title="Another incident").answers.first()
    client.force_login(author)
    assert post_answer(client, coe, other, other.revision, "x").status_code == 404


# --- the page -----------------------------------------------------------------------------

def test_page_shows_every_section_in_order_with_guidance(client, coe, author):
    client.force_login(author)
    content = client.get(url("detail", coe)).content.decode()
    titles = [s.title for s in coe.version.sections.all()]
    positions = [content.index(f">{t}</h2>") for t in titles]
    assert positions == sorted(positions)
    assert "How to write a good postmortem: DOs, DON’Ts and biases" in content
    assert "The hindsight bias" in content
    assert "NEVER stop at human errors" in content
    assert "Europe/Helsinki" in content


def test_orr_question_shows_no_approved_orr(client, coe, author):
    client.force_login(author)
    content = client.get(url("detail", coe)).content.decode()
    assert "Checkout API has no approved ORR." in content


def test_orr_question_shows_the_latest_approved_orr(client, coe, author, reviewer):
    review = orr_services.orr_start(service=coe.service, by=author, trigger="pre_launch")
    Document.objects.filter(pk=review.pk).update(state="approved", approved_at=coe.created_at)
    client.force_login(author)
    content = client.get(url("detail", coe)).content.decode()
    assert f'href="{review.get_absolute_url()}">{review.code}</a>' in content
    assert f"approved {coe.created_at:%-d %b %Y}" in content


def test_blame_findings_show_inline_with_a_suggestion(client, ready_coe, author):
    factor = ready_coe.factors.get()
    services.factor_add(postmortem=ready_coe, by=author, parent=factor, category="technical",
                        text="The engineer should have checked the dashboard.")
    client.force_login(author)
    content = client.get(url("detail", ready_coe)).content.decode()
    assert "Blocks submit" in content and "Try:" in content
    assert "“should have checked”" in content or "should have" in content


def test_ask_why_adds_a_child(client, ready_coe, author):
    root = ready_coe.factors.get()
    client.force_login(author)
    response = client.post(url("factor_why", ready_coe, root.pk),
                           {"category": "tooling", "text": "No lint for pool size."})
    child = root.children.get()
    assert response["Location"].endswith(f"#factor-{child.pk}")
    assert child.category == "tooling"
    assert ready_coe.events.filter(verb="factor_added").count() == 2


def test_invalid_why_keeps_the_input_and_explains(client, ready_coe, author):
    root = ready_coe.factors.get()
    client.force_login(author)
    response = client.post(url("factor_why", ready_coe, root.pk),
                           {"category": "nonsense", "text": "Kept text"})
    assert response.status_code == 400
    assert "Kept text" in response.content.decode()


def test_accept_and_delete_through_the_page(client, ready_coe, author):
    leaf = services.factor_add(postmortem=ready_coe, by=author, category="external",
                               text="The cloud region had a network event.",
                               parent=ready_coe.factors.get())
    client.force_login(author)
    client.post(url("factor_accept", ready_coe, leaf.pk),
                {"reason": "Outside our control; multi-region is already planned."})
    leaf.refresh_from_db()
    assert leaf.accepted_reason.startswith("Outside our control")
    client.post(url("factor_delete", ready_coe, leaf.pk))
    assert not ContributingFactor.objects.filter(pk=leaf.pk).exists()


def test_action_from_a_factor_refuses_a_vague_title(client, ready_coe, author):
    factor = ready_coe.factors.get()
    client.force_login(author)
    form_url = url("action_new", ready_coe) + f"?factor={factor.pk}"
    assert client.get(form_url).status_code == 200
    response = client.post(url("action_new", ready_coe), {
        "factor": factor.pk, "title": "Improve documentation", "owner": author.pk,
        "priority": "P2"})
    assert response.status_code == 200
    assert factor.action_items.count() == 1  # only the one from complete()
    response = client.post(url("action_new", ready_coe), {
        "factor": factor.pk, "title": "Alarm when pool usage exceeds 80 % for 5 minutes",
        "owner": author.pk, "priority": "P1"})
    assert response.status_code == 302
    item = factor.action_items.latest("pk")
    assert item.document_id == ready_coe.pk and item.team == ready_coe.service.team


def test_lesson_with_action_item_and_link(client, ready_coe, author):
    client.force_login(author)
    client.post(url("lesson_add", ready_coe), {"text": "Pool limits belong in code review."})
    lesson = ready_coe.lessons.get()
    client.post(url("action_new", ready_coe), {
        "lesson": lesson.pk, "title": "Add pool size check to the service template CI",
        "owner": author.pk, "priority": "P2"})
    assert lesson.action_items.count() == 1
    existing = ready_coe.factors.get().action_items.get()
    client.post(url("lesson_link", ready_coe, lesson.pk), {"item": existing.pk})
    assert lesson.action_items.count() == 2


def test_history_lists_events(client, ready_coe, author):
    client.force_login(author)
    content = client.get(url("history", ready_coe)).content.decode()
    assert "Started on Correction of Errors (postmortem) v1" in content
    assert "Timeline: Started at" in content


# --- query count --------------------------------------------------------------------------

def grow(coe, n):
    root = coe.factors.first()
    parent = root
    for i in range(n):
        add_event(coe, "other", 1 + i, note=f"Step {i}")
        factor = services.factor_add(postmortem=coe, by=coe.author, parent=parent,
                                     category=ContributingFactor.Category.PROCESS,
                                     text=f"Review step {i} did not cover pool limits.")
        add_action(coe, factor=factor, title=f"Add pool limit check {i} to review CI")
        lesson = services.lesson_add(postmortem=coe, by=coe.author, text=f"Lesson {i}")
        add_action(coe, lesson=lesson, title=f"Automate lesson {i} as a CI check")
        parent = factor if i % 5 else root


def count_queries(client, page_url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page_url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["author", "reviewer"])
def test_coe_page_query_count_is_flat(client, questionnaires, checkout, author, reviewer,
                                      viewer, django_assert_max_num_queries):
    small = make_coe(checkout, author)
    large = make_coe(checkout, author, title="Large")
    from .conftest import complete

    for coe in (small, large):
        complete(coe, committee=[reviewer])
    grow(small, 5)
    grow(large, 50)
    client.force_login(author if viewer == "author" else reviewer)
    baseline = count_queries(client, url("detail", small))
    with django_assert_max_num_queries(baseline):
        assert client.get(url("detail", large)).status_code == 200
    assert baseline < 60, baseline


def test_history_shows_what_an_answer_save_changed(client, coe, author):
    """The one history template of both kinds: the COE's keeps the field-change record."""
    answer = coe.answers.get(question__key="summary")
    client.force_login(author)
    post_answer(client, coe, answer, 0, "Checkout failed for 55 minutes.")
    content = client.get(url("history", coe)).content.decode()
    assert "changed: text" in content
    assert "→ Checkout failed for 55 minutes." in content
    assert "When (UTC)" in content
