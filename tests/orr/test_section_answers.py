"""The section editor's answers (orr.selectors.section_answers) read by prepared queries carry
exactly what the prefetching QuerySet gave: comments, action items, evidence, this round's
flags, the "flagged" mark; and reading them costs no further query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionItem
from orr import selectors
from orr.services import answer_comment
from reviews.flags import answer_flag
from reviews.models import Decision, Evidence
from reviews.services import document_submit

pytestmark = pytest.mark.django_db


def _shown(answer) -> tuple:
    return (answer.pk, answer.flagged, answer.question.key, answer.document.code,
            [(c.pk, c.author.username, c.answer.pk) for c in answer.comment_list],
            [(i.pk, i.owner.username) for i in answer.item_list],
            [(f.pk, f.reviewer.username, f.comment) for f in answer.round_flags],
            [(e.pk, e.label) for e in answer.evidence.all()])


def test_same_cards_as_the_prefetching_query(ready_review, author, reviewer, teammate):
    review = ready_review
    answers = list(review.answers.select_related("question__section")
                   .order_by("question__section__order", "question__order"))
    first, second, other_section = answers[0], answers[1], answers[-1]
    for answer in (first, first, other_section):
        answer_comment(answer=answer, by=teammate, body="Which alarms page the on-call?")
    for answer in (first, second):
        ActionItem.objects.create(title="Add a pager alarm on p99 latency", owner=author,
                                  team=review.service.team, document=review,
                                  source_answer=answer, due_date=timezone.localdate()
                                  + dt.timedelta(days=20))
    Evidence.objects.create(answer=second, label="Runbook", url="https://example.com/runbook")
    document_submit(document=review, by=author)
    review.refresh_from_db()
    answer_flag(answer=second, reviewer=reviewer, comment="Name the restore drill")
    decision = Decision.objects.create(document=review, reviewer=reviewer,
                                       verdict="request_changes", reason="Work needed.",
                                       round=review.review_round)
    decision.flagged_answers.add(second)

    section = first.question.section
    want = [_shown(a) for a in selectors.section_answers_query(review, section)]
    got_answers = selectors.section_answers(review, section)
    with CaptureQueriesContext(connection) as reading:
        got = [_shown(a) for a in got_answers]
    assert got == want and len(reading) == 0
    assert got[0][4] and got[0][5] and got[1][6] and got[1][7] and got[1][1]  # all were shown
