"""The weekly ops-review report: its context and charts, produced once and mailed once.

The PDF goes through the export machinery (reports/exports.py) like any other export.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from catalog.models import OPS_LEADS_GROUP
from learning.similarity import recurring_themes
from opsreview.links import site_url
from opsreview.rendering import render_pdf
from postmortems.completion import late_postmortems
from reports import charts, selectors
from reports.exports import export_run, send_after_commit
from reports.models import Export, WeeklyReport
from reports.tables import Table
from reports.weeks import Week
from reviews.printing import print_base_context

logger = logging.getLogger(__name__)


class ReportNotReady(Exception):
    """The week's PDF is being rendered by another worker; the task retries later."""


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
        send_after_commit(export)
    return export


def weekly_report_context(week: Week) -> dict:
    """What the weekly page, its PDF and the ops_report command print (one selector call)."""
    data = selectors.weekly_report(week)
    return {
        **print_base_context(f"Ops review {week.iso}", f"Weekly ops-review report · {week.days}"),
        "week": week,
        "time_zone": settings.TIME_ZONE,
        "data": data,
        "charts": report_charts(data),
        # The week's COEs whose factors resemble earlier COEs' (learning.similarity).
        "recurring": recurring_themes(since=week.start_at, until=week.end_at),
        "late_coes": late_postmortems(today=min(week.start + dt.timedelta(days=6),
                                                timezone.localdate())),
    }


# The PDF is for the meeting: the figures, the charts and the first rows of each table. The
# figures and the weekly trend (a row per week, charted) print whole; the long tables (teams,
# services never reviewed, oldest overdue…) are on the page and in the CSV files.
PRINT_TOP_ROWS = 10
PRINT_TOP_BARS = 15
PRINTED_WHOLE = ("key-figures", "trend")  # table slugs


def weekly_print_context(week: Week) -> dict:
    """`weekly_report_context` for the PDF: the charts from the whole data, tables cut."""
    context = weekly_report_context(week)
    data = context["data"]
    tables = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    cut = {name: table.top(PRINT_TOP_ROWS) for name, table in tables.items()
           if isinstance(table, Table) and table.slug not in PRINTED_WHOLE}
    late = context["late_coes"]
    overdue = _overdue_by_team(data)
    drawn = dict(context["charts"])
    if len(overdue) > PRINT_TOP_BARS:
        # The teams with the most overdue items: fifty bars do not fit a page beside a table.
        top = sorted(overdue, key=lambda kv: -kv[1])[:PRINT_TOP_BARS]
        drawn["overdue"] = report_overdue_chart(top)
        drawn["overdue_note"] = (f"The {PRINT_TOP_BARS} of {len(overdue)} teams with the most; "
                                  f"all of them are on the report page.")
    return {**context, "data": dataclasses.replace(data, **cut), "charts": drawn,
            "late_coes": late[:PRINT_TOP_ROWS], "late_coes_total": len(late),
            "recurring": context["recurring"][:PRINT_TOP_ROWS],
            "recurring_total": len(context["recurring"])}


def report_charts(data: selectors.WeeklyReportData) -> dict:
    """The charts, drawn from the report's own tables so they show the same figures."""
    trend = data.trend
    categories = trend.columns[2:]
    overdue = _overdue_by_team(data)
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
        "overdue": report_overdue_chart(overdue),
    }


def _overdue_by_team(data: selectors.WeeklyReportData) -> list[tuple[str, int]]:
    return [(row[0], row[4]) for row in data.actions_by_team.rows if row[4]]


def report_overdue_chart(rows: list[tuple[str, int]]):
    return charts.bar_chart(title="Overdue action items by team", rows=rows)


def weekly_report_html(week: Week, *, standalone: bool = False) -> str:
    """The week's printable HTML; `standalone` puts the stylesheet inside, for a file that is
    opened on its own (no server to fetch /static/ from)."""
    html = render_to_string("reports/weekly_print.html", weekly_print_context(week))
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
    # Computed at most once: for the PDF if this run renders it, and for the e-mail's figures
    # (the figures are whole; only the long tables are cut for print).
    context = functools.cache(lambda: weekly_print_context(week))
    export_run(export_id=export.pk, context=context)
    export.refresh_from_db()
    if not export.is_done:
        raise ReportNotReady(f"The PDF of {week.iso} is {export.get_status_display().lower()}.")
    if email:
        weekly_report_email(report=report, export=export, data=context()["data"])
        report.refresh_from_db(fields=["emailed_at"])
    return report


def weekly_report_email(*, report: WeeklyReport, export: Export,
                        data: selectors.WeeklyReportData | None = None) -> bool:
    """Mail the PDF to the ops leads unless it went already; True if this call sent it.

    `data` is the week's computed report when the caller has it (the figures in the body)."""
    leads = list(
        get_user_model().objects.filter(is_active=True, groups__name=OPS_LEADS_GROUP)
        .exclude(email="").order_by("email").values_list("email", flat=True).distinct()
    )
    week = report.week
    subject, body = _report_message(week, data or selectors.weekly_report(week))
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


def _report_message(week: Week, data: selectors.WeeklyReportData) -> tuple[str, str]:
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
