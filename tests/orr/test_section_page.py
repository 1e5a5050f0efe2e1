"""The ORR section editor as drawn: its question cards (a Jinja2 partial) inside a Django page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Answer, Comment

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def section_url(review, answer) -> str:
    return reverse("orr:section", args=[review.code, answer.question.section.key])


@pytest.mark.django_db
def test_every_form_of_the_section_carries_the_pages_one_csrf_token(review, author):
    answer = review.answers.select_related("question__section").first()
    answer.save_if_current(base_revision=0, by=author, text="No alarm", risk=Answer.Risk.HIGH)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)
    html = browser.get(section_url(review, answer)).content.decode()
    tokens = TOKEN.findall(html)
    cards = review.answers.filter(question__section=answer.question.section).count()
    # Every card's editor, evidence and comment forms, the gap's two, the page's sign-out.
    assert len(tokens) >= 3 * cards + 2 + 1
    assert len(set(tokens)) == 1
    response = browser.post(reverse("orr:answer_comment", args=[review.code, answer.pk]),
                            {"body": "Which alarm?", "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert Comment.objects.filter(answer=answer, body="Which alarm?").exists()


@pytest.mark.django_db
def test_a_card_escapes_what_people_wrote_as_the_django_pages_do(client, review, author):
    answer = review.answers.select_related("question__section").first()
    answer.save_if_current(base_revision=0, by=author, text='Tom\'s "pager" <b>',
                           risk=Answer.Risk.NONE)
    answer.evidence.create(label='Runbook "v2" <i>', url="https://wiki.example.com/?a=1&b='2'")
    Comment.objects.create(answer=answer, author=author, body="ok")
    client.force_login(author)
    html = client.get(section_url(review, answer)).content.decode()
    assert "Tom&#x27;s &quot;pager&quot; &lt;b&gt;</textarea>" in html
    assert ('<a href="https://wiki.example.com/?a=1&amp;b=&#x27;2&#x27;" rel="noopener noreferrer '
            'nofollow">Runbook &quot;v2&quot; &lt;i&gt;</a>') in html
    assert "Comments (1)" in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["detail", "section", "milestone_diff"])
def test_the_questions_tab_opens_the_first_section(client, review, author, page):
    sections = list(review.version.sections.order_by("order"))
    client.force_login(author)
    args = [review.code] + ([sections[-1].key] if page == "section" else [])
    html = client.get(reverse(f"orr:{page}", args=args)).content.decode()
    first = reverse("orr:section", args=[review.code, sections[0].key])
    assert f'href="{first}">Questions</a>' in html


@pytest.mark.django_db
def test_a_card_flagged_by_a_request_for_changes_says_so(client, ready_review, author, reviewer):
    from reviews.services import document_submit

    document_submit(document=ready_review, by=author)
    first, second = ready_review.answers.select_related("question__section").order_by(
        "question__section__order", "question__order")[:2]
    client.force_login(reviewer)
    client.post(reverse("orr:answer_flag", args=[ready_review.code, first.pk]),
                {"comment": "Which alarms?"})
    client.post(reverse("orr:decide", args=[ready_review.code]),
                {"verdict": "request_changes", "reason": "One answer needs work."})
    client.force_login(author)
    html = " ".join(client.get(section_url(ready_review, first)).content.decode().split())
    alert = "A reviewer asked for changes to this answer."
    assert html.count(alert) == 1
    flagged = html.index(f'id="q{first.pk}"')
    assert html.rindex("flagged", 0, flagged) > html.rindex("<article", 0, flagged)
    assert flagged < html.index(alert) < html.index(f'id="q{second.pk}"')
