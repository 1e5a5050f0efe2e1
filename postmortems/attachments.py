"""Supporting data uploads: graphs, screenshots and data files, checked by content, not name."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from postmortems.models import Attachment, Postmortem
from reviews.access import get_document_for_user
from reviews.events import Verb

# Detected from the first bytes; SVG and HTML are never accepted (they can carry scripts).
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def detect_type(head: bytes, name: str) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if name.lower().endswith(".csv"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"<" not in head:
            return "text/csv", "csv"
    return None


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Graph, screenshot or data (PNG, JPEG, GIF, PDF, CSV)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is "
                f"{settings.UPLOAD_MAX_BYTES // 1024} KB.")
        head = upload.read(4096)
        upload.seek(0)
        detected = detect_type(head, upload.name)
        if detected is None:
            raise forms.ValidationError("Only PNG, JPEG, GIF, PDF and CSV files can be attached.")
        upload.detected = detected
        return upload


def attachment_add(*, postmortem: Postmortem, by, upload) -> Attachment:
    content_type, extension = upload.detected
    # A random stored name: the user's file name is only shown, never used as a path.
    stored = ContentFile(upload.read(), name=f"{secrets.token_hex(12)}.{extension}")
    attachment = Attachment.objects.create(
        postmortem=postmortem, file=stored, name=upload.name[:200],
        content_type=content_type, size=upload.size, uploaded_by=by,
    )
    postmortem.log(by, Verb.ATTACHMENT_ADDED, f"Attached “{attachment.name}”",
                   attachment=attachment.pk)
    return attachment


def _postmortem(request, code, action):
    return get_document_for_user(
        request, code, action, queryset=Postmortem.objects.select_related("service")
    )


@require_POST
def upload(request, code):
    postmortem = _postmortem(request, code, "edit")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = attachment_add(postmortem=postmortem, by=request.user,
                                    upload=form.cleaned_data["file"])
        url = reverse("postmortems:attachment", args=[code, attachment.pk])
        messages.success(request, f"Attached “{attachment.name}”. Show it in an answer with "
                                  f"![graph]({url})")
    else:
        messages.error(request, "Not attached: " + " ".join(form.errors.get("file", [])))
    return redirect(f"{postmortem.get_absolute_url()}#supporting-data")


def download(request, code, pk):
    postmortem = _postmortem(request, code, "view")
    attachment = get_object_or_404(postmortem.attachments, pk=pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=not attachment.is_image, filename=attachment.name)
    # The file is shown as what we detected, never sniffed, and can run nothing if opened.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def delete(request, code, pk):
    postmortem = _postmortem(request, code, "edit")
    attachment = get_object_or_404(postmortem.attachments, pk=pk)
    attachment.file.delete(save=False)
    attachment.delete()
    postmortem.log(request.user, Verb.ATTACHMENT_DELETED, f"Removed “{attachment.name}”")
    return redirect(f"{postmortem.get_absolute_url()}#supporting-data")
