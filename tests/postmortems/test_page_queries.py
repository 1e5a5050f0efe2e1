"""The COE page reads each thing once, and remembers its service's readiness like the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orr import services as orr_services

from .conftest import complete


def queries_of(client, coe):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("postmortems:detail", args=[coe.code]))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("viewer", ["author", "reviewer", "ops_lead"])
def test_the_coe_page_never_reads_the_same_thing_twice(client, ready_coe, author, reviewer,
                                                        ops_lead, viewer):
    ready_coe.refresh_from_db()
    client.force_login({"author": author, "reviewer": reviewer, "ops_lead": ops_lead}[viewer])
    _, sql = queries_of(client, ready_coe)
    repeated = {q for q in sql if sql.count(q) > 1}
    assert not repeated, repeated
    assert len(sql) <= 24, "\n".join(sql)


def test_the_orr_aside_is_remembered_until_something_is_written(client, coe, author,
                                                                 page_cache_on):
    client.force_login(author)
    first, first_sql = queries_of(client, coe)
    assert "Checkout API has no approved ORR." in first
    again, again_sql = queries_of(client, coe)
    assert "Checkout API has no approved ORR." in again
    assert any("orr_readinessreview" in q for q in first_sql)
    assert not any("orr_readinessreview" in q for q in again_sql)  # remembered
    assert len(again_sql) < len(first_sql)

    orr_services.orr_start(service=coe.service, by=author, trigger="pre_launch")  # a write
    after, after_sql = queries_of(client, coe)
    assert any("orr_readinessreview" in q for q in after_sql)
    assert "Checkout API has no approved ORR (one is in progress)." in " ".join(after.split())


def test_the_page_of_a_complete_coe_shows_its_decisions_flags_and_lesson_items(
        client, coe, author, reviewer):
    """What page_data now reads in one query each: decisions with their flagged answers,
    lessons with their action items."""
    from postmortems import services
    from reviews.services import document_decide, document_submit

    from .conftest import add_action

    complete(coe, committee=[reviewer])
    lesson = services.lesson_add(postmortem=coe, by=author, text="Pools need an upper bound.")
    add_action(coe, lesson=lesson, title="Cap the pool of every service at 20 per pod")
    coe.refresh_from_db()
    document_submit(document=coe, by=author)
    summary = coe.answers.get(question__key="summary")
    document_decide(document=coe, reviewer=reviewer, verdict="request_changes",
                    reason="Say which pods.", flagged_answers=[summary])
    client.force_login(author)
    page, _ = queries_of(client, coe)
    assert "The committee asked for changes to this answer." in page
    assert f'<a href="#q{summary.pk}">' in page
    assert "Cap the pool of every service at 20 per pod</a>" in page
