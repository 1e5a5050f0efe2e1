"""PDF exports: request, claim, render, store, retry and sweep.

An export is a row with a status that the page polls: queued → running → done | failed. The task
claims the row with a conditional update, so duplicate messages (a retry, the sweeper, a broker
redelivery after a worker died) never render twice at once, and a done export is never rendered
again. The file is written under a new name before the row points at it, and every other file of
the export is deleted after, so a retried export ends with exactly one file.

What each kind prints is its own: the ORR and COE build their print context beside their domain
(orr/printing.py, postmortems/printing.py), the weekly report in reports/services.py; this module
only maps an export kind to its layout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import posixpath
import re
from collections.abc import Callable

import kombu.exceptions
import redis.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Length
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from opsreview.rendering import PdfTooLarge, render_pdf
from orr import printing as orr_printing
from orr.models import ReadinessReview
from postmortems import printing as coe_printing
from postmortems.models import Attachment, Postmortem
from reports.models import Export
from reviews.models import Answer, Document, Kind

logger = logging.getLogger(__name__)

# The render task's hard time limit. A "running" row older than this (plus a margin) belongs to
# a worker that died, and the sweeper queues it again.
RENDER_TIME_LIMIT = 120
STALE_AFTER = dt.timedelta(seconds=RENDER_TIME_LIMIT + 30)
# A queued export whose message got lost (broker down at the time) is sent again after this.
RESEND_AFTER = dt.timedelta(minutes=1)
# The task's retries plus one; the sweeper gives up on an export that killed this many workers.
MAX_ATTEMPTS = 6
# What a publish to an unreachable broker raises (kombu wraps most, not all, of them).
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


class ReportNotReady(Exception):
    """The week's PDF is being rendered by another worker; the task retries later."""


# --- requesting and sending -------------------------------------------------------------------


@transaction.atomic
def export_request(*, document: Document, by) -> Export:
    """The document's export in progress, or a new one queued for rendering.

    Returns at once even when the broker is down: the export then stays queued and the sweeper
    sends it when the broker is back.
    """
    kind = EXPORT_KIND[document.kind]
    check_export_available(kind)
    active = Export.objects.filter(document=document, status__in=Export.ACTIVE).first()
    if active is None:
        try:
            with transaction.atomic():
                active = Export.objects.create(document=document, kind=kind, requested_by=by)
        except IntegrityError:
            # A concurrent request created it a moment ago (one_active_export_per_document).
            return Export.objects.get(document=document, status__in=Export.ACTIVE)
    if active.status == Export.Status.QUEUED:
        # Also for a reused one: its first message may have been lost to a broker outage.
        send_after_commit(active)
    return active


def send_after_commit(export: Export) -> None:
    # robust: in eager mode the render runs inside this callback; a render that fails for good
    # is recorded on the row and must not turn the user's request into a server error.
    export_id = export.pk

    def send_render_task() -> None:  # named: Django logs a failing callback by its name
        export_send(export_id=export_id)

    transaction.on_commit(send_render_task, robust=True)


def export_send(*, export_id: int) -> bool:
    """Hand the export to the broker; False (and the export stays queued) when it is down."""
    from reports.tasks import render_export_task

    try:
        # A connection of its own that gives up at the first failure: the shared one retries
        # after kombu's 2 s pause, and the user would wait through it. No publish retries
        # either; the sweeper sends the export once the broker is back.
        options = {"max_retries": 0, "interval_start": 0}
        with render_export_task.app.connection_for_write(transport_options=options) as conn:
            queue = {"queue": big} if (big := export_queue(export_id)) else {}
            render_export_task.apply_async((export_id,), connection=conn, retry=False, **queue)
    except BROKER_ERRORS as exc:
        logger.warning("Export %s stays queued, the broker is unreachable: %r", export_id, exc)
        return False
    return True


# --- rendering and storing -----------------------------------------------------------------------


