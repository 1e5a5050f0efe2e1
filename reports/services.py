"""PDF exports (request, render, store, sweep) and the weekly report (produce once, mail once).

An export is a row with a status that the page polls: queued → running → done | failed. The task
claims the row with a conditional update, so duplicate messages (a retry, the sweeper, a broker
redelivery after a worker died) never render twice at once, and a done export is never rendered
again. The file is written under a new name before the row points at it, and every other file of
the export is deleted after, so a retried export ends with exactly one file.
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
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Length
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from catalog.models import OPS_LEADS_GROUP
from learning.similarity import recurring_themes
from opsreview.links import site_url
from opsreview.rendering import PdfTooLarge, render_pdf
from orr import printing as orr_printing
from orr.models import ReadinessReview
from postmortems import printing as coe_printing
from postmortems.completion import late_postmortems
from postmortems.models import Attachment, Postmortem
from reports import charts, selectors
from reports.models import Export, WeeklyReport
from reports.weeks import Week
from reviews.models import Answer, Document, Kind
from reviews.printing import print_base_context

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
        _send_after_commit(active)
    return active


@transaction.atomic
def weekly_report_request(*, week: Week, by) -> Export:
    """An ops lead asks for a week's report: its archive row and PDF, queued unless done."""
    report, _ = WeeklyReport.objects.get_or_create(
        week_start=week.start, defaults={"requested_by": by}
    )
    export, _ = Export.objects.get_or_create(
        report=report, defaults={"kind": Export.Kind.REPORT_PDF, "requested_by": by}
    )
    if export.status in (Export.Status.QUEUED, Export.Status.FAILED):
        _send_after_commit(export)
    return export


def _send_after_commit(export: Export) -> None:
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


def export_run(*, export_id: int) -> bool:
    """Claim, render and store one export. False when there was nothing to do (done already,
    or another worker is rendering it), or when it can never succeed: too large to print, or
    the very same content already ran out of time (that is never tried again)."""
    export = _claim(export_id)
    if export is None:
        return False
    try:
        html = export_html(export)
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


def export_html(export: Export) -> str:
    """The export's HTML: its kind's print template, filled by its kind's context builder."""
    template, build = LAYOUTS[export.kind]
    return render_to_string(template, build(export))


def export_render(export: Export, *, url_fetcher=None, html: str | None = None) -> bytes:
    """The export's PDF (from `html` when the caller has it already)."""
    return render_pdf(export_html(export) if html is None else html, url_fetcher=url_fetcher,
                      attachments=export_attachments(export))


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


# --- what each kind prints: each kind builds its own context (orr/printing.py,
# postmortems/printing.py); the export machinery only picks the layout by kind.


def weekly_report_context(week: Week) -> dict:
    """What the weekly page, its PDF and the ops_report command print (one selector call)."""
    data = selectors.weekly_report(week)
    return {
        **print_base_context(f"Ops review {week.iso}", f"Weekly ops-review report · {week.days}"),
        "week": week,
        "time_zone": settings.TIME_ZONE,
        "data": data,
        "charts": report_charts(data),
        # COEs of the last quarter whose factors resemble earlier COEs' (learning.similarity).
        "recurring": recurring_themes(since=week.start_at - dt.timedelta(weeks=12)),
        "late_coes": late_postmortems(today=min(week.start + dt.timedelta(days=6),
                                                timezone.localdate())),
    }


def report_charts(data: selectors.WeeklyReportData) -> dict:
    """The charts, drawn from the report's own tables so they show the same figures."""
    trend = data.trend
    categories = trend.columns[2:]
    overdue = [(row[0], row[4]) for row in data.actions_by_team.rows if row[4]]
    return {
        "coes": charts.column_chart(
            title="COEs opened per week", labels=[w.iso[5:] for w in data.trend_weeks],
            series=[("COEs opened", trend.column("COEs opened"))],
        ),
        "factors": charts.column_chart(
            title="Contributing factors per week, by category",
            labels=[w.iso[5:] for w in data.trend_weeks],
            series=[(name, trend.column(name)) for name in categories],
        ),
        "overdue": charts.bar_chart(title="Overdue action items by team", rows=overdue),
    }


