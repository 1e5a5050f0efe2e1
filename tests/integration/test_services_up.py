"""The harness gives real services: readiness sees them, notices outages and recovers."""

import time

import pytest
from django.db import connections

from opsreview.celery import app as celery_app

from .conftest import WORKER_NODE, ping_worker, wait_for_worker

pytestmark = pytest.mark.usefixtures("redis_server")


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_readyz_ok_against_real_postgres_and_redis(client, db, settings):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    assert settings.REDIS_URL.startswith("redis://127.0.0.1:")

    status, body = readyz(client)

    assert status == 200, body
    assert body["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_reports_broker_down_quickly_and_recovers(client, db, redis_server):
    redis_server.stop()
    try:
        started = time.monotonic()
        status, body = readyz(client)
        elapsed = time.monotonic() - started
    finally:
        redis_server.start()

    assert status == 503, body
    assert body["checks"]["broker"].startswith("unreachable"), body
    assert body["checks"]["database"] == "ok"
    assert elapsed < 2, f"/readyz took {elapsed:.2f} s with Redis down"
    assert readyz(client)[0] == 200


def test_readyz_reports_database_down_and_app_recovers(client, transactional_db,
                                                       postgres_server):
    # transactional_db: no open test transaction that the shutdown would break. Close our
    # connections first so the stop does not wait on them and the next request reconnects.
    connections.close_all()
    postgres_server.stop()
    try:
        status, body = readyz(client)
    finally:
        postgres_server.start()

    assert status == 503, body
    assert body["checks"]["database"].startswith("unreachable"), body
    assert body["checks"]["broker"] == "ok"
    # Same process, no restart: the next request opens a fresh connection.
    status, body = readyz(client)
    assert status == 200, body


def test_worker_round_trip(celery_worker):
    replies = wait_for_worker(timeout=15)
    assert replies, f"no reply from the worker:\n{celery_worker.log_tail()}"
    assert replies == {WORKER_NODE: {"ok": "pong"}}

    registered = celery_app.control.inspect([WORKER_NODE], timeout=5).registered() or {}
    worker_tasks = registered[WORKER_NODE]
    project_tasks = {name for name in celery_app.tasks if not name.startswith("celery.")}
    # The worker loaded the same project code as this process.
    assert project_tasks <= set(worker_tasks)


def test_worker_can_be_killed_and_restarted(celery_worker):
    celery_worker.kill()
    assert not celery_worker.is_alive()
    assert ping_worker(timeout=1) == {}

    celery_worker.restart()

    assert celery_worker.is_alive()
    assert ping_worker(timeout=2)
