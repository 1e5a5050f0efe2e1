"""PDF exports through real Redis and a real Celery worker: done, a worker killed mid-render, and
Redis down when the user asks. Each ends with exactly one file."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import exports
from reports.models import Export

from .conftest import wait_for_worker, wait_until

JSON = {"HTTP_ACCEPT": "application/json"}
# A long Markdown answer for every question: the render takes seconds, long enough to catch
# the export "running" and kill the worker in the middle of it, with no test hook in the worker.
SLOW_ANSWER = "\n\n".join(
    [f"Paragraph {n}: we run **three replicas** per region, health checks every 10 s, and a "
     "replica leaves the rotation after three failures. Deployments go one replica at a time."
     for n in range(12)]
    + ["| Dependency | Timeout | Retries |\n|---|---|---|\n| Payments DB | 2 s | 0 |\n"
       "| Fraud API | 800 ms | 2 |"]
)


@pytest.fixture(scope="module")
def media(celery_worker, tmp_path_factory):
    """One throwaway MEDIA_ROOT for the worker (it writes the files) and this process."""
    root = tmp_path_factory.mktemp("media")
    celery_worker.env["MEDIA_ROOT"] = str(root)
    celery_worker.restart()
    yield root
    del celery_worker.env["MEDIA_ROOT"]
    celery_worker.restart()


@pytest.fixture(autouse=True)
def _shared_media(settings, media):
    settings.MEDIA_ROOT = media


def files(export: Export, media) -> list[str]:
    folder = media / "exports" / str(export.public_id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def request_export(client, review) -> Export:
    response = client.post(reverse("reports:export_create", args=[review.code]), **JSON)
    assert response.status_code == 202, response.content
    return Export.objects.get(public_id=response.json()["id"])


def status_of(export: Export) -> str:
    return Export.objects.filter(pk=export.pk).values_list("status", flat=True).get()


def wait_done(export: Export, worker, timeout: float = 45) -> Export:
    done = wait_until(lambda: status_of(export) in ("done", "failed"), timeout, interval=0.2)
    assert done, f"export still {status_of(export)}:\n{worker.log_tail()}"
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    return export


def test_an_export_runs_through_the_worker_to_done(client, transactional_db, review, author,
                                                   celery_worker, media):
    client.force_login(author)
    export = request_export(client, review)

    export = wait_done(export, celery_worker)

    assert export.attempts == 1
    assert files(export, media) == [f"{review.code}-1.pdf"]
    response = client.get(reverse("reports:export_download", args=[export.public_id]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_worker_killed_mid_render_ends_with_exactly_one_file(client, transactional_db, review,
                                                               author, celery_worker, media):
    for answer in review.answers.all():
        answer.save_if_current(base_revision=answer.revision, by=author, text=SLOW_ANSWER)
    client.force_login(author)
    export = request_export(client, review)
    assert wait_until(lambda: status_of(export) == "running", 30, interval=0.02), \
        celery_worker.log_tail()
    try:
        celery_worker.kill()
        export.refresh_from_db()
        # Killed while rendering: the row says "running" and no file was written.
        assert export.status == Export.Status.RUNNING and export.attempts == 1
        assert files(export, media) == []
    finally:
        celery_worker.start()

    # The row stays "running" until the sweeper sees it is older than the render time limit;
    # here the sweeper runs as if those minutes had passed.
    later = timezone.now() + exports.STALE_AFTER + dt.timedelta(seconds=1)
    assert exports.export_sweep(now=later) == [export.pk]
    export = wait_done(export, celery_worker, timeout=60)

    assert export.attempts == 2
    assert files(export, media) == [f"{review.code}-2.pdf"]


def test_with_redis_down_the_request_returns_at_once_and_the_sweeper_finishes_it(
    client, transactional_db, review, author, celery_worker, redis_server, media
):
    client.force_login(author)
    redis_server.stop()
    try:
        started = time.monotonic()
        export = request_export(client, review)
        elapsed = time.monotonic() - started
        export.refresh_from_db()
        assert elapsed < 2, f"the export request took {elapsed:.2f} s with Redis down"
        assert export.status == Export.Status.QUEUED and export.attempts == 0
    finally:
        redis_server.start()
    assert wait_for_worker(timeout=30), celery_worker.log_tail()

    # Beat's sweeper, a minute later: the export's message never reached the broker.
    later = timezone.now() + exports.RESEND_AFTER + dt.timedelta(seconds=1)
    assert exports.export_sweep(now=later) == [export.pk]
    export = wait_done(export, celery_worker)

    assert export.attempts == 1
    assert files(export, media) == [f"{review.code}-1.pdf"]


def test_a_big_document_renders_on_its_own_queue(client, transactional_db, review, author,
                                                 celery_worker, media, monkeypatch):
    # Any document counts as big here: its export goes to the pdf_big queue, and the worker
    # (like compose's) listens to it, so it is done like any other.
    monkeypatch.setattr(exports, "BIG_RENDER_CHARS", 0)
    answer = review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, text="Some text.")
    assert exports.export_queue(Export.objects.create(document=review,
                                                       kind=Export.Kind.ORR_PDF).pk) \
        == exports.BIG_QUEUE
    Export.objects.filter(document=review).delete()
    client.force_login(author)
    export = wait_done(request_export(client, review), celery_worker)
    assert files(export, media) == [f"{review.code}-1.pdf"]
