"""Weekly ops-review report: time and peak memory of building it, in a fresh process.

    DATABASE_URL=… python tests/bench/bench_report.py [--week 2026-W47]

The report is built seven times and the fastest time kept (a cold database cache is not the
report's cost), then once more under tracemalloc for the peak of the memory it allocates: the
process's maxrss cannot tell, since importing the app (WeasyPrint, fonts) already peaks higher.
The process's own maxrss is printed beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def available() -> bool:
    """Whether reports/selectors.py has the weekly report builder (it is being written)."""
    try:
        from reports import selectors
    except ImportError:
        return False
    return callable(getattr(selectors, "weekly_report", None))


def measure(env: dict[str, str], week: str | None = None) -> dict:
    """Run this file as a child process; returns its figures (seconds, peak_mb, maxrss_mb…)."""
    cmd = [sys.executable, __file__, "--json"] + (["--week", week] if week else [])
    out = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"weekly report failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--week", help="ISO week, default: the last complete one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsreview.settings")
    import django

    django.setup()
    from django.db import connection

    from reports.selectors import weekly_report
    from reports.weeks import Week

    week = Week.parse(args.week) if args.week else Week.last_complete()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # Write out what seeding left in shared buffers now, not while the report is timed.
        with contextlib.suppress(Exception):
            cursor.execute("CHECKPOINT")
    times = []
    for _ in range(7):
        began = time.perf_counter()
        rows = sum(len(t.rows) for t in weekly_report(week).tables)
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    weekly_report(week)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result = {"week": week.iso, "seconds": min(times), "peak_mb": peak,
              "maxrss_mb": _maxrss_mb(), "rows": rows}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"weekly report {result['week']}: {result['seconds']:.2f} s, "
              f"{result['peak_mb']:.0f} MB allocated at peak (process maxrss "
              f"{result['maxrss_mb']:.0f} MB), {result['rows']} table rows")


if __name__ == "__main__":
    main()
