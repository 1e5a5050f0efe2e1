"""PDF exports: queued once, rendered once, stored as exactly one file, swept when lost."""

import datetime as dt

import kombu.exceptions
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reports import exports, tasks
from reports.models import Export

FAKE_PDF = b"%PDF-1.7 fake"


@pytest.fixture
def renders(monkeypatch):
    """Count renders and skip WeasyPrint: these tests are about the bookkeeping."""
    calls = []

    def fake_render_pdf(html, **kwargs):
        calls.append(html)
        return FAKE_PDF

    monkeypatch.setattr(exports, "render_pdf", fake_render_pdf)
    return calls


def files_of(export: Export) -> list[str]:
    folder = f"exports/{export.public_id}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def request_export(document, by, capture, execute=True) -> Export:
    with capture(execute=execute):
        export = exports.export_request(document=document, by=by)
    export.refresh_from_db()
    return export


def test_a_request_renders_the_export_in_eager_mode(review, author, renders,
                                                    django_capture_on_commit_callbacks):
    export = request_export(review, author, django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE and export.attempts == 1
    assert export.kind == Export.Kind.ORR_PDF and export.requested_by == author
    assert export.file.name == f"exports/{export.public_id}/{review.code}-1.pdf"
    assert export.file.read() == FAKE_PDF
    assert export.finished_at is not None and export.error == ""
    assert len(renders) == 1


def test_the_task_is_sent_only_after_the_commit(review, author, renders,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = exports.export_request(document=review, by=author)
    assert len(callbacks) == 1 and renders == []
    assert Export.objects.get(pk=export.pk).status == Export.Status.QUEUED


def test_a_second_request_reuses_the_export_in_progress(review, author, teammate, renders,
                                                        django_capture_on_commit_callbacks):
    first = request_export(review, author, django_capture_on_commit_callbacks, execute=False)
    second = request_export(review, teammate, django_capture_on_commit_callbacks, execute=False)
    assert second.pk == first.pk
    assert Export.objects.count() == 1


def test_a_request_after_a_done_export_renders_a_new_one(review, author, renders,
                                                         django_capture_on_commit_callbacks):
    first = request_export(review, author, django_capture_on_commit_callbacks)
    second = request_export(review, author, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.status == Export.Status.DONE
    assert len(renders) == 2


def test_running_the_task_twice_renders_once(review, author, renders):
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    assert tasks.render_export_task.apply(args=[export.pk]).get() is True
    assert tasks.render_export_task.apply(args=[export.pk]).get() is False
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 1
    assert len(renders) == 1
    assert files_of(export) == [f"{review.code}-1.pdf"]


def test_a_render_being_run_elsewhere_is_left_alone(review, renders):
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                                   status=Export.Status.RUNNING, started_at=timezone.now())
    assert exports.export_run(export_id=export.pk) is False
    assert renders == []


def test_the_task_retries_with_backoff_and_jitter_under_a_time_limit():
    task = tasks.render_export_task
    assert task.autoretry_for == (Exception,)
    assert (task.retry_backoff, task.retry_jitter, task.max_retries) == (True, True, 5)
    assert task.time_limit == exports.RENDER_TIME_LIMIT == 120
    assert task.soft_time_limit < task.time_limit
    assert task.acks_late is True


def test_a_failed_attempt_is_retried_and_ends_with_one_file(review, renders, monkeypatch):
    real = exports.export_render
    attempts = []

    def flaky(export, **kwargs):
        attempts.append(export.attempts)
        if len(attempts) == 1:
            raise RuntimeError("pango hiccup")
        return real(export, **kwargs)

    monkeypatch.setattr(exports, "export_render", flaky)
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    # Each call is one delivery of the task, as the broker makes them on retry.
    with pytest.raises(RuntimeError):
        exports.export_run(export_id=export.pk)
    assert Export.objects.get(pk=export.pk).status == Export.Status.FAILED
    assert exports.export_run(export_id=export.pk) is True
    export.refresh_from_db()
    assert attempts == [1, 2]
    assert export.status == Export.Status.DONE and export.attempts == 2
    assert files_of(export) == [f"{review.code}-2.pdf"]


def test_a_render_that_always_fails_stays_failed_with_its_error(review, monkeypatch):
    def broken(export, **kwargs):
        raise RuntimeError("cannot lay out this page")

    monkeypatch.setattr(exports, "export_render", broken)
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    for _ in range(1 + tasks.render_export_task.max_retries):
        with pytest.raises(RuntimeError):
            exports.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.attempts == 6
    assert "cannot lay out this page" in export.error
    assert files_of(export) == []


def test_a_failing_render_does_not_break_the_request(review, author, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "export_render",
                        lambda export, **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    export = request_export(review, author, django_capture_on_commit_callbacks)
    assert export.status == Export.Status.FAILED


def test_a_file_left_by_a_dead_attempt_is_removed_when_the_export_is_stored(review, renders):
    # Attempt 1 wrote its file, then its worker died before pointing the row at it.
    export = Export.objects.create(
        document=review, kind=Export.Kind.ORR_PDF, status=Export.Status.RUNNING, attempts=1,
        started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    default_storage.save(f"exports/{export.public_id}/{review.code}-1.pdf",
                         ContentFile(b"half a pdf"))
    exports.export_sweep()
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 2
    assert files_of(export) == [f"{review.code}-2.pdf"]


def test_an_unreachable_broker_leaves_the_export_queued(review, author, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(tasks.render_export_task, "apply_async", broker_down)
    export = request_export(review, author, django_capture_on_commit_callbacks)
    assert export.status == Export.Status.QUEUED and export.attempts == 0
    assert exports.export_send(export_id=export.pk) is False


def test_sweeper_sends_exports_queued_for_more_than_a_minute(review, renders):
    old = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                                created_at=timezone.now() - dt.timedelta(minutes=2))
    assert exports.export_sweep() == [old.pk]
    old.refresh_from_db()
    assert old.status == Export.Status.DONE


def test_sweeper_leaves_fresh_and_live_exports_alone(review, ready_review, renders):
    Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    from orr import services as orr_services
    from tests.conftest import make_service

    other = orr_services.orr_start(service=make_service(review.service.team),
                                   by=review.author, trigger="pre_launch")
    Export.objects.create(document=other, kind=Export.Kind.ORR_PDF,
                          status=Export.Status.RUNNING,
                          started_at=timezone.now() - dt.timedelta(seconds=60),
                          created_at=timezone.now() - dt.timedelta(minutes=5))
    assert exports.export_sweep() == []
    assert renders == []


def test_sweeper_queues_again_what_a_dead_worker_left_running(review, renders):
    export = Export.objects.create(
        document=review, kind=Export.Kind.ORR_PDF, status=Export.Status.RUNNING, attempts=1,
        started_at=timezone.now() - exports.STALE_AFTER - dt.timedelta(seconds=1),
        created_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert exports.export_sweep() == [export.pk]
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.attempts == 2


def test_sweeper_gives_up_on_an_export_that_killed_every_worker(review, renders):
    export = Export.objects.create(
        document=review, kind=Export.Kind.ORR_PDF, status=Export.Status.RUNNING,
        attempts=exports.MAX_ATTEMPTS, created_at=timezone.now() - dt.timedelta(hours=1),
        started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    assert exports.export_sweep() == []
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and "Gave up" in export.error


def test_sweep_exports_command(review, renders, capsys):
    from django.core.management import call_command

    Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                          created_at=timezone.now() - dt.timedelta(minutes=2))
    call_command("sweep_exports")
    assert "Exports sent again: 1" in capsys.readouterr().out


def test_a_kind_without_its_print_template_cannot_be_requested(review, author, monkeypatch):
    monkeypatch.setitem(exports.LAYOUTS, Export.Kind.ORR_PDF,
                        ("orr/no-such-print.html", exports.LAYOUTS[Export.Kind.ORR_PDF][1]))
    with pytest.raises(ValidationError, match="not available yet"):
        exports.export_request(document=review, by=author)
    assert not Export.objects.exists()


def test_one_export_in_progress_per_document_is_a_database_rule(review):
    from django.db import IntegrityError, transaction

    Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                              status=Export.Status.RUNNING)
    Export.objects.create(document=review, kind=Export.Kind.ORR_PDF, status=Export.Status.DONE)