def _fail(export: Export, error: str) -> None:
    Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING,
                          attempts=export.attempts).update(
        status=Export.Status.FAILED, error=error[:5000], finished_at=timezone.now(),
    )


def export_run(*, export_id: int, context: Callable[[], dict] | None = None) -> bool:
    """Claim, render and store one export. False when there was nothing to do (done already,
    or another worker is rendering it), or when it can never succeed: too large to print, or
    the very same content already ran out of time (that is never tried again). `context`
    gives the print context when the caller has it already (the weekly run, which also mails
    the report's figures)."""
    export = _claim(export_id)
    if export is None:
        return False
    try:
        html = export_html(export, context=context)
        fingerprint = content_fingerprint(html)
        if timed_out_before(export, fingerprint):
            _fail(export, f"{TIMED_OUT}{fingerprint}: not rendered again: this same content ran "
                          f"out of time before. Shorten the longest answers and export again.")
            return False
        try:
            data = export_render(export, html=html)
        except SoftTimeLimitExceeded:
            _fail(export, f"{TIMED_OUT}{fingerprint}: rendering took longer than "
                          f"{RENDER_TIME_LIMIT - 10} s; not retried on the same content.")
            return False
        except PdfTooLarge as exc:
            _fail(export, str(exc))
            return False
    except Exception as exc:
        _fail(export, f"{type(exc).__name__}: {exc}")
        raise
    export_store(export=export, data=data)
    return True


# An export that ran out of time records this and its content's fingerprint in `error`.
TIMED_OUT = "timed out: "
_FOOTER = re.compile(r'<div class="running-footer">.*?</div>', re.S)


def content_fingerprint(html: str) -> str:
    """The same content gives the same fingerprint, whenever it is rendered (the footer's
    "generated at" time left out)."""
    return hashlib.sha256(_FOOTER.sub("", html, count=1).encode()).hexdigest()[:32]


def timed_out_before(export: Export, fingerprint: str) -> bool:
    subject = Q(document_id=export.document_id) if export.document_id else Q(pk=export.pk)
    # Also the export itself, claimed again after it timed out: its error is still there.
    return Export.objects.filter(subject, error__startswith=f"{TIMED_OUT}{fingerprint}").exists()


# Documents whose answers hold more text than this render on their own queue, so one of them
# cannot hold every worker that ordinary exports wait for.
BIG_RENDER_CHARS = 200_000
BIG_QUEUE = "pdf_big"


def export_queue(export_id: int) -> str | None:
    """BIG_QUEUE for a document with a lot of text, None (the default queue) otherwise."""
    document_id = Export.objects.filter(pk=export_id).values_list("document_id", flat=True)
    size = Answer.objects.filter(document_id__in=document_id).aggregate(
        n=Sum(Length("text")))["n"] or 0
    return BIG_QUEUE if size > BIG_RENDER_CHARS else None


