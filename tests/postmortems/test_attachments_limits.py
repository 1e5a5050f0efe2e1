"""Uploads are refused before they are read; PDFs show the document's own attachments only."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from postmortems import services as pm
from reports import exports
from reports.models import Export


@pytest.fixture
def coe(questionnaires, checkout, author, reviewer):
    return pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), committee=[reviewer],
    )


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes that counts how much of it the server read."""

    def __init__(self, size):
        self.size, self.read_bytes = size, 0

    def read(self, n=-1):
        n = self.size - self.read_bytes if n is None or n < 0 else n
        n = min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"x" * n

    def readline(self, limit=-1):
        return self.read(min(limit, 65536) if limit and limit > 0 else 65536)


def test_an_oversized_upload_is_refused_by_its_length_before_it_is_read(client, coe, author):
    client.force_login(author)
    body = CountingBody(40 * 1024 * 1024)
    response = client.generic(
        "POST", reverse("postmortems:attachment_upload", args=[coe.code]), b"",
        content_type="multipart/form-data; boundary=XYZ",
        CONTENT_LENGTH=str(body.size), **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert "the limit is 5 MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not coe.attachments.exists()


def png(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def test_the_pdf_shows_the_documents_own_attachment_and_nothing_else(
        client, coe, author, checkout, questionnaires):
    client.force_login(author)
    other = pm.postmortem_create(
        service=checkout, by=author, title="Another", incident_tz="UTC", severity=3,
        incident_start=dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC),
    )
    for doc, color in ((coe, "red"), (other, "blue")):
        client.post(reverse("postmortems:attachment_upload", args=[doc.code]),
                    {"file": SimpleUploadedFile("graph.png", png(color))})
    own, foreign = coe.attachments.get(), other.attachments.get()
    own_url = reverse("postmortems:attachment", args=[coe.code, own.pk])
    foreign_url = reverse("postmortems:attachment", args=[other.code, foreign.pk])
    answer = coe.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=author, text=(
        f"![p99]({own_url}) ![theirs]({foreign_url}) ![raw](/media/{foreign.file.name})"))
    export = Export.objects.create(kind=Export.Kind.COE_PDF, document=coe, requested_by=author)
    pdf = PdfReader(io.BytesIO(exports.export_render(export)))
    images = [image for page in pdf.pages for image in page.images]
    assert images, "the document's own graph is missing from the PDF"
    assert {image.image.convert("RGB").getpixel((5, 5)) for image in images} == {(255, 0, 0)}
