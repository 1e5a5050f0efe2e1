"""Export and report pages: the happy paths, GET → 405 on changes, outsiders → 404, 403s."""

import io
import zipfile

import pytest
from django.urls import reverse

from reports import exports
from reports.models import Export, WeeklyReport
from reviews.services import document_submit

from .conftest import W47

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(exports, "render_pdf", lambda html, **kw: b"%PDF-1.7 fake")


def export_url(review):
    return reverse("reports:export_create", args=[review.code])


def post_export(client, review, capture, **extra):
    with capture(execute=True):
        return client.post(export_url(review), **extra)


# --- exports -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_export_button_renders_within_the_request_without_a_broker(client, review, author,
                                                                    fake_pdf):
    # A real commit (no test transaction around it): the eager render runs at the commit.
    client.force_login(author)
    response = client.post(export_url(review), **JSON)
    assert response.status_code == 202
    body = response.json()
    export = Export.objects.get()
    assert body["id"] == str(export.public_id)
    assert body["status"] == "done" and body["done"] is True
    assert body["download_url"] == reverse("reports:export_download", args=[export.public_id])
    assert body["status_url"] == reverse("reports:export_status", args=[export.public_id])


def test_export_without_javascript_lands_on_the_export_page(client, review, author, fake_pdf,
                                                            django_capture_on_commit_callbacks):
    client.force_login(author)
    response = post_export(client, review, django_capture_on_commit_callbacks)
    export = Export.objects.get()
    assert response.status_code == 302 and response.url == export.get_absolute_url()
    page = client.get(response.url)
    assert page.status_code == 200
    assert reverse("reports:export_download", args=[export.public_id]) in page.content.decode()


def test_status_json_follows_the_export(client, review, author, fake_pdf,
                                        django_capture_on_commit_callbacks):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=False):
        exports.export_request(document=review, by=author)
    export = Export.objects.get()
    url = reverse("reports:export_status", args=[export.public_id])
    assert client.get(url).json()["status"] == "queued"
    exports.export_run(export_id=export.pk)
    body = client.get(url).json()
    assert body["done"] and body["download_url"]
    assert client.get(url)["Cache-Control"].startswith("max-age=0")


