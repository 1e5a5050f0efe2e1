"""The catalog import on PostgreSQL: partial unique keys, JSON plans, case-blind usernames."""

import pytest
from django.db import IntegrityError, transaction

from catalog.importing import Action, catalog_import_run
from catalog.models import CatalogImport, Service, Team
from tests.catalog.import_helpers import backstage_files, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_server")]


def test_fixture_imports_once_and_again_changes_nothing(django_user_model):
    django_user_model.objects.create_user("ALICE")  # matched without regard to case

    catalog_import_run(files=backstage_files())
    before = snapshot()
    outcome = catalog_import_run(files=backstage_files())

    assert all(c.action == Action.UNCHANGED for c in outcome.plan.changes)
    assert snapshot() == before
    assert Service.objects.count() == 13 and Team.objects.count() == 4
    assert not django_user_model.objects.filter(username="alice").exists()
    assert CatalogImport.objects.filter(status="applied").count() == 2


def test_source_keys_are_unique_but_blank_ones_are_not():
    Team.objects.create(name="A", slug="a")
    Team.objects.create(name="B", slug="b")  # two hand-made teams: both without a key
    Team.objects.create(name="C", slug="c", source_key="group:default/c")
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="D", slug="d", source_key="group:default/c")
