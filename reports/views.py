from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from actions.models import ActionItem
from catalog.models import Service
from orr.readiness import Readiness, readiness_for_services
from reports import exports, selectors, services
from reports.models import Export, WeeklyReport
from reports.tables import csv_bytes, csv_zip
from reports.weeks import Week
from reviews import permissions
from reviews.access import get_document_for_user

RECENT_WEEKS = 8


# --- access helpers ------------------------------------------------------------------------------


def get_export_for_user(request, public_id) -> Export:
    """An export of a document the user may export, or of a weekly report (everyone reads)."""
    export = get_object_or_404(
        Export.objects.select_related("document", "report"), public_id=public_id
    )
    if export.document_id:
        get_document_for_user(request, export.document.code, "export")
    return export


def get_week(week: Week) -> Week:
    if week.start > timezone.localdate():
        raise Http404("That week has not started yet.")
    return week


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _export_payload(export: Export) -> dict:
    failed = export.status == Export.Status.FAILED
    return {
        "id": str(export.public_id),
        "status": export.status,
        "label": export.get_status_display(),
        "done": export.is_done,
        "failed": failed,
        # Eager mode (no broker) has no retries: the render ran once, in the request.
        "retrying": failed and export.attempts < exports.MAX_ATTEMPTS
        and not settings.CELERY_TASK_ALWAYS_EAGER,
        "attempts": export.attempts,
        "status_url": reverse("reports:export_status", args=[export.public_id]),
        "page_url": export.get_absolute_url(),
        "download_url": reverse("reports:export_download", args=[export.public_id])
        if export.is_done else None,
    }


def _export_response(request, export: Export):
    # In eager mode (no broker) the render ran at the commit, after the service returned.
    export.refresh_from_db()
    if _wants_json(request):
        return JsonResponse(_export_payload(export), status=202)
    return redirect(export)


# --- exports -------------------------------------------------------------------------------------


@require_POST
def export_create(request, code):
    document = get_document_for_user(request, code, "export")
    try:
        export = exports.export_request(document=document, by=request.user)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(document)
    return _export_response(request, export)


@require_GET
def export_detail(request, public_id):
    export = get_export_for_user(request, public_id)
    return render(request, "reports/export.html", {
        "export": export, "payload": _export_payload(export),
        "back_url": export.document.get_absolute_url() if export.document_id
        else export.report.get_absolute_url(),
    })


@require_GET
@never_cache
def export_status(request, public_id):
    return JsonResponse(_export_payload(get_export_for_user(request, public_id)))


@require_GET
def export_download(request, public_id):
    export = get_export_for_user(request, public_id)
    if not export.is_done:
        raise Http404("This export is not ready.")
    response = FileResponse(export.file.open("rb"), as_attachment=True,
                            filename=export.download_name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the overview and the weekly report ------------------------------------------------------


@require_GET
def index(request):
    """Readiness and overdue items across the organisation today, and the weekly reports."""
    services_ = list(Service.objects.active().select_related("team").order_by("team__name", "name"))
    readiness = readiness_for_services(services_)
    counts = Counter(r.status for r in readiness.values())
    overdue = Counter(ActionItem.objects.overdue().values_list("team__name", flat=True))
    archive = list(WeeklyReport.objects.select_related("export"))
    archived = {report.week_start for report in archive}
    last = Week.last_complete()
    return render(request, "reports/index.html", {
        "as_of": timezone.localdate(),
        "readiness_counts": [
            (label, counts.get(key, 0), key) for key, label in Readiness.LABELS.items()
        ],
        "not_ready": [(s, readiness[s.pk]) for s in services_ if readiness[s.pk].status != "ready"],
        "overdue_by_team": sorted(overdue.items(), key=lambda kv: -kv[1]),
        "archive": archive,
        "recent": [w for w in (last.previous(n) for n in range(RECENT_WEEKS))
                   if w.start not in archived],
        "last_week": last,
        "is_ops_lead": permissions.is_ops_lead(request.user),
    })


@require_GET
def weekly_jump(request):
    """The week picker's target (an <input type="week"> sends "2026-W47")."""
    try:
        week = Week.parse(request.GET.get("week", ""))
    except ValueError:
        messages.error(request, "Pick a week.")
        return redirect("reports:index")
    return redirect("reports:weekly", week.iso)


@require_GET
def weekly(request, week):
    week = get_week(week)
    report = WeeklyReport.objects.select_related("export").filter(week_start=week.start).first()
    export = getattr(report, "export", None) if report else None
    return render(request, "reports/weekly.html", {
        **services.weekly_report_context(week),
        "report": report,
        "export": export,
        "payload": _export_payload(export) if export else None,
        "complete": week.is_complete(),
        "previous": week.previous(),
        "next": week.next() if week.next().is_complete() else None,
        "can_generate": permissions.is_ops_lead(request.user) and week.is_complete(),
    })


@require_POST
def weekly_generate(request, week):
    week = get_week(week)
    if not permissions.is_ops_lead(request.user):
        raise PermissionDenied("Only ops leads produce weekly reports.")
    if not week.is_complete():
        raise PermissionDenied("A week's report is produced once the week is over.")
    export = services.weekly_report_request(week=week, by=request.user)
    if _wants_json(request):
        return _export_response(request, export)
    return redirect("reports:weekly", week.iso)


@require_GET
def weekly_pdf(request, week):
    report = get_object_or_404(
        WeeklyReport.objects.select_related("export"), week_start=get_week(week).start
    )
    export = getattr(report, "export", None)
    if export is None or not export.is_done:
        raise Http404("This week's PDF is not ready.")
    return redirect("reports:export_download", export.public_id)


@require_GET
def weekly_csv(request, week, table):
    week = get_week(week)
    found = selectors.weekly_report(week).table(table)
    if found is None:
        raise Http404("No such table.")
    return _attachment(csv_bytes(found), "text/csv; charset=utf-8",
                       f"ops-review-{week.iso}-{found.slug}.csv")


@require_GET
def weekly_csv_zip(request, week):
    week = get_week(week)
    folder = f"ops-review-{week.iso}"
    data = selectors.weekly_report(week)
    return _attachment(csv_zip(data.tables, folder), "application/zip", f"{folder}-csv.zip")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
