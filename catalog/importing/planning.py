"""Compare the records read from an upload with the database: what would be created, updated or
left alone, what clashes, and what the database has that the source no longer names.

Planning only reads. The plan is plain data (JSON-able), so its fingerprint tells the confirm
step whether the database moved since the preview.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.functions import Lower

from catalog.importing.records import Parsed, Problem, Skipped
from catalog.models import Membership, Service, ServiceLink, Team

DEFAULT_TIER = Service.Tier.TIER2
OTHER = ServiceLink.Kind.OTHER


class Entity(models.TextChoices):
    TEAM = "team", "Teams"
    PERSON = "person", "People"
    SERVICE = "service", "Services"
    MEMBERSHIP = "membership", "Memberships"


class Action(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "Unchanged"


@dataclass
class Change:
    entity: str
    action: str
    key: str
    label: str
    source: str = ""
    line: int | None = None
    pk: int | None = None
    values: dict = field(default_factory=dict)  # what the row gets (create: all, update: diff)
    diff: dict = field(default_factory=dict)  # field -> [before, after]
    summary: str = ""  # what a new row will be, in a few words, for the preview

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Gone:
    """A row the source used to name and no longer does: reported, never deleted."""

    entity: str
    key: str
    label: str


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    gone: list[Gone] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.errors or self.conflicts)

    def of(self, entity: str, action: str | None = None) -> list[Change]:
        return [c for c in self.changes
                if c.entity == entity and (action is None or c.action == action)]

    def counts(self) -> dict:
        counts = {e.value: {a.value: len(self.of(e, a)) for a in Action} for e in Entity}
        counts.update(errors=len(self.errors), conflicts=len(self.conflicts),
                      skipped=len(self.skipped), gone=len(self.gone))
        return counts

    def fingerprint(self) -> str:
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()


class _Planner:
    def __init__(self, parsed: Parsed):
        self.parsed = parsed
        self.plan = Plan(errors=list(parsed.problems), skipped=list(parsed.skipped))
        self.teams = list(Team.objects.all())
        self.team_by_key = {t.source_key: t for t in self.teams if t.source_key}
        self.team_by_slug = {t.slug: t for t in self.teams}
        self.team_by_name = {t.name.lower(): t for t in self.teams}
        self.services = list(Service.objects.select_related("team"))
        self.service_by_key = {s.source_key: s for s in self.services if s.source_key}
        self.service_by_slug = {s.slug: s for s in self.services}
        self.source_teams: dict = {}  # key -> TeamRecord
        self.team_match: dict = {}  # source key -> Team row (existing ones)
        self.source_team_slugs: dict = {}  # slug -> source key

    # --- helpers ---------------------------------------------------------------------------

    def error(self, record, message: str) -> None:
        self.plan.errors.append(Problem(record.source, record.line, message))

    def conflict(self, record, message: str) -> None:
        self.plan.conflicts.append(Problem(record.source, record.line, message))

    def unique(self, records: list, what: str, *fields: str) -> list:
        """Drop (and report) records repeating an earlier record's key, slug or username."""
        kept, seen = [], {f: {} for f in fields}
        for record in records:
            clash = next(((f, seen[f][getattr(record, f).lower()]) for f in fields
                          if getattr(record, f).lower() in seen[f]), None)
            if clash:
                name, first = clash
                label = {"key": "entity", "slug": "slug", "username": "username"}[name]
                self.error(record, f"duplicate {what} {label} {getattr(record, name)!r} "
                                   f"(first at {first.source}:{first.line})")
                continue
            for f in fields:
                seen[f][getattr(record, f).lower()] = record
            kept.append(record)
        return kept

    def match(self, record, by_key: dict, by_slug: dict, what: str):
        """The row a record updates: same source key, else an unkeyed row with its slug."""
        row = by_key.get(record.key)
        if row is not None:
            return row
        row = by_slug.get(record.slug)
        if row is not None and row.source_key:
            self.conflict(record, f"{what} slug {record.slug!r} is taken by {row.name!r}, "
                                  f"imported from {row.source_key}")
            return False
        return row

    @staticmethod
    def compare(row, wanted: dict) -> dict:
        return {name: [getattr(row, name), value] for name, value in wanted.items()
                if value is not None and getattr(row, name) != value}

    def add(self, entity: str, record, key: str, label: str, row, wanted: dict) -> Change:
        wanted = {k: v for k, v in wanted.items() if v is not None}
        if row is None:
            change = Change(entity, Action.CREATE, key, label, record.source, record.line,
                            values=wanted)
        else:
            diff = self.compare(row, wanted)
            change = Change(entity, Action.UPDATE if diff else Action.UNCHANGED, key, label,
                            record.source, record.line, pk=row.pk,
                            values={k: v[1] for k, v in diff.items()}, diff=diff)
        self.plan.changes.append(change)
        return change

    def team_ref(self, *, key: str = "", slug: str = "", name: str = "") -> str | None:
        """Where a service's or a membership's team is: "key:…" (in the upload) or "pk:…"."""
        if key and key in self.source_teams:
            return f"key:{key}"
        if key and key in self.team_by_key:
            return f"pk:{self.team_by_key[key].pk}"
        if slug and slug in self.source_team_slugs:
            return f"key:{self.source_team_slugs[slug]}"
        if slug and slug in self.team_by_slug:
            return f"pk:{self.team_by_slug[slug].pk}"
        if name and name.lower() in self.team_by_name:
            return f"pk:{self.team_by_name[name.lower()].pk}"
        return None

    def team_name(self, ref: str) -> str:
        if ref.startswith("key:"):
            return self.source_teams[ref[4:]].name
        return next(t.name for t in self.teams if t.pk == int(ref[3:]))

    def team_pk(self, ref: str) -> int | None:
        if ref.startswith("pk:"):
            return int(ref[3:])
        row = self.team_match.get(ref[4:])
        return row.pk if row else None

    # --- entities --------------------------------------------------------------------------

    def teams_(self) -> None:
        records = self.unique(self.parsed.teams, "group", "key", "slug")
        for record in records:
            row = self.match(record, self.team_by_key, self.team_by_slug, "team")
            if row is False:
                continue
            same_name = self.team_by_name.get(record.name.lower())
            if same_name is not None and same_name != row:
                self.conflict(record, f"a team named {record.name!r} already exists "
                                      f"({same_name.slug})")
                continue
            self.source_teams[record.key] = record
            self.source_team_slugs[record.slug] = record.key
            if row is not None:
                self.team_match[record.key] = row
            wanted = {"name": record.name, "description": record.description,
                      "email": record.email, "source_key": record.key}
            if row is None:
                wanted.update(slug=record.slug, description=record.description or "",
                              email=record.email or "")
            change = self.add(Entity.TEAM, record, record.key, record.name, row, wanted)
            change.summary = f"/teams/{record.slug}/ · {len(record.members)} member(s) listed"

    def people_(self) -> dict:
        records = self.unique(self.parsed.people, "user", "username")
        names = {r.username.lower() for r in records}
        names |= {m.lower() for t in self.source_teams.values() for m in t.members}
        users = {u.lname: u for u in get_user_model().objects.annotate(lname=Lower("username"))
                 .filter(lname__in=names)}
        for record in records:
            row = users.get(record.username.lower())
            wanted = {"email": record.email, "first_name": record.first_name,
                      "last_name": record.last_name}
            if row is None:
                wanted = {"username": record.username, **{k: v or "" for k, v in wanted.items()}}
            change = self.add(Entity.PERSON, record, record.username, record.username, row,
                              wanted)
            change.summary = " · ".join(filter(None, [
                f"{record.first_name or ''} {record.last_name or ''}".strip(), record.email]))
        known = {n: u.username for n, u in users.items()}
        for record in records:  # a person already here keeps the username they have
            known.setdefault(record.username.lower(), record.username)
        return known

    def services_(self) -> None:
        records = self.unique(self.parsed.services, "service", "key", "slug")
        links: dict = {}
        for link in ServiceLink.objects.all().only("service_id", "kind", "label", "url"):
            links.setdefault(link.service_id, []).append((link.kind, link.label, link.url))
        tags: dict = {}
        for service_id, tag in (Service.tags.through.objects.order_by("servicetag__slug")
                                .values_list("service_id", "servicetag__slug")):
            tags.setdefault(service_id, []).append(tag)
        new_without_tier = 0
        for record in records:
            owner = record.owner
            ref = self.team_ref(key=owner.key, slug=owner.slug, name=owner.name)
            if ref is None:
                self.plan.errors.append(Problem(
                    record.source, owner.line or record.line,
                    f"unknown owner {owner.text!r}: not a Group in the upload nor a team in "
                    "OpsReview"))
                continue
            row = self.match(record, self.service_by_key, self.service_by_slug, "service")
            if row is False:
                continue
            wanted = {"name": record.name, "description": record.description,
                      "tier": record.tier, "lifecycle": record.lifecycle,
                      "oncall_contact": record.oncall_contact, "source_key": record.key}
            if row is None:
                new_without_tier += record.tier is None
                wanted.update(slug=record.slug, tier=record.tier or DEFAULT_TIER, **{
                    k: v or "" for k, v in wanted.items()
                    if k in ("description", "lifecycle", "oncall_contact")})
            change = self.add(Entity.SERVICE, record, record.key, record.name, row, wanted)
            change.values["team"] = ref
            if row is None:
                change.summary = " · ".join(filter(None, [
                    f"tier {wanted['tier']}" + ("" if record.tier else " (default)"),
                    f"team {self.team_name(ref)}", record.lifecycle,
                    f"{len(record.links)} link(s)" if record.links else "",
                    f"tags {', '.join(record.tags)}" if record.tags else ""]))
            if row is not None and row.team_id != self.team_pk(ref):
                change.diff["team"] = [row.team.name, owner.text]
            self.plan_links(change, links.get(row.pk, []) if row is not None else [],
                            record.links)
            self.plan_tags(change, tags.get(row.pk, []) if row is not None else [], record.tags)
            if change.diff and change.action == Action.UNCHANGED:
                change.action = Action.UPDATE
        if new_without_tier:
            self.plan.notes.append(
                f"{new_without_tier} new service(s) name no tier in the source and get tier "
                f"{DEFAULT_TIER.value} (the default). Existing services keep their tier when the "
                "source names none.")

    @staticmethod
    def plan_links(change: Change, current: list, wanted: list) -> None:
        """Add or correct the source's links; links only OpsReview has are left alone.

        A repository, runbook, dashboard or on-call link is matched by its kind (a service has
        one of each), any other link by its address.
        """
        by_kind = {kind: (label, url) for kind, label, url in current if kind != OTHER}
        other = {url: label for kind, label, url in current if kind == OTHER}
        urls = {url for _, _, url in current}
        add, set_, relabel = [], {}, {}
        for kind, label, url in wanted:
            if kind != OTHER and kind in by_kind:
                if by_kind[kind] != (label, url):
                    set_[kind] = [label, url]
                    change.diff[f"{kind} link"] = [by_kind[kind][1], url]
            elif kind == OTHER and url in other:
                if other[url] != label:
                    relabel[url] = label
                    change.diff[f"link {url}"] = [other[url], label]
            elif url not in urls or kind != OTHER:
                add.append([kind, label, url])
                if change.pk:
                    change.diff[f"{kind} link" if kind != OTHER else f"link {label}"] = ["", url]
        for name, value in (("links_add", add), ("links_set", set_), ("links_relabel", relabel)):
            if value:
                change.values[name] = value

    @staticmethod
    def plan_tags(change: Change, current: list[str], wanted: list[str] | None) -> None:
        """The source's tags replace the service's when the source lists any (even none)."""
        if wanted is None or sorted(set(wanted)) == current:
            return
        change.values["tags"] = sorted(set(wanted))
        if change.pk:
            change.diff["tags"] = [", ".join(current), ", ".join(sorted(set(wanted)))]

    def memberships_(self, people: dict) -> None:
        wanted: dict = {}  # (team ref, username) -> (record, label)
        for team in self.source_teams.values():
            for member in team.members:
                wanted.setdefault((f"key:{team.key}", member.lower()), (team, team.name))
        for person in self.parsed.people:
            for group in person.groups:
                ref = self.team_ref(key=group)
                if ref is None:
                    self.error(person, f"memberOf {group!r} is not a Group in the upload nor a "
                                       "team in OpsReview")
                    continue
                wanted.setdefault((ref, person.username.lower()), (person, self.team_name(ref)))
        existing = set()
        team_pks = {self.team_pk(ref) for ref, _ in wanted} | {
            t.pk for t in self.team_match.values()}
        rows = (Membership.objects.filter(team_id__in=team_pks - {None})
                .values_list("team_id", "user__username"))
        for team_id, username in rows:
            existing.add((team_id, username.lower()))
        for (ref, username), (record, team_label) in wanted.items():
            if username not in people:
                self.error(record, f"member {username!r} of {team_label} is not a User in the "
                                   "upload nor a person in OpsReview")
                continue
            team_id = self.team_pk(ref)
            action = Action.UNCHANGED if (team_id, username) in existing else Action.CREATE
            self.plan.changes.append(Change(
                Entity.MEMBERSHIP, action, f"{ref}/{username}", f"{people[username]} in "
                f"{team_label}", record.source, record.line,
                values={"team": ref, "username": people[username]}))
        wanted_pairs = {(self.team_pk(ref), username) for ref, username in wanted}
        names = {t.pk: t.name for t in self.teams}
        for team_id, username in sorted(existing - wanted_pairs, key=str):
            if team_id in {t.pk for t in self.team_match.values()}:
                self.plan.gone.append(Gone(Entity.MEMBERSHIP, f"pk:{team_id}/{username}",
                                           f"{username} in {names.get(team_id, team_id)}"))

    def gone_(self) -> None:
        families = self.parsed.families
        keys = {r.key for r in self.parsed.teams} | {r.key for r in self.parsed.services}
        for entity, rows in ((Entity.TEAM, self.teams), (Entity.SERVICE, self.services)):
            for row in rows:
                family = row.source_key.partition(":")[0]
                retired = getattr(row, "retired_at", None) is not None  # already taken out
                if (row.source_key and family in families and row.source_key not in keys
                        and not retired):
                    self.plan.gone.append(Gone(entity, row.source_key, row.name))

    def run(self) -> Plan:
        self.teams_()
        people = self.people_()
        self.services_()
        self.memberships_(people)
        self.gone_()
        if self.parsed.services and settings.CATALOG_TIER_ANNOTATION:
            self.plan.notes.append(
                f"Tiers are read from the annotation {settings.CATALOG_TIER_ANNOTATION}, then "
                f"from a tag starting with {settings.CATALOG_TIER_TAG_PREFIX!r}.")
        return self.plan


def plan_import(parsed: Parsed) -> Plan:
    return _Planner(parsed).run()
