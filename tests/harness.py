"""Run the test suite against the embedded defaults or against real services on loopback.

    python tests/harness.py unit [pytest args...]         SQLite, Celery eager, no services
    python tests/harness.py integration [pytest args...]  throwaway PostgreSQL + Redis + worker

Integration mode starts a private PostgreSQL cluster in a temporary directory and picks a free
port for Redis; the pytest fixtures in tests/integration/conftest.py start Redis and the Celery
worker themselves, so fault tests can stop and restart them. Everything is torn down afterwards,
whatever happens. pytest's "no tests collected" (exit code 5) is reported as success, so CI
never fails on an empty selection.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_OS_USER = "postgres"
NO_TESTS_COLLECTED = 5


def say(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    # The kernel hands out an unused port for port 0; the tiny race until the server binds it
    # is acceptable for a test run.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    # The embedded defaults apply only when these are absent; a developer's shell may set them.
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "PAGE_CACHE_SECONDS"):
        env.pop(name, None)
    env["DEBUG"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def warn_about_dotenv() -> None:
    # settings.py reads .env for variables missing from the environment, so a .env written for
    # docker compose would silently point the unit run at real services.
    dotenv = REPO / ".env"
    if not dotenv.is_file():
        return
    names = {line.split("=", 1)[0].strip() for line in dotenv.read_text().splitlines()}
    for name in sorted(names & {"DATABASE_URL", "REDIS_URL", "CACHE_URL"}):
        say(f"warning: .env sets {name}; it overrides the embedded default in unit mode")


# --- Redis --------------------------------------------------------------------------------


def redis_command(port: int, workdir: Path) -> list[str]:
    """A private, memory-only redis-server on loopback."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server not found: install the 'redis-server' package")
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(workdir)]


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


# --- PostgreSQL ---------------------------------------------------------------------------


def pg_bindir() -> Path:
    """pg_config's bindir when it holds the server programs, else the newest Debian cluster."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    # Debian keeps server binaries off PATH, one directory per major version.
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in debian), key=_major_version, reverse=True)
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    sys.exit(
        "harness: PostgreSQL server programs (initdb, pg_ctl) not found via `pg_config --bindir`"
        " or /usr/lib/postgresql/*/bin. Install the 'postgresql' package (make test does)."
    )


def _major_version(bindir: Path) -> int:
    name = bindir.parent.name
    return int(name) if name.isdigit() else -1


def as_pg_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; as anyone else they run as that user.
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("runuser"):
        sys.exit("harness: running as root needs `runuser` (util-linux) to drop to 'postgres'")
    return ["runuser", "-u", PG_OS_USER, "--", *cmd]


def make_pg_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="opsreview-test-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(root, user=PG_OS_USER, group=None)
        except LookupError:
            shutil.rmtree(root)
            sys.exit(f"harness: no OS user '{PG_OS_USER}' (the postgresql package creates it)")
    return root


def run_checked(cmd: list[str], what: str) -> None:
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{what} failed ({out.returncode}):\n{out.stdout}{out.stderr}")


def init_cluster(bindir: Path, root: Path, port: int) -> Path:
    data = root / "data"
    run_checked(
        as_pg_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"]),
        f"initdb (is {root} reachable by the '{PG_OS_USER}' user? set TMPDIR otherwise)",
    )
    # Settings go into the config file rather than `pg_ctl -o`, so the fault-test fixture can
    # restart the server with a bare `pg_ctl start` and get the same port and socket dir.
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# tests/harness.py: loopback only, private socket dir, durability off for speed\n"
            f"listen_addresses = '127.0.0.1'\nport = {port}\n"
            f"unix_socket_directories = '{root}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    )
    return data


def pg_ctl(bindir: Path, data: Path, log: Path, action: str) -> list[str]:
    cmd = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
    if action == "stop":
        cmd += ["-m", "fast"]
    return as_pg_user([*cmd, action])


def start_postgres(bindir: Path, root: Path) -> dict[str, str]:
    port = free_port()
    data = init_cluster(bindir, root, port)
    log = root / "postgres.log"
    run_checked(pg_ctl(bindir, data, log, "start"), f"pg_ctl start (see {log})")
    run_checked(
        [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "opsreview"],
        "createdb opsreview",
    )
    say(f"PostgreSQL ({bindir}) on 127.0.0.1:{port}, data {data}")
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/opsreview",
        "TEST_PG_CTL": str(bindir / "pg_ctl"),
        "TEST_PG_DATA": str(data),
        "TEST_PG_LOG": str(log),
        "TEST_PG_USER": PG_OS_USER if os.geteuid() == 0 else "",
    }


def stop_postgres(bindir: Path, root: Path) -> None:
    data = root / "data"
    if (data / "postmaster.pid").exists():
        out = subprocess.run(pg_ctl(bindir, data, root / "postgres.log", "stop"),
                             capture_output=True, text=True)
        if out.returncode != 0:
            say(f"pg_ctl stop failed: {out.stderr.strip()}")


# --- leftovers ----------------------------------------------------------------------------


def kill_leftovers(run_dir: Path) -> None:
    """Kill services a fixture started but could not stop (pytest killed, crashed)."""
    for pidfile in run_dir.glob("*.pid"):
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            pgid = int(pidfile.read_text())
            # Fixtures start their services in a new session, so pid == process group id.
            os.killpg(pgid, signal.SIGKILL)
            say(f"killed leftover {pidfile.stem} (process group {pgid})")


# --- pytest -------------------------------------------------------------------------------


def run_pytest(marker: str, args: list[str], env: dict[str, str]) -> int:
    cmd = [sys.executable, "-m", "pytest", "-m", marker, *args]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        # A terminal Ctrl-C reached pytest too; a second SIGINT could cut its teardown short.
        wait_or_kill(proc)
        raise
    except BaseException:
        # SIGINT (not SIGTERM) lets pytest run fixture teardown: Redis, the worker.
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        wait_or_kill(proc)
        raise
    if code < 0:  # killed by a signal: report it the way a shell would (128 + N)
        code = 128 - code
    if code == NO_TESTS_COLLECTED:
        say("pytest collected no tests for this selection; reporting success")
        return 0
    return code


def wait_or_kill(proc: subprocess.Popen) -> None:
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def exit_on_signal(signum, _frame) -> None:
    # Turn SIGTERM/SIGHUP (CI cancelling the job) into an exception so every finally runs.
    raise SystemExit(128 + signum)


def unit(args: list[str]) -> int:
    warn_about_dotenv()
    say("unit: SQLite, Celery eager (no DATABASE_URL, no REDIS_URL)")
    return run_pytest("not integration", args, base_env())


def integration(args: list[str]) -> int:
    bindir = pg_bindir()
    root = make_pg_dir()
    try:
        env = base_env()
        env.update(start_postgres(bindir, root))
        redis_port = free_port()
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        env["TEST_RUN_DIR"] = str(root)
        say(f"Redis port {redis_port} (started by the redis_server fixture)")
        return run_pytest("integration", args, env)
    finally:
        kill_leftovers(root)
        stop_postgres(bindir, root)
        shutil.rmtree(root, ignore_errors=True)
        say("PostgreSQL stopped, temporary directory removed")


MODES = {"unit": unit, "integration": integration}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGHUP, exit_on_signal)
    try:
        return MODES[argv[0]](argv[1:])
    except RuntimeError as exc:
        say(str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
