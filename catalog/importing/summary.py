"""The plan as plain text: what the command prints (the page shows the same parts)."""

from __future__ import annotations

from catalog.importing.planning import Action, Entity, Plan


def summary_lines(plan: Plan, *, verbose: bool = False) -> list[str]:
    lines = []
    for entity in Entity:
        counts = {a: len(plan.of(entity, a)) for a in Action}
        lines.append(f"{entity.label}: {counts[Action.CREATE]} to create, "
                     f"{counts[Action.UPDATE]} to update, {counts[Action.UNCHANGED]} unchanged")
        if verbose:
            for change in plan.of(entity):
                if change.action != Action.UNCHANGED:
                    fields = ", ".join(change.diff)
                    lines.append(f"  {change.action} {change.label}"
                                 + (f" ({fields})" if fields else ""))
    for title, problems in (("Errors", plan.errors), ("Conflicts", plan.conflicts)):
        if problems:
            lines.append(f"{title}: {len(problems)}")
            lines += [f"  {p}" for p in problems]
    if plan.skipped:
        lines.append(f"Skipped (kinds not imported): {len(plan.skipped)}")
        lines += [f"  {s.source}:{s.line}: {s.kind} {s.name}" for s in plan.skipped]
    if plan.gone:
        lines.append(f"In the database but gone from the source (kept): {len(plan.gone)}")
        lines += [f"  {g.entity} {g.label} ({g.key})" for g in plan.gone]
    lines += [f"Note: {note}" for note in plan.notes]
    return lines
