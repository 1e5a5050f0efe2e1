"""What a source file says, read into plain records before anything is compared or written.

Readers (``backstage.py``, ``csv_services.py``) turn uploaded files into these records and a list
of problems; the planner compares the records with the database. Every record keeps the file
and line it came from, so every message can point at it. ``None`` in a field means "the source
does not say": the planner leaves that field alone on an existing row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Problem:
    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass
class Skipped:
    source: str
    line: int | None
    kind: str
    name: str


@dataclass
class Owner:
    """A service's owning team as the source names it; the planner finds the team."""

    text: str  # as written, for messages
    key: str = ""  # "group:default/payments" when the source uses entity references
    slug: str = ""  # the team slug it falls back to
    name: str = ""  # a team name (CSV)
    line: int | None = None  # where the source names the owner


@dataclass
class TeamRecord:
    key: str
    slug: str
    name: str
    source: str
    line: int | None
    description: str | None = None
    email: str | None = None
    members: list[str] = field(default_factory=list)  # usernames


@dataclass
class PersonRecord:
    username: str
    source: str
    line: int | None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    groups: list[str] = field(default_factory=list)  # team keys


@dataclass
class ServiceRecord:
    key: str
    slug: str
    name: str
    owner: Owner
    source: str
    line: int | None
    description: str | None = None
    tier: int | None = None
    lifecycle: str | None = None
    oncall_contact: str | None = None
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, label, url)
    tags: list[str] | None = None  # normalised (catalog.tags); None: the source does not say


@dataclass
class Parsed:
    """Everything read from one upload (one or many files)."""

    teams: list[TeamRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    services: list[ServiceRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Which key families the upload speaks for ("group", "component", "system", "csv"): only
    # rows from those families can be "gone from the source".
    families: set[str] = field(default_factory=set)

    def extend(self, other: Parsed) -> None:
        self.teams += other.teams
        self.people += other.people
        self.services += other.services
        self.problems += other.problems
        self.skipped += other.skipped
        self.families |= other.families

    def to_json(self) -> dict:
        data = asdict(self)
        data["families"] = sorted(self.families)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Parsed:
        return cls(
            teams=[TeamRecord(**t) for t in data.get("teams", [])],
            people=[PersonRecord(**p) for p in data.get("people", [])],
            services=[
                ServiceRecord(**{**s, "owner": Owner(**s["owner"]),
                                 "links": [tuple(link) for link in s["links"]]})
                for s in data.get("services", [])
            ],
            problems=[Problem(**p) for p in data.get("problems", [])],
            skipped=[Skipped(**s) for s in data.get("skipped", [])],
            families=set(data.get("families", [])),
        )