def _claim(export_id: int) -> Export | None:
    now = timezone.now()
    claimable = Q(status__in=[Export.Status.QUEUED, Export.Status.FAILED]) | Q(
        status=Export.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = Export.objects.filter(claimable, pk=export_id).update(
        status=Export.Status.RUNNING, attempts=F("attempts") + 1, started_at=now,
        finished_at=None,
    )
    if not claimed:
        return None
    return Export.objects.select_related("document", "report").get(pk=export_id)


def export_store(*, export: Export, data: bytes) -> None:
    """Write the file under a new name, point the row at it, then delete every other file."""
    storage = export.file.storage
    stem = export.download_name.removesuffix(".pdf")
    name = export.file.field.generate_filename(
        export, f"{export.public_id}/{stem}-{export.attempts}.pdf"
    )
    name = storage.save(name, ContentFile(data))
    stored = Export.objects.filter(
        pk=export.pk, status=Export.Status.RUNNING, attempts=export.attempts
    ).update(file=name, status=Export.Status.DONE, error="", finished_at=timezone.now())
    if not stored:
        # Another attempt took over meanwhile; its file is the one that counts.
        storage.delete(name)
        return
    export.file.name, export.status = name, Export.Status.DONE
    # Also cleans up after an attempt that died between writing its file and the update above.
    folder = posixpath.dirname(name)
    for other in storage.listdir(folder)[1]:
        if posixpath.join(folder, other) != name:
            storage.delete(posixpath.join(folder, other))


def export_html(export: Export, *, context: Callable[[], dict] | None = None) -> str:
    """The export's HTML: its kind's print template, filled by its kind's context builder."""
    template, build = LAYOUTS[export.kind]
    return render_to_string(template, context() if context else build(export))


def export_render(export: Export, *, url_fetcher=None, html: str | None = None,
                  context: Callable[[], dict] | None = None) -> bytes:
    """The export's PDF (from `html` when the caller has it already)."""
    if html is None:
        html = export_html(export, context=context)
    return render_pdf(html, url_fetcher=url_fetcher, attachments=export_attachments(export))


def export_attachments(export: Export) -> dict:
    """The printed document's own image attachments, by the URL its answers show them with."""
    if export.kind != Export.Kind.COE_PDF:
        return {}

    def reader(attachment):
        def read() -> tuple[bytes, str]:
            with attachment.file.open("rb") as f:
                return f.read(), attachment.content_type
        return read

    images = Attachment.objects.filter(postmortem_id=export.document_id,
                                       content_type__startswith="image/")
    code = Postmortem.objects.values_list("code", flat=True).get(pk=export.document_id)
    return {reverse("postmortems:attachment", args=[code, a.pk]): reader(a) for a in images}


def check_export_available(kind: str) -> None:
    try:
        get_template(LAYOUTS[kind][0])
    except TemplateDoesNotExist:
        raise ValidationError(f"{Export.Kind(kind).label} is not available yet.") from None


def export_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again what a dead worker left running, and send what waits too long; idempotent.

    Run every minute by beat (``sweep_exports_task``) and by ``manage.py sweep_exports``.
    """
    now = now or timezone.now()
    stale = Export.objects.filter(status=Export.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Export.Status.FAILED, finished_at=now,
        error=f"Gave up after {MAX_ATTEMPTS} attempts that did not finish.",
    )
    requeued = list(stale.values_list("pk", flat=True))
    # The same conditions again: a row that finished meanwhile is not touched.
    stale.filter(pk__in=requeued).update(status=Export.Status.QUEUED)
    waiting = Export.objects.filter(status=Export.Status.QUEUED).filter(
        Q(pk__in=requeued) | Q(created_at__lt=now - RESEND_AFTER)
    )
    return [pk for pk in waiting.order_by("pk").values_list("pk", flat=True)
            if export_send(export_id=pk)]


# --- layouts: which template and context each kind of export prints -----------------------------


def _document_context(builder: Callable, model) -> Callable[[Export], dict]:
    def build(export: Export) -> dict:
        related = ["service__team", "author", "version__questionnaire"]
        return builder(model.objects.select_related(*related).get(pk=export.document_id))

    return build


def _weekly_report_context(export: Export) -> dict:
    from reports.services import weekly_print_context  # the report itself sits above

    return weekly_print_context(export.report.week)


EXPORT_KIND = {Kind.ORR: Export.Kind.ORR_PDF, Kind.COE: Export.Kind.COE_PDF}

LAYOUTS: dict[str, tuple[str, Callable[[Export], dict]]] = {
    Export.Kind.ORR_PDF: (orr_printing.PRINT_TEMPLATE,
                          _document_context(orr_printing.orr_print_context, ReadinessReview)),
    Export.Kind.COE_PDF: (coe_printing.PRINT_TEMPLATE,
                          _document_context(coe_printing.coe_print_context, Postmortem)),
    Export.Kind.REPORT_PDF: ("reports/weekly_print.html", _weekly_report_context),
}
