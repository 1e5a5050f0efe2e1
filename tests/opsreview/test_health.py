from unittest import mock

from django.db import connection


def test_healthz_touches_no_database(client):
    # No db fixture: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_with_migrations_applied(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert "not configured" in body["checks"]["broker"]


def test_readyz_is_503_when_the_database_is_gone(client, db):
    with mock.patch.object(connection, "ensure_connection", side_effect=OSError("gone")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unreachable")


def test_readyz_is_503_with_unapplied_migrations(client, db):
    with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan",
                    return_value=[("app", "0002")]):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "migrations not applied"


def test_readyz_checks_the_broker_when_configured(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("unreachable")
