"""Read a CSV of services, for organisations without a Backstage catalog.

Columns (header row required, any order): slug, name, team (required); tier, description,
repository, runbook, dashboard, oncall, tags (optional; tags comma-separated in the cell). An empty
cell means "the file does not say": an existing service keeps its value.
"""

from __future__ import annotations

import csv
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from catalog.importing.records import Owner, Parsed, Problem, ServiceRecord
from catalog.tags import parse_tags

REQUIRED = ("slug", "name", "team")
OPTIONAL = ("tier", "description", "repository", "runbook", "dashboard", "oncall", "tags")
LINK_COLUMNS = ("repository", "runbook", "dashboard")  # each the service link of that kind
LIMITS = {"slug": 60, "name": 120, "team": 120, "description": 5000, "oncall": 200}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_url = URLValidator(schemes=["http", "https"])


def _row(cells: dict, line: int, source: str, out: Parsed) -> None:
    problems = []
    for column in REQUIRED:
        if not cells.get(column):
            problems.append(f"{column} is required")
    for column, limit in LIMITS.items():
        if len(cells.get(column) or "") > limit:
            problems.append(f"{column} is longer than {limit} characters")
    slug = cells.get("slug") or ""
    if slug and not SLUG_RE.match(slug):
        problems.append(f"slug {slug!r} may hold only lower-case letters, digits and hyphens")
    tier = cells.get("tier") or None
    if tier is not None and tier not in {"1", "2", "3"}:
        problems.append(f"tier {tier!r} is not 1, 2 or 3")
    links = []
    for column in LINK_COLUMNS:
        url = cells.get(column)
        if not url:
            continue
        try:
            _url(url)
        except ValidationError:
            problems.append(f"{column} is not an http(s) address: {url!r}")
            continue
        links.append((column, column.capitalize(), url[:500]))
    tags = None
    if cells.get("tags"):
        try:
            tags = parse_tags(cells["tags"])
        except ValidationError as exc:
            problems += exc.messages
    if problems:
        out.problems += [Problem(source, line, message) for message in problems]
        return
    team = cells["team"]
    out.services.append(ServiceRecord(
        key=f"csv:{slug}", slug=slug, name=cells["name"], source=source, line=line,
        owner=Owner(text=team, slug=team.lower(), name=team),
        description=cells.get("description") or None,
        tier=int(tier) if tier else None,
        oncall_contact=cells.get("oncall") or None,
        links=links,
        tags=tags,
    ))


def read_csv(text: str, source: str) -> Parsed:
    out = Parsed(families={"csv"})
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        return Parsed(problems=[Problem(source, 1, f"not a valid CSV file: {exc}")])
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        message = "the header row must name the columns " + ", ".join(REQUIRED + OPTIONAL)
        if missing:
            message += f"; missing: {', '.join(missing)}"
        if unknown:
            message += f"; unknown: {', '.join(unknown)}"
        return Parsed(problems=[Problem(source, 1, message)])
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                out.problems.append(Problem(source, line, f"{len(cells)} cells where the header "
                                                          f"has {len(header)} columns"))
                continue
            _row({h: c.strip() for h, c in zip(header, cells, strict=True)}, line, source, out)
    except csv.Error as exc:
        out.problems.append(Problem(source, reader.line_num, f"not a valid CSV row: {exc}"))
    return out
