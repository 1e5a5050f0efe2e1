"""Guards against pathological slowness of the wording check.

The bounds are deliberately generous (CPU time, on a shared machine): they catch a blow-up
(catastrophic backtracking, quadratic look-arounds), not a few per cent. The real figures are
printed by ``tests/bench/bench_wording.py``.
"""

from __future__ import annotations

import time

import pytest

from wording import MAX_INPUT_CHARS, lint

PATHOLOGICAL = {
    "improve monitoring": "improve monitoring " * 5_300,
    "improve monitoring.": "Improve monitoring. " * 5_000,
    "mentions": "@a" * 50_000,
    "should have": "should have " * 9_100,
    "the engineer": "the engineer " * 7_700,
    "forgot": "forgot " * 14_300,
    "had ... would have": "Had the engineer checked, it would have " * 2_500,
    "no spaces": "a" * MAX_INPUT_CHARS,
    "brackets": "(" * MAX_INPUT_CHARS,
    "names": "Priya " * 16_700,
    "did not": "did not " * 12_500,
    "blame sentences": "The operator forgot to drain the node. " * 2_600,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_no_input_up_to_the_cap_blows_up(name):
    text = PATHOLOGICAL[name][:MAX_INPUT_CHARS]
    for field in ("factor", "action"):  # between them, every rule runs
        started = time.process_time()
        lint(text, field, participants=["Priya Shah"])
        # The target is 0.5 s; the bound is loose so that a loaded CI machine does not flake.
        assert time.process_time() - started < 2.0, (name, field)


def test_text_past_the_cap_costs_no_more_than_the_cap():
    started = time.process_time()
    lint("a" * (10 * MAX_INPUT_CHARS))
    assert time.process_time() - started < 2.0
