"""Restoring a backup: attachments round-trip in an archive; hostile backups are refused."""

import datetime as dt
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from postmortems import services as pm
from postmortems.models import Attachment
from reviews.models import Document

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def backup_json(tmp_path) -> list[dict]:
    path = tmp_path / "backup.json"
    call_command("export_data", output=str(path))
    return json.loads(path.read_text())


def empty_database():
    call_command("flush", interactive=False, verbosity=0)


def restore(tmp_path, rows, *args):
    path = tmp_path / "restore.json"
    path.write_text(json.dumps(rows))
    call_command("import_data", str(path), *args)


def row(rows, model, **match):
    return next(r for r in rows if r["model"] == model
                and all(r["fields"].get(k) == v for k, v in match.items()))


@pytest.fixture
def coe_with_graph(client, questionnaires, checkout, author, reviewer):
    coe = pm.postmortem_create(
        service=checkout, by=author, title="Checkout 502s", incident_tz="UTC", severity=2,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), committee=[reviewer],
    )
    client.force_login(author)
    client.post(reverse("postmortems:attachment_upload", args=[coe.code]),
                {"file": SimpleUploadedFile("p99.png", PNG)})
    return coe


def test_an_archive_round_trips_with_attachment_files(tmp_path, client, coe_with_graph,
                                                      author, settings):
    archive = tmp_path / "backup.zip"
    call_command("export_data", output=str(archive))
    with zipfile.ZipFile(archive) as z:
        assert "MANIFEST.json" in z.namelist()
        assert any(n.startswith("media/attachments/") for n in z.namelist())
    attachment = Attachment.objects.get()
    stored = settings.MEDIA_ROOT / attachment.file.name
    empty_database()
    stored.unlink()
    call_command("import_data", str(archive))
    restored = Attachment.objects.get()
    user = get_user_model().objects.get(username="author")
    client.force_login(user)
    response = client.get(reverse("postmortems:attachment",
                                  args=[restored.postmortem.code, restored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_rows_only_backup_with_attachments_is_refused(tmp_path, coe_with_graph):
    rows = backup_json(tmp_path)
    empty_database()
    with pytest.raises(CommandError, match="not in the backup"):
        restore(tmp_path, rows)
    assert not Document.objects.exists()


def test_a_tampered_archive_is_refused(tmp_path, coe_with_graph):
    archive = tmp_path / "backup.zip"
    call_command("export_data", output=str(archive))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"Checkout 502s", b"Checkout 503s"))
    empty_database()
    with pytest.raises(CommandError, match="checksum"):
        call_command("import_data", str(tampered))
    assert not Document.objects.exists()


def test_an_archive_with_a_path_out_of_media_is_refused(tmp_path, coe_with_graph):
    archive = tmp_path / "backup.zip"
    call_command("export_data", output=str(archive))
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("media/../../evil.py", b"print('owned')")
    empty_database()
    with pytest.raises(CommandError, match="Unsafe"):
        call_command("import_data", str(archive))


def test_superuser_flags_in_a_backup_are_refused(tmp_path, review):
    rows = backup_json(tmp_path)
    row(rows, "auth.user", username="author")["fields"]["is_superuser"] = True
    empty_database()
    with pytest.raises(CommandError, match="superuser"):
        restore(tmp_path, rows)
    assert not get_user_model().objects.exists()


def test_export_never_writes_superuser_flags(tmp_path, review, django_user_model):
    django_user_model.objects.create_superuser("root", password="pw")
    rows = backup_json(tmp_path)
    assert row(rows, "auth.user", username="root")["fields"]["is_superuser"] is False


def test_an_invalid_workflow_state_is_refused(tmp_path, review):
    rows = backup_json(tmp_path)
    next(r for r in rows if r["model"] == "reviews.document")["fields"]["state"] = "shipped"
    empty_database()
    with pytest.raises(CommandError, match="rules"):
        restore(tmp_path, rows)
    assert not Document.objects.exists()


def test_an_over_long_answer_is_refused(tmp_path, review):
    rows = backup_json(tmp_path)
    next(r for r in rows if r["model"] == "reviews.answer")["fields"]["text"] = "x" * 100_001
    empty_database()
    with pytest.raises(CommandError, match="at most 100,000"):
        restore(tmp_path, rows)


def test_a_database_with_users_is_refused_unless_merging(tmp_path, review, django_user_model):
    rows = backup_json(tmp_path)
    empty_database()
    admin = django_user_model.objects.create_superuser("admin", password="admin-password")
    # A backup whose user has the admin's primary key must not overwrite the admin.
    row(rows, "auth.user", username="author")["pk"] = admin.pk
    with pytest.raises(CommandError, match="--merge"):
        restore(tmp_path, rows)
    restore(tmp_path, rows, "--merge")
    admin.refresh_from_db()
    assert admin.username == "admin" and admin.is_superuser
    assert admin.check_password("admin-password")
    author = django_user_model.objects.get(username="author")
    assert author.pk != admin.pk and not author.is_superuser
    assert Document.objects.get(code=review.code).author == author
