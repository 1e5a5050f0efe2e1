"""Gates: the named checks a document must pass before it moves on.

Each document kind registers its list of gates. The same list serves the page (shown before the
author presses submit) and the server (enforced on submit, on approve, and on any save that moves
a document into review or approval).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# A check returns None when it passes, or a message saying what is missing.
Check = Callable[["object"], "str | None"]


@dataclass(frozen=True)
class Gate:
    name: str
    label: str
    check: Check


@dataclass(frozen=True)
class GateResult:
    name: str
    label: str
    passed: bool
    message: str


_GATES: dict[str, list[Gate]] = {}


class GatesFailed(ValidationError):
    def __init__(self, failed: list[GateResult]):
        self.failed = failed
        names = ", ".join(f"{r.label} ({r.message})" for r in failed)
        super().__init__(f"Gates failing: {names}", code="gates_failed")


def gate(kind: str, name: str, label: str) -> Callable[[Check], Check]:
    """Register a check as a gate of a document kind, in declaration order."""

    def register(check: Check) -> Check:
        gates = _GATES.setdefault(kind, [])
        gates[:] = [g for g in gates if g.name != name]
        gates.append(Gate(name=name, label=label, check=check))
        return check

    return register


def gates_for(kind: str) -> list[Gate]:
    return list(_GATES.get(kind, []))


def evaluate(document) -> list[GateResult]:
    results = []
    for g in gates_for(document.kind):
        message = g.check(document)
        results.append(GateResult(g.name, g.label, message is None, message or "passes"))
    return results


def failing(document) -> list[GateResult]:
    return [r for r in evaluate(document) if not r.passed]


def enforce(document) -> None:
    failed = failing(document)
    if failed:
        raise GatesFailed(failed)
