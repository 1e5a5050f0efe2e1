"""Measure the wording check against a labelled file (JSON lines).

Each line: {"text": ..., "label": "clean" | "blame" | "counterfactual" | "vague_action",
"field": "factor" | "summary" | "lesson" | "action", "participants": [...]?}.

* recall per category: the share of sentences labelled with it that get a finding of it;
* precision per category: the share of sentences with a finding of it that are labelled with it;
* clean flagged: the share of clean sentences with any finding; clean blocking: with a blocking one.

``python -m wording.evaluate FILE.jsonl`` prints the figures; ``manage.py blamelint --evaluate``
does the same from the project.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wording.engine import BLOCK, CATEGORIES, FIELDS, lint

CORPUS_DIR = Path(__file__).with_name("corpus")
LABELS = ("clean", *CATEGORIES)
SPLIT_SEED = 16
HELDOUT_SHARE = 0.3


@dataclass
class Report:
    total: int = 0
    labelled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    flagged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    correct_flags: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    clean_flagged: int = 0
    clean_blocking: int = 0
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)

    def recall(self, category: str) -> float:
        n = self.labelled[category]
        return self.found[category] / n if n else 1.0

    def precision(self, category: str) -> float:
        n = self.flagged[category]
        return self.correct_flags[category] / n if n else 1.0

    @property
    def blame_cf_recall(self) -> float:
        n = self.labelled["blame"] + self.labelled["counterfactual"]
        return (self.found["blame"] + self.found["counterfactual"]) / n if n else 1.0

    @property
    def clean_flagged_rate(self) -> float:
        return self.clean_flagged / self.labelled["clean"] if self.labelled["clean"] else 0.0

    @property
    def clean_blocking_rate(self) -> float:
        return self.clean_blocking / self.labelled["clean"] if self.labelled["clean"] else 0.0

    def lines(self) -> list[str]:
        counts = ", ".join(f"{k} {v}" for k, v in self.labelled.items())
        out = [f"{self.total} sentences: {counts}"]
        for c in CATEGORIES:
            out.append(
                f"{c:15} recall {self.recall(c):.3f} ({self.found[c]}/{self.labelled[c]})"
                f"  precision {self.precision(c):.3f} ({self.correct_flags[c]}/{self.flagged[c]})"
            )
        out.append(f"blame+counterfactual recall {self.blame_cf_recall:.3f}")
        out.append(
            f"clean flagged {self.clean_flagged_rate:.1%} ({self.clean_flagged}/"
            f"{self.labelled['clean']}), clean blocking {self.clean_blocking_rate:.1%} "
            f"({self.clean_blocking}/{self.labelled['clean']})"
        )
        return out


def read(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("label") not in LABELS:
                raise ValueError(f"{path}:{number}: label must be one of {', '.join(LABELS)}")
            if row.get("field", "factor") not in FIELDS:
                raise ValueError(f"{path}:{number}: field must be one of {', '.join(FIELDS)}")
            rows.append(row)
    return rows


def evaluate(rows: Iterable[dict]) -> Report:
    report = Report()
    for row in rows:
        report.total += 1
        label = row["label"]
        report.labelled[label] += 1
        findings = lint(row["text"], row.get("field", "factor"), row.get("participants"))
        categories = {f.rule for f in findings}
        for c in categories:
            report.flagged[c] += 1
            if c == label:
                report.correct_flags[c] += 1
        if label == "clean":
            if findings:
                report.clean_flagged += 1
                report.false_alarms.append({**row, "found": sorted(f.rule_id for f in findings)})
            if any(f.severity == BLOCK for f in findings):
                report.clean_blocking += 1
        elif label in categories:
            report.found[label] += 1
        else:
            report.misses.append(row)
    return report


def split(rows: list[dict], seed: int = SPLIT_SEED, share: float = HELDOUT_SHARE):
    """(dev, held-out): a fixed-seed shuffle, the first ``share`` held out. Done once, before
    any tuning; the committed files are the result, this is how they were made."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    held = set(order[: round(len(rows) * share)])
    return (
        [r for i, r in enumerate(rows) if i not in held],
        [r for i, r in enumerate(rows) if i in held],
    )


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    for path in [a for a in argv if a != "-v"] or [CORPUS_DIR / "dev.jsonl"]:
        report = evaluate(read(path))
        print(f"== {path}")
        print("\n".join(report.lines()))
        if verbose:
            for row in report.misses:
                print(f"  MISS [{row['label']}/{row.get('field')}] {row['text']}")
            for row in report.false_alarms:
                print(f"  FALSE ALARM {row['found']} [{row.get('field')}] {row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
