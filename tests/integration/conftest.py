"""Fixtures for tests against real PostgreSQL, Redis and a Celery worker.

Run these through `python tests/harness.py integration`: the harness starts a throwaway
PostgreSQL and exports DATABASE_URL, REDIS_URL and TEST_PG_* for the fixtures below. Every test
in this folder is marked `integration` automatically.

- `redis_server`: a private redis-server on REDIS_URL's port; `.stop()` / `.start()`.
- `celery_worker`: a real `celery worker` subprocess (prefork, one child) on the test database;
  `.kill()` (SIGKILL, for "worker died mid-task"), `.restart()`, `.is_alive()`, `.log_path`.
  A test that kills it should restart it (in a finally) so later tests find it running.
- `postgres_server`: `.stop()` / `.start()` of the harness's PostgreSQL.

The worker is another process with its own database connection: it only sees rows that are
committed. Tests whose data the worker must read have to use `transactional_db` (not `db`,
whose transaction is never committed).

When a test using the worker fails, the tail of the worker's log is added to the report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery.utils.nodenames import host_format

from tests import harness

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# A concrete node name lets control commands address this worker and return on its reply
# instead of waiting out the whole timeout for other workers.
WORKER_NODE = host_format("test@%h")
LOG_TAIL_LINES = 60


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marker must be on the items before `-m` deselects by it.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and "celery_worker" in item.fixturenames:
        worker = item.funcargs.get("celery_worker")
        if worker is not None:
            report.sections.append(("celery worker log (tail)", worker.log_tail()))
    return report


# --- helpers ------------------------------------------------------------------------------


def require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run integration tests through "
            "`python tests/harness.py integration`",
            pytrace=False,
        )
    return value


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"(no log at {path})"


def record_pid(name: str, pid: int | None) -> None:
    """Leave the pid where the harness kills leftovers if pytest dies before teardown."""
    run_dir = os.environ.get("TEST_RUN_DIR")
    if not run_dir:
        return
    pidfile = Path(run_dir) / f"{name}.pid"
    if pid is None:
        pidfile.unlink(missing_ok=True)
    else:
        pidfile.write_text(str(pid))


def wait_until(check, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def stop_process_group(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM for a clean shutdown, SIGKILL to the whole group if it does not come."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # Kill stragglers too (prefork children), even when the parent already exited.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


# --- Redis --------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, url: str, workdir: Path):
        self.url = url
        self.port = urlsplit(url).port
        self.workdir = workdir
        self.log_path = workdir / "redis.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        try:
            cmd = harness.redis_command(self.port, self.workdir)
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        with open(self.log_path, "ab") as log:
            # Own session: a terminal Ctrl-C must not kill Redis before teardown stops it.
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        record_pid("redis", self.proc.pid)
        if not wait_until(self.ping, timeout=10):
            self.stop()
            pytest.fail(f"redis-server did not answer PING:\n{tail(self.log_path)}",
                        pytrace=False)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc, timeout=5)
            self.proc = None
            record_pid("redis", None)

    def ping(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return False
        return harness.redis_answers(self.url)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(require_env("REDIS_URL"), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


# --- Celery worker ------------------------------------------------------------------------


def worker_database_url() -> str:
    """DATABASE_URL with the database pytest-django created (test_opsreview) in its path."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    return urlsplit(require_env("DATABASE_URL"))._replace(path=f"/{name}").geturl()


def ping_worker(timeout: float = 1.0) -> dict:
    """The test worker's ping reply ({WORKER_NODE: {"ok": "pong"}}), {} when it did not answer."""
    from opsreview.celery import app

    try:
        replies = app.control.ping(destination=[WORKER_NODE], timeout=timeout)
    except Exception:  # broker unreachable or a stale pooled connection: "no answer"
        return {}
    return {name: answer for reply in replies for name, answer in reply.items()}


def wait_for_worker(timeout: float) -> dict:
    """Ping until the test worker answers (it may be reconnecting to a restarted Redis)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = ping_worker(timeout=1)
        if replies:
            return replies
    return {}


class CeleryWorker:
    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        # No mingle/gossip: nothing to sync with, and mingle alone adds a second to startup.
        cmd = [sys.executable, "-m", "celery", "-A", "opsreview", "worker", "--loglevel=INFO",
               "--pool=prefork", "--concurrency=1", "-n", WORKER_NODE, "-Q", "celery,pdf_big",
               "--without-mingle", "--without-gossip"]
        with open(self.log_path, "ab") as log:
            # Own session, so .kill() can SIGKILL the parent and its prefork child together.
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        record_pid("celery-worker", self.proc.pid)
        if not wait_until(self._answers, timeout=timeout, interval=0.5):
            self.stop()
            pytest.fail(
                f"celery worker did not answer ping within {timeout:.0f} s; log tail:\n"
                f"{self.log_tail()}",
                pytrace=False,
            )

    def _answers(self) -> bool:
        if not self.is_alive():
            return False
        return bool(ping_worker())

    def is_alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and its pool child at once, as a crash or OOM kill would."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc, timeout=15)
            self.proc = None
            record_pid("celery-worker", None)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)


@pytest.fixture(scope="session")
def celery_worker(redis_server, django_db_setup, tmp_path_factory):
    # django_db_setup: the test database exists (and is migrated) before the worker connects,
    # and, torn down after this fixture, is only dropped once the worker has disconnected.
    env = dict(os.environ)
    env.update(
        DATABASE_URL=worker_database_url(),
        REDIS_URL=redis_server.url,
        DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    worker = CeleryWorker(env, tmp_path_factory.mktemp("celery") / "worker.log")
    worker.start()
    yield worker
    worker.stop()


# --- PostgreSQL ---------------------------------------------------------------------------


class PostgresServer:
    def __init__(self):
        self.pg_ctl = require_env("TEST_PG_CTL")
        self.data = require_env("TEST_PG_DATA")
        self.log = require_env("TEST_PG_LOG")
        self.os_user = os.environ.get("TEST_PG_USER", "")

    def _run(self, *action: str) -> None:
        cmd = [self.pg_ctl, "-D", self.data, "-l", self.log, "-w", "-t", "60", *action]
        if self.os_user and os.geteuid() == 0:
            # The server refuses to run as root; the harness created it as this user.
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(action)} failed:\n{out.stdout}{out.stderr}")

    def stop(self) -> None:
        """Fast shutdown: open sessions (this process's, the worker's) are cut off."""
        self._run("-m", "fast", "stop")

    def start(self) -> None:
        self._run("start")

    def is_running(self) -> bool:
        return (Path(self.data) / "postmaster.pid").exists()


@pytest.fixture(scope="session")
def postgres_server(django_db_setup):
    # Depending on django_db_setup makes this fixture's teardown run before the test database
    # is dropped, so a server left stopped is back in time for that.
    server = PostgresServer()
    yield server
    # A fault test that forgot its finally must not leave the test database undroppable.
    if not server.is_running():
        server.start()
