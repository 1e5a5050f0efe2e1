"""A PDF export cannot hold the workers for minutes: bounded input, no retry of a timed-out
render on the same content, big documents on their own queue."""

import io
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from pypdf import PdfReader

from opsreview import rendering
from reports import exports
from reports.models import Export
from reports.tasks import render_export_task


def big_table(chars: int) -> str:
    header = "| metric | p50 | p99 | note |\n|---|---|---|---|\n"
    row = "| latency.checkout.eu-west | 120 ms | 980 ms | measured at the load balancer |\n"
    return header + row * ((chars - len(header)) // len(row))


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def first_answer(review):
    return review.answers.select_related("question__section").order_by(
        "question__section__order", "question__order").first()


def test_a_huge_markdown_table_is_shortened_with_a_notice(review, author):
    answer = first_answer(review)
    answer.save_if_current(base_revision=0, by=author, text=big_table(99_000))
    export = Export.objects.create(kind=Export.Kind.ORR_PDF, document=review)
    started = time.monotonic()
    text = " ".join(text_of(exports.export_render(export)).split())
    assert time.monotonic() - started < 60
    label = f"answer {answer.question.section.order}.{answer.question.order}"
    assert f"Too large to print: {label} is 98," in text
    assert "shortened in the PDF" in text


def test_rows_per_table_are_bounded(monkeypatch):
    monkeypatch.setattr(rendering, "PDF_MAX_TABLE_ROWS", 10)
    html = rendering.render_markdown_for_print(big_table(5_000), "answer 3.4")
    assert html.count("<tr>") == 10
    assert "a table in answer 3.4 has" in html


def test_pages_are_bounded_with_a_notice_page(monkeypatch):
    monkeypatch.setattr(rendering, "PDF_MAX_PAGES", 2)
    body = "".join(f"<p>Paragraph {n}</p>" for n in range(400))
    pdf = PdfReader(io.BytesIO(rendering.render_pdf(f"<html><body>{body}</body></html>")))
    assert len(pdf.pages) == 3
    assert "the PDF shows the first 2" in pdf.pages[2].extract_text()


def test_a_render_that_timed_out_is_not_retried_on_the_same_content(review, monkeypatch):
    calls = []

    def too_slow(html, **kwargs):
        calls.append(1)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(exports, "render_pdf", too_slow)
    export = Export.objects.create(kind=Export.Kind.ORR_PDF, document=review)
    render_export_task.apply(args=[export.pk])
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.error.startswith("timed out")
    assert calls == [1]  # no automatic retry
    # Asked again (the sweeper, the task, or a new request): the same content is not rendered.
    assert exports.export_run(export_id=export.pk) is False
    again = Export.objects.create(kind=Export.Kind.ORR_PDF, document=review)
    assert exports.export_run(export_id=again.pk) is False
    again.refresh_from_db()
    assert "not rendered again" in again.error
    assert calls == [1]


def test_big_documents_go_to_their_own_queue(review, author, monkeypatch):
    export = Export.objects.create(kind=Export.Kind.ORR_PDF, document=review)
    assert exports.export_queue(export.pk) is None
    monkeypatch.setattr(exports, "BIG_RENDER_CHARS", 1_000)
    answer = first_answer(review)
    answer.save_if_current(base_revision=0, by=author, text=big_table(2_000))
    assert exports.export_queue(export.pk) == exports.BIG_QUEUE


def test_one_document_has_one_export_in_progress(review, author):
    first = exports.export_request(document=review, by=author)
    Export.objects.filter(pk=first.pk).update(status=Export.Status.RUNNING)
    assert exports.export_request(document=review, by=author).pk == first.pk
    with pytest.raises(Exception):  # noqa: B017  the database refuses a second active export
        Export.objects.create(kind=Export.Kind.ORR_PDF, document=review)