def test_download_is_an_attachment_that_is_not_sniffed(client, review, author, fake_pdf,
                                                       django_capture_on_commit_callbacks):
    client.force_login(author)
    post_export(client, review, django_capture_on_commit_callbacks)
    export = Export.objects.get()
    response = client.get(reverse("reports:export_download", args=[export.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{review.code}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 fake"


def test_download_of_an_export_not_done_is_404(client, review, author):
    client.force_login(author)
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    assert client.get(reverse("reports:export_download", args=[export.public_id])).status_code \
        == 404


def test_outsider_gets_404_for_everything_about_a_drafts_export(client, review, author,
                                                               outsider, fake_pdf):
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                                   status=Export.Status.DONE)
    client.force_login(outsider)
    assert client.post(export_url(review)).status_code == 404
    for name in ("export", "export_status", "export_download"):
        assert client.get(reverse(f"reports:{name}", args=[export.public_id])).status_code == 404
    assert Export.objects.count() == 1


def test_outsider_may_export_a_review_once_it_is_submitted(client, ready_review, author,
                                                           outsider, fake_pdf,
                                                           django_capture_on_commit_callbacks):
    document_submit(document=ready_review, by=author)
    client.force_login(outsider)
    response = post_export(client, ready_review, django_capture_on_commit_callbacks, **JSON)
    assert response.status_code == 202
    assert Export.objects.get(document=ready_review).status == Export.Status.DONE


def test_unknown_document_is_404(client, author):
    client.force_login(author)
    assert client.post(reverse("reports:export_create", args=["ORR-9999"])).status_code == 404


def test_get_on_post_views_is_405(client, review, author, ops_lead):
    client.force_login(author)
    assert client.get(export_url(review)).status_code == 405
    client.force_login(ops_lead)
    assert client.get(reverse("reports:weekly_generate", args=[W47])).status_code == 405


def test_post_on_read_views_is_405(client, review, author):
    client.force_login(author)
    export = Export.objects.create(document=review, kind=Export.Kind.ORR_PDF)
    for name in ("export", "export_status", "export_download"):
        assert client.post(reverse(f"reports:{name}", args=[export.public_id])).status_code == 405


def test_anonymous_visitors_are_sent_to_the_login(client, review):
    response = client.post(export_url(review))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_kind_without_print_layout_says_so(client, review, author, monkeypatch):
    monkeypatch.setitem(exports.LAYOUTS, Export.Kind.ORR_PDF, ("orr/nope.html", None))
    client.force_login(author)
    response = client.post(export_url(review), **JSON)
    assert response.status_code == 400 and "not available yet" in response.json()["error"]
    response = client.post(export_url(review))
    assert response.status_code == 302 and response.url == review.get_absolute_url()


# --- the weekly report ---------------------------------------------------------------------------


def test_anyone_reads_the_weekly_page(client, week47, outsider):
    client.force_login(outsider)
    response = client.get(reverse("reports:weekly", args=[W47]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ops review 2026-W47 (16–22 Nov 2026)" in html
    assert "<svg" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert reverse("reports:weekly_csv", args=[W47, "coes"]) in html
    assert reverse("reports:weekly_generate", args=[W47]) not in html  # not an ops lead


def test_weeks_that_do_not_exist_or_have_not_started_are_404(client, week47, author):
    client.force_login(author)
    assert client.get("/reports/weekly/2026-W60/").status_code == 404
    assert client.get("/reports/weekly/2026-W49/").status_code == 404  # in the future
    assert client.get(reverse("reports:weekly", args=["2026-W48"])).status_code == 200  # current


def test_week_picker_redirects_to_the_week(client, week47, author):
    client.force_login(author)
    response = client.get(reverse("reports:weekly_jump"), {"week": "2026-W45"})
    assert response.url == reverse("reports:weekly", args=["2026-W45"])
    assert client.get(reverse("reports:weekly_jump"), {"week": "soon"}).url == \
        reverse("reports:index")


def test_only_ops_leads_produce_a_week_on_demand(client, week47, author, fake_pdf):
    client.force_login(author)
    assert client.post(reverse("reports:weekly_generate", args=[W47])).status_code == 403
    assert not WeeklyReport.objects.exists()


def test_ops_lead_produces_a_past_week_without_mailing_it(client, week47, ops_lead, fake_pdf,
                                                          mailoutbox,
                                                          django_capture_on_commit_callbacks):
    client.force_login(ops_lead)
    url = reverse("reports:weekly_generate", args=["2026-W45"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **JSON)
    assert response.status_code == 202
    report = WeeklyReport.objects.get()
    assert report.export.status == Export.Status.DONE
    assert report.week.iso == "2026-W45" and report.requested_by == ops_lead
    assert mailoutbox == [] and report.emailed_at is None
    pdf = client.get(reverse("reports:weekly_pdf", args=["2026-W45"]))
    assert pdf.status_code == 302 and pdf.url == reverse(
        "reports:export_download", args=[report.export.public_id])
    assert client.get(pdf.url)["Content-Disposition"] == \
        'attachment; filename="ops-review-2026-W45.pdf"'
    page = client.get(reverse("reports:weekly", args=["2026-W45"])).content.decode()
    assert reverse("reports:weekly_pdf", args=["2026-W45"]) in page


def test_a_week_that_is_not_over_cannot_be_produced(client, week47, ops_lead):
    client.force_login(ops_lead)
    assert client.post(reverse("reports:weekly_generate", args=["2026-W48"])).status_code == 403


def test_weekly_pdf_before_it_exists_is_404(client, week47, author):
    client.force_login(author)
    assert client.get(reverse("reports:weekly_pdf", args=[W47])).status_code == 404


def test_csv_download_of_one_table(client, week47, author):
    client.force_login(author)
    response = client.get(reverse("reports:weekly_csv", args=[W47, "actions-by-team"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == \
        'attachment; filename="ops-review-2026-W47-actions-by-team.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Team,Opened,Closed,Open at week end,Overdue",
        "Payments,1,0,2,1", "Platform,0,1,1,1", "Search,1,0,1,1",
    ]
    assert client.get(reverse("reports:weekly_csv", args=[W47, "nope"])).status_code == 404


def test_csv_zip_holds_one_file_per_table(client, week47, author):
    client.force_login(author)
    response = client.get(reverse("reports:weekly_csv_zip", args=[W47]))
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "ops-review-2026-W47/key-figures.csv" in names
    assert "ops-review-2026-W47/teams.csv" in names
    assert len(names) == 12


def test_reports_index_keeps_the_readiness_overview_and_lists_the_archive(client, week47,
                                                                          author):
    WeeklyReport.objects.create(week_start=week47["coes"]["A"].created_at.date().replace(day=16))
    client.force_login(author)
    html = client.get(reverse("reports:index")).content.decode()
    assert "Readiness today" in html and "Services that are not ready" in html
    assert "Overdue action items by team" in html
    assert reverse("reports:weekly", args=[W47]) in html
    assert 'type="week"' in html


def test_the_document_page_button_posts_to_the_export_view(rf, review, author):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = author
    html = render_to_string("reports/_export_button.html", {"document": review}, request=request)
    assert f'action="{export_url(review)}"' in html
    assert "data-export" in html and "data-export-status" in html
    assert 'name="csrfmiddlewaretoken"' in html
