"""No model cycle between apps: `actions` knows only the shared core, the COE links its items.

docs/architecture.md: the migration graph has no actions -> postmortems -> actions chain, and no
model of `actions` points at a model of an app above it.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from actions.models import ActionItem
from postmortems import services as pm
from postmortems.models import ContributingFactor, FactorAction
from tests.actions.test_sources import make_coe

LOWER_FOR_ACTIONS = {"actions", "reviews", "catalog", "notifications", "auth", "contenttypes"}


def _app_dependencies(loader: MigrationLoader) -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for (app, _name), migration in loader.disk_migrations.items():
        for dep_app, _dep in migration.dependencies:
            if dep_app not in (app, "__setting__"):
                deps.setdefault(app, set()).add(dep_app)
    return deps


def _reaches(deps: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        app = todo.pop()
        for nxt in deps.get(app, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def test_no_actions_migration_depends_on_postmortems():
    deps = _app_dependencies(MigrationLoader(None, ignore_no_migrations=True))
    assert not _reaches(deps, "actions", "postmortems"), deps.get("actions")
    assert _reaches(deps, "postmortems", "actions")  # the COE links point down at actions


def test_no_app_cycle_in_the_migration_graph():
    """(actions <-> notifications is the table move of two tables between them, not a model
    cycle: notifications' models point only at the user.)"""
    deps = _app_dependencies(MigrationLoader(None, ignore_no_migrations=True))
    ours = {"catalog", "orr", "postmortems", "reports", "reviews"}
    cycles = [app for app in ours if _reaches(deps, app, app)]
    assert cycles == []


def test_action_item_models_point_only_at_lower_apps():
    for model in apps.get_app_config("actions").get_models():
        for field in model._meta.get_fields(include_hidden=False):
            if field.is_relation and field.concrete:
                assert field.related_model._meta.app_label in LOWER_FOR_ACTIONS, (
                    f"{model.__name__}.{field.name} -> {field.related_model._meta.label}"
                )


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_factor_links(questionnaires, checkout, author, reviewer,
                                                     today):
    """A database from before the move has actions_actionitem.source_factor_id: its links are
    copied into postmortems_factoraction and the column goes."""
    move = importlib.import_module("postmortems.migrations.0005_factor_action_links")
    coe = make_coe(checkout, author, [reviewer])
    factor = pm.factor_add(postmortem=coe, by=author, category="tooling", text="No canary.")
    item = pm.action_add(postmortem=coe, by=author, factor=factor, owner=author,
                         title="Add a canary stage", priority="P2", due_date=today)
    other = pm.action_add(postmortem=coe, by=author, owner=author, title="Write the runbook",
                          priority="P3", due_date=today)
    FactorAction.objects.all().delete()
    # The column as actions 0002 used to add it.
    with connection.schema_editor() as editor:
        field = models.ForeignKey(ContributingFactor, on_delete=models.SET_NULL, null=True)
        field.set_attributes_from_name("source_factor")
        field.model = ActionItem
        editor.add_field(ActionItem, field)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_actionitem SET source_factor_id = %s WHERE id = %s",
                       [factor.pk, item.pk])

    state = MigrationLoader(connection).project_state(("postmortems", "0005_factor_action_links"))
    with connection.schema_editor() as editor:
        assert move._has_old_column(editor)
        move.move_links(state.apps, editor)
        assert not move._has_old_column(editor)

    assert list(factor.action_items.all()) == [item]
    assert not FactorAction.objects.filter(item=other).exists()
    assert ActionItem.objects.count() == 2
