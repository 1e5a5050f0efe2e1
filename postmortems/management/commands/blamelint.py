"""Run the COE blame wording check over text, one text per line.

    python manage.py blamelint --field action actions.txt
    echo "The operator forgot to drain the node" | python manage.py blamelint --format json -
    python manage.py blamelint --evaluate wording/corpus/heldout.jsonl

Exits with status 1 when any finding blocks, so it can gate a script or a CI job. With
``--evaluate FILE.jsonl`` (one labelled sentence per line, see ``wording/evaluate.py``) it prints
precision and recall per category and how many clean sentences were flagged or blocked instead.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import IO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from postmortems.blamelint import BLOCK, FIELDS, Finding, lint
from wording import evaluate as evaluation


class Command(BaseCommand):
    help = (
        "Check postmortem wording for blame, hindsight and vague action items. Reads one text "
        "per line from FILE, or from standard input with '-'. Exits 1 if a finding blocks."
    )
    # A text tool: it needs no database, URLs or models, so it also works while the rest of the
    # project is being set up.
    requires_system_checks: list[str] = []
    # Lets tests and callers pass call_command(..., stdin=io.StringIO(...)).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", metavar="FILE|-", nargs="?", help="file to read, or - for stdin"
        )
        parser.add_argument(
            "--field",
            choices=FIELDS,
            default="factor",
            help="which part of the postmortem the lines are (severity depends on it)",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--evaluate",
            metavar="FILE.jsonl",
            help="measure the check against labelled sentences and print the figures",
        )

    def handle(self, *args: str, **options) -> None:
        if options.get("evaluate"):
            self._evaluate(options["evaluate"])
            return
        path = options["path"]
        if path is None:
            raise CommandError("give a FILE to check, - for stdin, or --evaluate FILE.jsonl")
        if path == "-":
            blocking = self._run(options.get("stdin") or sys.stdin, options)
        else:
            try:
                with open(path, encoding="utf-8", errors="replace") as lines:
                    blocking = self._run(lines, options)
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        if blocking:
            # SystemExit rather than CommandError: the report is already on stdout, and both
            # call_command and the CLI then end with status 1 without an extra error message.
            raise SystemExit(1)

    def _evaluate(self, path: str) -> None:
        try:
            rows = evaluation.read(path)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        except ValueError as exc:  # a bad label or field, or a line that is not JSON
            raise CommandError(f"cannot evaluate {path}: {exc}", returncode=2) from exc
        for line in evaluation.evaluate(rows).lines():
            self.stdout.write(line)

    def _run(self, lines: IO[str] | Iterable[str], options: dict) -> bool:
        as_json = options["format"] == "json"
        field = options["field"]
        counts = {"lines": 0, "findings": 0, BLOCK: 0}
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r\n")
            findings = lint(line, field)
            counts["lines"] = number
            counts["findings"] += len(findings)
            counts[BLOCK] += sum(f.severity == BLOCK for f in findings)
            if as_json:
                self.stdout.write(json.dumps([f.to_dict() for f in findings], ensure_ascii=False))
            else:
                for finding in findings:
                    self.stdout.write(_text_line(number, finding))
        if not as_json:
            self.stdout.write(
                f"{counts['findings']} finding(s) in {counts['lines']} line(s): "
                f"{counts[BLOCK]} block, {counts['findings'] - counts[BLOCK]} warn"
            )
        return counts[BLOCK] > 0


def _text_line(number: int, f: Finding) -> str:
    return f"line {number}:{f.start}-{f.end} [{f.severity}] {f.rule}: {f.message} -- {f.suggestion}"
