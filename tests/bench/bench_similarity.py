"""Recurring-factor search at organisation scale: 5,000 COEs (15,000 factors), one COE's
similar factors, in well under a second. Pure matching on rows already read (the page reads
them in one query), so no database is needed.

    python tests/bench/bench_similarity.py [--coes 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

VOCABULARY = (
    "database connection pool bound exhausted certificate renewal alarm mailbox deploy "
    "rollback canary timeout retry storm cache stampede dns resolver quota throttling disk "
    "full log rotation memory leak garbage collector thread deadlock queue backlog consumer "
    "lag config flag rollout region failover replica lag schema migration lock index missing"
).split()


def corpus(coes: int, seed: int = 7):
    from learning.similarity import Row

    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = []
    for coe in range(coes):
        for f in range(3):
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(8, 16)))
            rows.append(Row(pk=coe * 3 + f, text=text, category=rng.choice(
                ["technical", "process", "tooling"]), postmortem_id=coe, code=f"COE-{coe:04d}",
                service_id=rng.randint(1, 500), incident_start=start + dt.timedelta(hours=coe)))
    return rows


def run(coes: int = 5000) -> float:
    """Seconds to find one COE's (3 factors) similar factors among `coes` COEs."""
    import django

    django.setup()
    from learning.similarity import match

    rows = corpus(coes)
    queries = rows[-3:]
    began = time.perf_counter()
    match(queries, rows[:-3])
    return time.perf_counter() - began


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsreview.settings")
    parser = argparse.ArgumentParser()
    parser.add_argument("--coes", type=int, default=5000)
    args = parser.parse_args()
    print(f"similar factors among {args.coes} COEs: {run(args.coes) * 1000:.0f} ms")
