import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from reviews.models import Document
from reviews.services import document_decide, document_submit


def export(tmp_path, name):
    path = tmp_path / name
    call_command("export_data", output=str(path))
    return path


@pytest.mark.django_db(transaction=True)
def test_export_then_import_round_trips_losslessly(tmp_path, ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    document_decide(document=ready_review, reviewer=reviewer, verdict="approve", reason="ok")
    first = export(tmp_path, "first.json")
    call_command("flush", interactive=False, verbosity=0)
    assert not Document.objects.exists()
    call_command("import_data", str(first))
    second = export(tmp_path, "second.json")
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    restored = Document.objects.get(code=ready_review.code)
    assert restored.state == "approved"
    assert restored.readinessreview.milestones.count() == 1


@pytest.mark.django_db(transaction=True)
def test_times_keep_their_microseconds(tmp_path, review):
    """Django's own JSON keeps milliseconds only: a restored row would differ from the original."""
    exact = datetime.datetime(2026, 3, 4, 5, 6, 7, 123, tzinfo=datetime.UTC)
    Document.objects.filter(pk=review.pk).update(created_at=exact)
    path = export(tmp_path, "backup.json")
    call_command("flush", interactive=False, verbosity=0)
    call_command("import_data", str(path))
    assert Document.objects.get(code=review.code).created_at == exact


def test_import_refuses_a_database_that_has_documents(tmp_path, review):
    path = export(tmp_path, "backup.json")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_data", str(path))
