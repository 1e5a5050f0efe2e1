import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from postmortems import services as pm
from postmortems.attachments import detect_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def coe(questionnaires, checkout, author, reviewer):
    return pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), committee=[reviewer],
    )


def upload(client, coe, name, content):
    return client.post(reverse("postmortems:attachment_upload", args=[coe.code]),
                       {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_png_graph_is_attached_and_served_safely(client, coe, author):
    client.force_login(author)
    response = upload(client, coe, "p99.png", PNG)
    attachment = coe.attachments.get()
    assert "Attached “p99.png”" in response.content.decode()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert not attachment.file.name.endswith("p99.png")  # stored under a random name
    served = client.get(reverse("postmortems:attachment", args=[coe.code, attachment.pk]))
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG


@pytest.mark.parametrize("name, content", [
    ("graph.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("fake.png", b"<script>alert(1)</script>"),
    ("data.csv", b"<script>alert(1)</script>"),
])
def test_scriptable_or_disguised_files_are_refused(client, coe, author, name, content):
    client.force_login(author)
    response = upload(client, coe, name, content)
    assert "Only PNG, JPEG, GIF, PDF and CSV" in response.content.decode()
    assert not coe.attachments.exists()


def test_too_large_files_are_refused(client, coe, author, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(author)
    assert "the limit is" in upload(client, coe, "big.png", PNG + b"\x00" * 2000).content.decode()
    assert not coe.attachments.exists()


def test_outsider_can_neither_upload_nor_download_a_draft_attachment(client, coe, author,
                                                                     outsider):
    client.force_login(author)
    upload(client, coe, "p99.png", PNG)
    attachment = coe.attachments.get()
    client.force_login(outsider)
    assert client.get(reverse("postmortems:attachment",
                              args=[coe.code, attachment.pk])).status_code == 404
    assert upload(client, coe, "x.png", PNG).status_code == 404


def test_committee_can_read_but_not_upload(client, coe, author, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("postmortems:attachment_upload", args=[coe.code]),
                           {"file": SimpleUploadedFile("x.png", PNG)})
    assert response.status_code == 403


def test_type_detection_by_content():
    assert detect_type(PNG, "anything.bin") == ("image/png", "png")
    assert detect_type(b"%PDF-1.7", "report.pdf") == ("application/pdf", "pdf")
    assert detect_type(b"time,errors\n09:19,532\n", "errors.csv") == ("text/csv", "csv")
    assert detect_type(b"time,errors\n", "errors.txt") is None
