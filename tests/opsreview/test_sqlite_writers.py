"""Concurrent writers on SQLite wait for each other instead of failing "database is locked".

The suite's own database is SQLite in memory, where locking differs; the writers run in a
separate process against a file database, as `make run` does.
"""

import json
import subprocess
import sys

from tests.conftest import REPO


def test_concurrent_writers_on_sqlite_all_succeed_or_are_refused_by_a_rule(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tests.opsreview.sqlite_writers", str(tmp_path / "db.sqlite3")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    for path in ("milestone", "milestone+autosave", "action item", "factor"):
        assert outcome[path] == {"saved": 12}, (path, outcome[path])
    # Exactly one reviewer's approval completes the ORR; the others find it no longer in review.
    assert outcome["approval"] == {"saved": 1, "refused": 11}, outcome["approval"]
