"""Benchmark of the wording check: sentences per second, and the slowest input up to the cap.

    python tests/bench/bench_wording.py

Not collected by pytest (file name); keep it short, the machine is shared.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from wording import MAX_INPUT_CHARS, lint  # noqa: E402
from wording.engine import _lint  # noqa: E402
from wording.evaluate import CORPUS_DIR, read  # noqa: E402


def sentences_per_second(rounds: int = 3) -> float:
    rows = [r for name in ("dev", "heldout", "written") for r in read(CORPUS_DIR / f"{name}.jsonl")]
    lint("warm up the rule tables")
    started = time.process_time()
    for _ in range(rounds):
        _lint.cache_clear()  # the engine's work, not its memory of texts it has seen
        for row in rows:
            lint(row["text"], row["field"], row.get("participants"))
    return rounds * len(rows) / (time.process_time() - started)


def slowest_long_input() -> tuple[str, float]:
    inputs = {
        "improve monitoring": "improve monitoring " * 5_300,
        "should have": "should have " * 9_100,
        "forgot": "forgot " * 14_300,
        "the engineer": "the engineer " * 7_700,
        "@mentions": "@a" * 50_000,
        "blame sentences": "The operator forgot to drain the node. " * 2_600,
    }
    worst = ("", 0.0)
    for name, text in inputs.items():
        for field in ("factor", "action"):
            _lint.cache_clear()
            started = time.process_time()
            lint(text[:MAX_INPUT_CHARS], field)
            elapsed = time.process_time() - started
            worst = max(worst, (f"{name} ({field})", elapsed), key=lambda w: w[1])
    return worst


if __name__ == "__main__":
    print(f"{sentences_per_second():,.0f} sentences/s (CPU time, corpus sentences)")
    name, seconds = slowest_long_input()
    print(f"slowest input of {MAX_INPUT_CHARS:,} characters: {name} {seconds:.3f} s (CPU time)")
