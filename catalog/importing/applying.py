"""Write a plan, in one transaction, and keep the record of it.

``catalog_import_preview`` keeps the records read from the upload on a ``CatalogImport`` row;
``catalog_import_confirm`` plans them again and applies only when the plan is still the one
that was previewed. Any failure rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.importing.planning import Action, Change, Entity, Plan, plan_import
from catalog.importing.records import Parsed, Problem
from catalog.importing.sources import SourceFile, read_sources
from catalog.models import CatalogImport, Membership, OrgEvent, Service, ServiceLink, Team
from catalog.services import org_log
from catalog.tags import tags_for

PREVIEW_LIFETIME = dt.timedelta(hours=1)
# Plan values that are not columns of the row itself.
NOT_FIELDS = ("team", "links_add", "links_set", "links_relabel", "tags")


class ImportRefused(Exception):
    """The plan has errors or conflicts, or the preview is gone: nothing was written."""


@dataclass
class Outcome:
    plan: Plan
    record: CatalogImport | None = None
    applied: bool = False
    # The database moved between preview and confirm: this is the new plan to look at.
    stale: bool = False


def _save_row(model, row, change: Change, extra: dict | None = None):
    values = {k: v for k, v in change.values.items() if k not in NOT_FIELDS}
    values.update(extra or {})
    if row is None:
        return model.objects.create(**values)
    for name, value in values.items():
        setattr(row, name, value)
    if values:
        row.save(update_fields=[*values, *(["updated_at"] if hasattr(row, "updated_at") else [])])
    return row


def _describe(diff: dict) -> str:
    return "; ".join(f"{name} “{str(old)[:60]}” → “{str(new)[:60]}”"
                     for name, (old, new) in diff.items())


def _log(change: Change, *, by, team=None, service=None, person=None) -> None:
    """One audit event per created or updated entity, as a change made on the pages leaves."""
    Verb = OrgEvent.Verb
    created = change.action == Action.CREATE
    diff = {name: [str(old), str(new)] for name, (old, new) in change.diff.items()}
    if change.entity == Entity.TEAM:
        verb, message = ((Verb.TEAM_CREATED, f"Team {team.name} created") if created else
                         (Verb.TEAM_CHANGED, f"Team {team.name}: {_describe(diff)}"))
    elif change.entity == Entity.PERSON:
        # The log has no verb of its own for a person's details; the import's verb says it.
        verb, message = ((Verb.CATALOG_IMPORTED, f"{person.username} added") if created else
                         (Verb.CATALOG_IMPORTED, f"{person.username}: {_describe(diff)}"))
    elif change.entity == Entity.SERVICE:
        team = service.team
        moved = diff.pop("team", None)  # a move is logged as a move, as the pages do
        if moved:
            org_log(by=by, verb=Verb.SERVICE_MOVED, service=service, team=team,
                    message=f"Service {service.name} moved from {moved[0]} to {team.name} "
                            "(catalog import)", source=change.key)
        if not (created or diff):
            return
        verb, message = ((Verb.SERVICE_CREATED, f"Service {service.name} created for "
                                                f"{team.name}") if created else
                         (Verb.SERVICE_CHANGED, f"Service {service.name}: {_describe(diff)}"))
    else:
        verb, message = Verb.MEMBER_ADDED, f"{person.username} added to {team.name} as member"
    org_log(by=by, verb=verb, message=f"{message} (catalog import)", team=team,
            service=service, person=person, source=change.key, changes=diff)


def _apply(plan: Plan, *, by) -> list[dict]:
    if plan.blocked:
        raise ImportRefused("the plan has errors or conflicts")
    team_pks = {c.pk for c in plan.of(Entity.TEAM) if c.pk}
    team_pks |= {int(c.values["team"][3:]) for c in plan.changes
                 if c.values.get("team", "").startswith("pk:")}
    teams = {f"pk:{pk}": team for pk, team in Team.objects.in_bulk(team_pks).items()}
    for change in plan.of(Entity.TEAM):
        team = _save_row(Team, teams.get(f"pk:{change.pk}"), change)
        teams[f"key:{change.key}"] = team
        if change.action != Action.UNCHANGED:
            _log(change, by=by, team=team)

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(pk__in=[
        c.pk for c in plan.of(Entity.PERSON) if c.pk])}
    by_pk = {u.pk: u for u in users.values()}
    for change in plan.of(Entity.PERSON):
        if change.action == Action.CREATE:
            user = User(**change.values)
            user.set_unusable_password()  # they sign in through the identity provider
            user.save()
        else:
            user = _save_row(User, by_pk[change.pk], change)
        users[user.username] = user
        if change.action != Action.UNCHANGED:
            _log(change, by=by, person=user)

    services = Service.objects.in_bulk([c.pk for c in plan.of(Entity.SERVICE) if c.pk])
    for change in plan.of(Entity.SERVICE):
        extra = {"team": teams[change.values["team"]]} if (
            change.action == Action.CREATE or "team" in change.diff) else {}
        service = _save_row(Service, services.get(change.pk), change, extra)
        ServiceLink.objects.bulk_create([
            ServiceLink(service=service, kind=kind, label=label, url=url)
            for kind, label, url in change.values.get("links_add", [])])
        for kind, (label, url) in change.values.get("links_set", {}).items():
            ServiceLink.objects.filter(service=service, kind=kind).update(label=label, url=url)
        for url, label in change.values.get("links_relabel", {}).items():
            ServiceLink.objects.filter(service=service, url=url, kind=ServiceLink.Kind.OTHER
                                       ).update(label=label)
        if "tags" in change.values:
            service.tags.set(tags_for(change.values["tags"]))
        if change.action != Action.UNCHANGED:
            _log(change, by=by, service=service)

    missing = [c for c in plan.of(Entity.MEMBERSHIP, Action.CREATE)
               if c.values["username"] not in users]
    for username, user in User.objects.in_bulk(
            [c.values["username"] for c in missing], field_name="username").items():
        users[username] = user
    for change in plan.of(Entity.MEMBERSHIP, Action.CREATE):
        team, user = teams[change.values["team"]], users[change.values["username"]]
        Membership.objects.create(team=team, user=user)
        _log(change, by=by, team=team, person=user)
    return [{"entity": c.entity, "action": c.action, "key": c.key, "label": c.label,
             "diff": {k: [str(v[0]), str(v[1])] for k, v in c.diff.items()}}
            for c in plan.changes if c.action != Action.UNCHANGED]


def _apply_and_record(plan: Plan, record: CatalogImport) -> CatalogImport:
    try:
        with transaction.atomic():
            record.changes = _apply(plan, by=record.created_by)
            record.status = CatalogImport.Status.APPLIED
            record.applied_at = timezone.now()
            record.counts = plan.counts()
            record.save()
            counts = plan.counts()
            created = sum(counts[e][Action.CREATE] for e in Entity)
            updated = sum(counts[e][Action.UPDATE] for e in Entity)
            org_log(by=record.created_by, verb=OrgEvent.Verb.CATALOG_IMPORTED,
                    message=f"Catalog imported from {', '.join(record.sources)[:300]}: "
                            f"{created} created, {updated} updated",
                    import_id=record.pk, counts=counts)
    except IntegrityError as exc:
        # Someone wrote the same rows between planning and applying: nothing of ours stayed.
        plan.conflicts.append(Problem("database", None, f"changed while importing ({exc}); "
                                                        "preview again"))
        raise ImportRefused("the database changed while importing") from exc
    return record


def catalog_import_preview(*, files: list[SourceFile], by) -> Outcome:
    """Read and plan an upload; keep it for the confirm step unless it cannot be applied."""
    parsed, digest = read_sources(files)
    plan = plan_import(parsed)
    if plan.blocked:
        return Outcome(plan=plan)
    # Previews nobody confirmed are worth nothing after their lifetime.
    CatalogImport.objects.filter(status=CatalogImport.Status.PREVIEWED,
                                 created_at__lt=timezone.now() - PREVIEW_LIFETIME).delete()
    record = CatalogImport.objects.create(
        digest=digest, sources=[f.name for f in files], records=parsed.to_json(),
        plan_fingerprint=plan.fingerprint(), counts=plan.counts(), created_by=by,
    )
    return Outcome(plan=plan, record=record)


def pending_preview(*, digest: str, by) -> CatalogImport | None:
    return (CatalogImport.objects
            .filter(digest=digest, created_by=by, status=CatalogImport.Status.PREVIEWED,
                    created_at__gte=timezone.now() - PREVIEW_LIFETIME)
            .order_by("-created_at").first())


def catalog_import_confirm(*, record: CatalogImport) -> Outcome:
    """Apply a previewed upload, unless the database moved so the plan is no longer the same."""
    plan = plan_import(Parsed.from_json(record.records))
    if plan.fingerprint() != record.plan_fingerprint:
        record.plan_fingerprint = plan.fingerprint()
        record.counts = plan.counts()
        record.save(update_fields=["plan_fingerprint", "counts"])
        return Outcome(plan=plan, record=record, stale=True)
    return Outcome(plan=plan, record=_apply_and_record(plan, record), applied=True)


def catalog_import_run(*, files: list[SourceFile], by=None, dry_run: bool = False) -> Outcome:
    """Read, plan and (unless a dry run or refused) apply in one go: the command's path."""
    parsed, digest = read_sources(files)
    plan = plan_import(parsed)
    if dry_run or plan.blocked:
        return Outcome(plan=plan)
    record = CatalogImport(digest=digest, sources=[f.name for f in files],
                           records=parsed.to_json(), plan_fingerprint=plan.fingerprint(),
                           created_by=by)
    return Outcome(plan=plan, record=_apply_and_record(plan, record), applied=True)
