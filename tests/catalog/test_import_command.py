"""python manage.py import_catalog PATH… [--dry-run]: the same engine, for scripts."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import CatalogImport, Service

from .import_helpers import BACKSTAGE, snapshot

pytestmark = pytest.mark.django_db


def command(*args) -> str:
    out = io.StringIO()
    call_command("import_catalog", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_summary_and_changes_nothing():
    before = snapshot()
    out = command(str(BACKSTAGE), "--dry-run")
    assert "Services: 13 to create, 0 to update, 0 unchanged" in out
    assert "Memberships: 6 to create" in out
    assert "Skipped (kinds not imported): 3" in out
    assert "Dry run: nothing was changed." in out
    assert snapshot() == before and not CatalogImport.objects.exists()


def test_import_then_again_is_unchanged(django_user_model):
    django_user_model.objects.create_user("importer")
    command(str(BACKSTAGE / "org.yaml"), str(BACKSTAGE / "payments"), str(BACKSTAGE / "platform"),
            str(BACKSTAGE / "identity-search.yaml"), "--by", "importer")
    assert Service.objects.count() == 13
    assert CatalogImport.objects.get().created_by.username == "importer"

    out = command(str(BACKSTAGE))
    assert "Services: 0 to create, 0 to update, 13 unchanged" in out


def test_errors_exit_non_zero_and_change_nothing(tmp_path):
    bad = tmp_path / "catalog-info.yaml"
    bad.write_text("kind: Component\nmetadata:\n  name: ledger\nspec:\n  owner: nobody\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_catalog", str(bad), stdout=out)
    assert f"{bad}:5: unknown owner 'nobody'" in out.getvalue()
    assert not Service.objects.exists()


def test_missing_path_is_an_error():
    with pytest.raises(CommandError, match="no such file"):
        command("/nonexistent/catalog-info.yaml")
