"""The COE wording check through its compatibility module, and the management command.

The engine and its rules are tested in ``tests/wording``; this file checks that the old import
path keeps its API and that ``manage.py blamelint`` keeps its interface.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from postmortems.blamelint import (
    BLOCK,
    FIELDS,
    HUMAN_ERROR_RE,
    MAX_INPUT_CHARS,
    RULES,
    WARN,
    amounts_to_human_error,
    has_blocking,
    lint,
)

REPO = Path(__file__).resolve().parents[2]
FAMILIES = {"blame", "counterfactual", "vague_action"}

# Command tests need the Django project: pytest-django sets DJANGO_SETTINGS_MODULE, and running
# with -p no:django leaves it unset.
needs_django = pytest.mark.skipif(
    "DJANGO_SETTINGS_MODULE" not in os.environ, reason="needs the Django project (pytest-django)"
)


# --- spans, severity, API -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "phrase", "rule"),
    [
        ("The operator forgot to drain the node.", "factor", "forgot to", "blame"),
        ("John ran the migration against production.", "factor", "John", "blame"),
        ("@alice pushed the change without review.", "summary", "@alice", "blame"),
        ("Root cause: human error.", "factor", "human error", "blame"),
        ("The on-call engineer made a mistake.", "lesson", "made a mistake", "blame"),
        ("The new hire deleted the table.", "factor", "new hire", "blame"),
        ("The engineer failed to drain the node.", "factor", "failed to", "counterfactual"),
        ("We should have had a canary stage.", "factor", "should have had", "counterfactual"),
        ("Obviously the TTL was too long.", "factor", "Obviously", "counterfactual"),
        ("Improve documentation.", "action", "Improve documentation", "vague_action"),
        ("We need to move to Fortran.", "action", "move to Fortran", "vague_action"),
        (
            "Detection was fine.\nThen the on-call engineer\nmade a mistake.",
            "factor",
            "made a mistake",
            "blame",
        ),
    ],
)
def test_span_covers_the_offending_phrase(text, field, phrase, rule):
    found = lint(text, field)
    assert [(text[f.start : f.end], f.rule) for f in found] == [(phrase, rule)]


KEYS = ["rule", "severity", "start", "end", "message", "suggestion", "rule_id", "category"]


def test_finding_is_frozen_and_serialises_with_its_rule_id_and_category():
    finding = lint("The operator forgot to drain the node.")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.severity = WARN  # type: ignore[misc]
    data = finding.to_dict()
    assert list(data) == KEYS
    assert (data["rule"], data["category"], data["rule_id"]) == ("blame", "blame", "forgot")
    assert data["message"] and data["suggestion"]
    json.dumps(data)


def test_blame_blocks_in_factor_summary_and_lesson_but_warns_in_an_action():
    text = "The operator forgot to drain the node."
    assert [f.severity for f in lint(text, "factor")] == [BLOCK]
    assert [f.severity for f in lint(text, "summary")] == [BLOCK]
    assert [f.severity for f in lint(text, "lesson")] == [BLOCK]
    assert [f.severity for f in lint(text, "action")] == [WARN]


def test_vague_action_blocks_an_action_warns_a_lesson_and_is_ignored_elsewhere():
    text = "Be more careful with deploys."
    assert [f.severity for f in lint(text, "action")] == [BLOCK]
    assert [f.severity for f in lint(text, "lesson")] == [WARN]
    assert lint(text, "factor") == []
    assert lint(text, "summary") == []


def test_counterfactual_warns_unless_a_person_did_it_in_a_factor():
    generic = "We should have had a canary stage."
    assert {f.severity for field in FIELDS for f in lint(generic, field)} == {WARN}
    person = "The engineer failed to drain the node."
    assert [f.severity for f in lint(person, "factor")] == [BLOCK]
    assert [f.severity for f in lint(person, "summary")] == [WARN]


def test_action_items_may_name_their_owner():
    text = "Add a canary stage to the deploy pipeline; owner @alice."
    assert lint(text, "action") == []
    assert [f.rule for f in lint(text, "factor")] == ["blame"]


def test_has_blocking():
    assert has_blocking(lint("Root cause: human error.")) is True
    assert has_blocking(lint("We should have had a canary stage.")) is False
    assert has_blocking([]) is False


@pytest.mark.parametrize(
    "text",
    [
        "The operator forgot to drain the node.",
        "Root cause: human error.",
        "John ran the cleanup script against production.",
        "The engineer failed to drain the node before the upgrade.",
        "The operator should have drained the node first.",
        "A careless change to the firewall rules.",
        "An engineer fat-fingered the replica count.",
        "The intern deleted the backups bucket.",
    ],
)
def test_wording_that_amounts_to_human_error(text):
    assert amounts_to_human_error(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "The deploy pipeline had no canary stage, so the bad config reached all regions.",
        "The job failed to acquire the lock.",
        "We should have had a canary stage.",
        "Obviously the TTL was too long.",
        "A configuration mistake in the template was not caught by validation.",
        "The user error page was served for all requests.",
        "The Kubernetes operator failed to reconcile the CRD.",
        "",
    ],
)
def test_wording_that_does_not_amount_to_human_error(text):
    assert amounts_to_human_error(text) is False


def test_human_error_re_is_a_quick_vocabulary_check():
    assert HUMAN_ERROR_RE.search("It was Operator Error.")
    assert HUMAN_ERROR_RE.search("The engineer made a mistake")
    assert not HUMAN_ERROR_RE.search("The error rate rose to 5%.")


def test_bad_field_raises_value_error():
    with pytest.raises(ValueError, match="field"):
        lint("anything", "title")


def test_case_insensitive_multiline_sorted_and_without_overlaps():
    text = (
        "ROOT CAUSE: HUMAN ERROR.\n"
        "the new hire made a mistake and forgot to drain the node;\n"
        "we SHOULD HAVE had a canary, and obviously the operator failed to check."
    )
    found = lint(text)
    assert [f.start for f in found] == sorted(f.start for f in found)
    for family in FAMILIES:
        spans = [(f.start, f.end) for f in found if f.rule == family]
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))
    phrases = {text[f.start : f.end].lower() for f in found}
    assert {"human error", "made a mistake", "forgot to", "should have had", "obviously"} <= phrases


def test_only_the_first_100k_characters_are_checked():
    assert MAX_INPUT_CHARS == 100_000
    filler = "ok " * (MAX_INPUT_CHARS // 3)
    inside = filler[: MAX_INPUT_CHARS - 40] + " the operator forgot to drain the node. "
    assert [f.rule for f in lint(inside)] == ["blame"]
    beyond = filler + "x" * 100 + " the operator forgot to drain the node."
    assert len(beyond) > MAX_INPUT_CHARS
    assert lint(beyond) == []
    assert amounts_to_human_error(beyond) is False
    assert all(f.end <= MAX_INPUT_CHARS for f in lint("forgot " * 30_000))


def test_pathological_inputs_finish_quickly():
    # Catastrophic backtracking would take minutes; the bound is loose for slow CI machines.
    # Short repetitive inputs are enough to expose super-linear patterns.
    inputs = [
        "@a" * 15_000,
        ", failed to" * 3_000,
        "move " * 6_000 + "to fortran",
        "the engineer " * 2_000 + "made",
        "should have " * 3_000,
        "mistake " * 4_000,
        "improve documentation " * 1_500,
        "(" * 30_000,
    ]
    started = time.perf_counter()
    lint("a" * 1_000_000)  # past the cap: costs no more than 100k characters
    for text in inputs:
        for field in ("factor", "action"):  # between them, every rule runs
            lint(text, field)
    assert time.perf_counter() - started < 10


def test_the_old_import_path_exposes_the_engine_rules():
    import wording

    assert RULES == wording.rules()
    assert {rule.rule for rule in RULES} == FAMILIES
    assert lint is wording.lint


# --- management command ---------------------------------------------------------------------


MIXED_INPUT = "The operator forgot to drain the node.\n\nThe job failed to acquire the lock.\n"


@needs_django
def test_command_json_prints_one_array_per_line_and_exits_1_on_block():
    from django.core.management import call_command

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "blamelint", "--format", "json", "-", stdin=io.StringIO(MIXED_INPUT), stdout=out
        )
    assert exit_info.value.code == 1
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 3
    assert rows[1] == [] and rows[2] == []
    (finding,) = rows[0]
    assert set(finding) == set(KEYS)
    assert (finding["rule"], finding["severity"]) == ("blame", "block")


@needs_django
def test_command_text_format_reports_findings_and_exits_0_on_warnings(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(sys, "stdin", io.StringIO("We should have had a canary stage.\n"))
    out = io.StringIO()
    call_command("blamelint", "-", stdout=out)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"line 1:3-18 \[warn\] counterfactual: .+\. -- .+", lines[0])
    assert lines[-1] == "1 finding(s) in 1 line(s): 0 block, 1 warn"


@needs_django
def test_command_reads_a_file_with_a_field(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "actions.txt"
    path.write_text("Improve documentation.\nAdd an alarm on p99 latency > 800 ms.\n")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("blamelint", "--field", "action", str(path), stdout=out)
    assert exit_info.value.code == 1
    assert out.getvalue().startswith("line 1:0-21 [block] vague_action: ")
    assert "line 2:" not in out.getvalue()


@needs_django
def test_command_refuses_a_missing_file(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as error:
        call_command("blamelint", str(tmp_path / "missing.txt"), stdout=io.StringIO())
    assert error.value.returncode == 2


def _run_cli(text: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "opsreview.settings")
    # The settings refuse to start without a key when DEBUG is off; any value will do here.
    env.setdefault("SECRET_KEY", "blamelint-test-only-" + "k" * 50)
    return subprocess.run(
        [sys.executable, "manage.py", "blamelint", "--format", "json", "-"],
        cwd=REPO,
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_reads_stdin_prints_json_lines_and_sets_the_exit_status():
    blocking = _run_cli(MIXED_INPUT)
    assert blocking.returncode == 1, blocking.stderr
    rows = [json.loads(line) for line in blocking.stdout.splitlines()]
    assert [len(row) for row in rows] == [1, 0, 0]
    assert set(rows[0][0]) == set(KEYS)
    assert rows[0][0]["severity"] == "block"

    clean = _run_cli("The job failed to acquire the lock.\nWe should have had a canary.\n")
    assert clean.returncode == 0, clean.stderr
    rows = [json.loads(line) for line in clean.stdout.splitlines()]
    assert rows[0] == []
    assert [f["severity"] for f in rows[1]] == ["warn"]


@needs_django
def test_command_evaluates_a_labelled_file(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "The operator forgot to drain the node.", "label": "blame", "field": "factor"},
        {"text": "Improve monitoring.", "label": "vague_action", "field": "action"},
        {"text": "The job failed to acquire the lock.", "label": "clean", "field": "factor"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = io.StringIO()
    call_command("blamelint", "--evaluate", str(path), stdout=out)
    text = out.getvalue()
    assert "blame           recall 1.000 (1/1)  precision 1.000 (1/1)" in text
    assert "vague_action    recall 1.000 (1/1)" in text
    assert "clean flagged 0.0% (0/1), clean blocking 0.0% (0/1)" in text


@needs_django
def test_command_evaluate_refuses_a_bad_label(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "x", "label": "rude"}) + "\n")
    with pytest.raises(CommandError, match="label"):
        call_command("blamelint", "--evaluate", str(path), stdout=io.StringIO())
