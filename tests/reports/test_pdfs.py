"""What the PDFs contain (by text extraction), and that rendering fetches only the app's files."""

import csv
import html as html_lib
import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from opsreview.rendering import PDF_BASE_URL, URLRefused, safe_url_fetcher
from reports import exports, selectors, services
from reports.models import Export, WeeklyReport
from reports.tables import Table, csv_zip
from reports.weeks import Week
from reviews.models import Question

from .conftest import W47

ORR_SECTIONS = [
    "Service Definition and Goals", "Architecture", "Failures and Impact", "Risk Assessment",
    "Monitoring, Metrics & Alarms", "Testing", "Deployment", "Operations", "Disaster Recovery",
]


class Spy:
    """A URL fetcher that records every URL and hands it to the app's safe fetcher."""

    def __init__(self):
        self.seen, self.served, self.refused = [], [], []

    def __call__(self, url):
        self.seen.append(url)
        try:
            response = safe_url_fetcher(url)
        except URLRefused:
            self.refused.append(url)
            raise
        self.served.append(url)
        return response


def is_app_file(url: str) -> bool:
    path = url.removeprefix(PDF_BASE_URL.rstrip("/"))
    return path.startswith(("/static/", "/media/"))


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Text without any white space: table cells wrap differently in the PDF and the page."""
    return re.sub(r"\s+", "", text)


def render_export(subject, kind, spy):
    field = "report" if kind == Export.Kind.REPORT_PDF else "document"
    export = Export.objects.create(kind=kind, **{field: subject})
    return exports.export_render(export, url_fetcher=spy)


def test_orr_pdf_holds_every_section_question_and_decision(rich_review):
    text = pages(render_export(rich_review, Export.Kind.ORR_PDF, Spy()))
    whole = squash(" ".join(text))
    questions = Question.objects.filter(section__version=rich_review.version)
    assert questions.count() > 90
    for question in questions:
        assert squash(question.text) in whole, question.key
    for heading in ("Contents", "Accepted risks", "Action items", "Decisions",
                    "Before the first review", "Not applicable because", "Request changes",
                    "Grafana: checkout latency", "Add an alarm on queue depth for gap 1"):
        assert squash(heading) in whole, heading
    # Running header (title, state, questionnaire version) and "page X of Y" on every page.
    assert f"Page 1 of {len(text)}" in text[0]
    assert f"Page {len(text)} of {len(text)}" in text[-1]
    assert all("Changes requested" in page and "Operational Readiness Review v1" in page
               for page in text[1:])
    # Every section title, listed in the contents with the page it starts on.
    for n, title in enumerate(ORR_SECTIONS, start=1):
        heading = f"{n}. {title}"
        listed = re.search(re.escape(heading) + r"[ .]*(\d+)", text[0])
        assert listed, heading
        starts = [i for i, page in enumerate(text, start=1)
                  if re.search(r"^" + re.escape(heading) + r"$", page, re.M)]
        assert starts == [int(listed.group(1))], heading


def test_orr_render_fetches_nothing_but_static_and_media_files(ready_review):
    spy = Spy()
    render_export(ready_review, Export.Kind.ORR_PDF, spy)
    assert spy.seen and all(is_app_file(url) for url in spy.seen), spy.seen
    assert spy.refused == []


def test_hostile_urls_in_answers_are_refused_not_fetched(review, author):
    answer = review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, text=(
        "![a](http://169.254.169.254/latest/meta-data/) ![b](../../../../etc/passwd) "
        "![c](/static/../../opsreview/settings.py) ![d](file:///etc/passwd)"
    ))
    spy = Spy()
    pdf = render_export(review, Export.Kind.ORR_PDF, spy)
    assert pdf.startswith(b"%PDF")
    assert spy.refused, "the images reached the fetcher"
    assert all(is_app_file(url) for url in spy.served)
    assert not any("169.254" in url or "passwd" in url or "settings.py" in url
                   for url in spy.served)


def test_weekly_report_render_fetches_nothing_but_static_files(week47):
    report = WeeklyReport.objects.create(week_start=Week.parse(W47).start)
    spy = Spy()
    pdf = render_export(report, Export.Kind.REPORT_PDF, spy)
    assert spy.seen and all(is_app_file(url) for url in spy.seen), spy.seen
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert box.width > box.height  # landscape, for the projector


def test_the_same_figures_in_the_page_the_csv_and_the_pdf(client, week47, author):
    week = Week.parse(W47)
    data = selectors.weekly_report(week)
    client.force_login(author)
    page = client.get(reverse("reports:weekly", args=[W47])).content.decode()
    page_text = squash(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))
    pdf_text = squash(" ".join(pages(services.weekly_report_pdf(week))))
    archive = zipfile.ZipFile(io.BytesIO(csv_zip(data.tables, "x")))

    for table in data.tables:
        text = archive.read(f"x/{table.slug}.csv").decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(text)))
        assert csv_rows[0] == table.columns
        assert len(csv_rows) == len(table.rows) + 1
        for n, (row, csv_row) in enumerate(zip(table.rows, csv_rows[1:], strict=True)):
            assert csv_row == ["" if c is None else str(c) for c in row]
            if table is data.figures:
                continue  # shown as cards, value first: checked below
            shown = squash("".join("–" if c is None else str(c) for c in row))
            assert shown in page_text, (table.slug, row)
            if n < services.PRINT_TOP_ROWS or table.slug in services.PRINTED_WHOLE:
                assert shown in pdf_text, (table.slug, row)  # the rest: page and CSV only
    for name, value in data.figures.rows:
        assert squash(f"{value}{name}") in pdf_text
        assert squash(f"{value}{name}") in page_text


def test_the_pdf_prints_the_first_rows_of_a_long_table_and_says_where_the_rest_are(week47):
    week = Week.parse(W47)
    data = services.weekly_report_context(week)["data"]
    long = Table("never_reviewed", "Never reviewed", ["Service", "Team"],
                 [[f"svc-{n:03}", "Payments"] for n in range(services.PRINT_TOP_ROWS + 5)])
    cut = long.top(services.PRINT_TOP_ROWS)
    assert len(cut.rows) == services.PRINT_TOP_ROWS and len(long.rows) == 15
    assert "first 10 of 15 rows" in cut.note
    context = services.weekly_print_context(week)
    for table in context["data"].tables:
        whole = data.table(table.slug)
        if table.slug in services.PRINTED_WHOLE:
            assert table.rows == whole.rows
        else:
            assert table.rows == whole.rows[:services.PRINT_TOP_ROWS]


@pytest.mark.parametrize("fmt", ["pdf", "html", "csv-dir", "csv-zip"])
def test_ops_report_command_writes_each_format(week47, tmp_path, fmt, capsys):
    from django.core.management import call_command

    output = {"pdf": tmp_path / "r.pdf", "html": tmp_path / "r.html",
              "csv-dir": tmp_path / "tables", "csv-zip": tmp_path / "tables.zip"}[fmt]
    call_command("ops_report", "--week", W47, "--format", fmt.split("-")[0],
                 "--output", str(output))
    assert "Wrote" in capsys.readouterr().out
    if fmt == "pdf":
        assert "Ops review 2026-W47" in pages(output.read_bytes())[1]
    elif fmt == "html":
        html = output.read_text()
        assert "<style>" in html and "/static/" not in html and "COEs opened" in html
    elif fmt == "csv-dir":
        assert (output / "teams.csv").read_text("utf-8-sig").startswith("Team,Services")
        assert len(list(output.glob("*.csv"))) == 12
    else:
        names = zipfile.ZipFile(output).namelist()
        assert "ops-review-2026-W47/key-figures.csv" in names


def test_ops_report_defaults_to_the_last_complete_week(week47, tmp_path, monkeypatch, capsys):
    from django.core.management import call_command

    monkeypatch.chdir(tmp_path)
    call_command("ops_report", "--format", "csv")
    assert (tmp_path / "ops-review-2026-W47" / "key-figures.csv").exists()


def test_ops_report_refuses_a_bad_week(week47):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no week 60"):
        call_command("ops_report", "--week", "2026-W60")


def test_coe_pdf_holds_every_section_question_factor_and_timeline(questionnaires, checkout,
                                                                  author, reviewer):
    import datetime as dt

    from postmortems import services as pm

    coe = pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s for EU customers", severity=2,
        incident_tz="Europe/Helsinki", committee=[reviewer],
        incident_start=dt.datetime(2026, 11, 2, 6, 19, tzinfo=dt.UTC),
    )
    start = coe.incident_start
    pm.timeline_add(postmortem=coe, by=author, kind="started", at=start, note="Pool limit 20.")
    pm.timeline_add(postmortem=coe, by=author, kind="resolved",
                    at=start + dt.timedelta(minutes=47), note="Rolled back everywhere.")
    root = pm.factor_add(postmortem=coe, by=author, category="technical",
                         text="A connection pool limit of 20 reached every region.")
    pm.factor_add(postmortem=coe, by=author, category="tooling", parent=root,
                  text="The pipeline has no canary stage for configuration.")
    spy = Spy()
    text = pages(render_export(coe, Export.Kind.COE_PDF, spy))
    whole = squash(" ".join(text))
    for section in coe.version.sections.prefetch_related("questions"):
        assert squash(section.title) in whole, section.key
        for question in section.questions.all():
            if section.widget != "metadata":
                assert squash(question.text) in whole, question.key
    for expected in ("08:19 EET", "06:19", "Time to resolve", "47 min",
                     "The pipeline has no canary stage", "Approvals"):
        assert squash(expected) in whole, expected
    assert spy.seen and all(is_app_file(url) for url in spy.seen)


@pytest.mark.django_db
def test_the_printed_report_shows_the_first_late_coes_and_says_how_many(week47, monkeypatch,
                                                                         checkout, author):
    from django.utils import timezone

    from postmortems.completion import LateCoe
    from postmortems.models import Postmortem
    from postmortems.services import latest_coe_version

    week = Week.parse(W47)
    coe = Postmortem.objects.create(service=checkout, author=author, title="Pool exhausted",
                                    version=latest_coe_version(), incident_start=timezone.now())
    coe.assign_code("COE")
    late = [LateCoe(postmortem=coe, resolved_at=None, due=week.start) for _ in range(15)]
    monkeypatch.setattr(services, "late_postmortems", lambda **_: late)
    printed = services.weekly_print_context(week)
    assert len(printed["late_coes"]) == services.PRINT_TOP_ROWS == 10
    assert printed["late_coes_total"] == 15
    page = html_lib.unescape(services.weekly_report_html(week))
    assert "The first 10 of\n  15 late COEs; all of them are on the report page." in page
    # The report page keeps every one.
    assert len(services.weekly_report_context(week)["late_coes"]) == 15


@pytest.mark.django_db
def test_the_printed_overdue_chart_shows_the_teams_with_the_most(week47, author):
    import datetime as dt

    from actions.models import ActionItem
    from tests.conftest import make_team

    week = Week.parse(W47)
    for n in range(services.PRINT_TOP_BARS + 3):
        team = make_team(f"Team {n:02d}")
        for _ in range(n + 1):
            ActionItem.objects.create(title="Cap the pool at 20 connections", owner=author,
                                      team=team, due_date=week.start - dt.timedelta(days=30),
                                      created_at=week.start_at - dt.timedelta(days=40))
    printed = services.weekly_print_context(week)
    whole = services.weekly_report_context(week)
    assert "Team 00" in str(whole["charts"]["overdue"])  # the page draws every team
    chart = str(printed["charts"]["overdue"])
    assert "Team 17" in chart and "Team 00" not in chart and "Team 02" not in chart
    assert printed["charts"]["overdue_note"].startswith(
        f"The {services.PRINT_TOP_BARS} of ")