def _document_context(builder: Callable, model) -> Callable[[Export], dict]:
    def build(export: Export) -> dict:
        related = ["service__team", "author", "version__questionnaire"]
        return builder(model.objects.select_related(*related).get(pk=export.document_id))

    return build


EXPORT_KIND = {Kind.ORR: Export.Kind.ORR_PDF, Kind.COE: Export.Kind.COE_PDF}

LAYOUTS: dict[str, tuple[str, Callable[[Export], dict]]] = {
    Export.Kind.ORR_PDF: (orr_printing.PRINT_TEMPLATE,
                          _document_context(orr_printing.orr_print_context, ReadinessReview)),
    Export.Kind.COE_PDF: (coe_printing.PRINT_TEMPLATE,
                          _document_context(coe_printing.coe_print_context, Postmortem)),
    Export.Kind.REPORT_PDF: ("reports/weekly_print.html",
                             lambda export: weekly_report_context(export.report.week)),
}


def weekly_report_html(week: Week, *, standalone: bool = False) -> str:
    """The week's printable HTML; `standalone` puts the stylesheet inside, for a file that is
    opened on its own (no server to fetch /static/ from)."""
    html = render_to_string("reports/weekly_print.html", weekly_report_context(week))
    if standalone:
        link = f'<link rel="stylesheet" href="{static("css/print.css")}">'
        with open(finders.find("css/print.css"), encoding="utf-8") as css:
            html = html.replace(link, f"<style>\n{css.read()}</style>", 1)
    return html


def weekly_report_pdf(week: Week) -> bytes:
    return render_pdf(weekly_report_html(week))


# --- the Monday report ---------------------------------------------------------------------------


def weekly_report_produce(*, week: Week, email: bool) -> WeeklyReport:
    """Produce the week's report once and, with `email`, mail it to the ops leads once.

    Beat firing twice, a retry or a concurrent worker all land on the same WeeklyReport row
    (unique week) and the same export (one per report), whose claim lets one of them render.
    """
    report, _ = WeeklyReport.objects.get_or_create(week_start=week.start)
    export, _ = Export.objects.get_or_create(
        report=report, defaults={"kind": Export.Kind.REPORT_PDF}
    )
    export_run(export_id=export.pk)
    export.refresh_from_db()
    if not export.is_done:
        raise ReportNotReady(f"The PDF of {week.iso} is {export.get_status_display().lower()}.")
    if email:
        weekly_report_email(report=report, export=export)
        report.refresh_from_db(fields=["emailed_at"])
    return report


def weekly_report_email(*, report: WeeklyReport, export: Export) -> bool:
    """Mail the PDF to the ops leads unless it went already; True if this call sent it."""
    leads = list(
        get_user_model().objects.filter(is_active=True, groups__name=OPS_LEADS_GROUP)
        .exclude(email="").order_by("email").values_list("email", flat=True).distinct()
    )
    week = report.week
    subject, body = _report_message(week)
    with transaction.atomic():
        # The claim and the send commit together: a failed send leaves it unclaimed for the
        # retry, and a concurrent run waits on the row lock, then finds it claimed.
        claimed = WeeklyReport.objects.filter(pk=report.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        if not leads:
            logger.warning("Ops review %s not mailed: no ops lead has an e-mail address.",
                           week.iso)
            return True
        message = EmailMessage(subject, body, to=leads)
        with export.file.open("rb") as pdf:
            message.attach(export.download_name, pdf.read(), "application/pdf")
        message.send()
    return True


def _report_message(week: Week) -> tuple[str, str]:
    data = selectors.weekly_report(week)
    width = max(len(str(name)) for name, _ in data.figures.rows)
    lines = [f"  {name:<{width}}  {'–' if value is None else value}"
             for name, value in data.figures.rows]
    body = "\n".join([
        f"The ops-review report of {week} is attached.",
        "",
        *lines,
        "",
        f"Online: {site_url()}{reverse('reports:weekly', args=[week.iso])}",
    ])
    return f"[OpsReview] Ops review {week.iso}", body
