"""Changes to the organisation: teams, services, people and their roles.

Every change is one function here and leaves one row in the append-only audit log (OrgEvent).
Views check who may call them (reviews.permissions.can_manage_org); these functions assume
valid input, except where they name themselves check_….
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Membership, OrgEvent, Service, ServiceLink, Team, ops_leads_group
from catalog.tags import tags_for

TEAM_FIELDS = ("name", "slug", "description", "email", "chat")
SERVICE_FIELDS = ("name", "slug", "tier", "team", "description", "oncall_contact")
LINK_KINDS = (ServiceLink.Kind.REPOSITORY, ServiceLink.Kind.RUNBOOK,
              ServiceLink.Kind.DASHBOARD, ServiceLink.Kind.ONCALL)


def org_log(*, by, verb: str, message: str, team=None, service=None, person=None,
            **data) -> OrgEvent:
    return OrgEvent.objects.create(actor=by, verb=verb, message=message[:500], team=team,
                                   service=service, person=person, data=data)


def _describe(changes: dict) -> str:
    """chat “” → “#pay”, tier “2” → “1”: what changed, short enough to read in the log."""
    return "; ".join(f"{name} “{old[:60]}” → “{new[:60]}”"
                     for name, (old, new) in changes.items())


def _changes(obj, fields: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs, set on obj."""
    changed = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [str(old), str(value)]
            setattr(obj, name, value)
    return changed


@transaction.atomic
def team_create(*, by, **fields) -> Team:
    team = Team.objects.create(**{k: v for k, v in fields.items() if k in TEAM_FIELDS})
    org_log(by=by, verb=OrgEvent.Verb.TEAM_CREATED, team=team, message=f"Team {team.name} created")
    return team


@transaction.atomic
def team_update(*, team: Team, by, **fields) -> dict:
    changed = _changes(team, {k: v for k, v in fields.items() if k in TEAM_FIELDS})
    if changed:
        team.save(update_fields=list(changed))
        org_log(by=by, verb=OrgEvent.Verb.TEAM_CHANGED, team=team,
                message=f"Team {team.name}: {_describe(changed)}", changes=changed)
    return changed


def service_links(service: Service) -> dict[str, str]:
    """The service's repository, runbook, dashboard and on-call links by kind."""
    return {link.kind: link.url for link in service.links.all() if link.kind in LINK_KINDS}


def _set_links(service: Service, links: dict[str, str]) -> dict:
    current = {link.kind: link for link in service.links.all() if link.kind in LINK_KINDS}
    changed = {}
    for kind in LINK_KINDS:
        url = (links.get(kind) or "").strip()
        link = current.get(kind)
        old = link.url if link else ""
        if link and not url:
            link.delete()
        elif link and link.url != url:
            link.url = url
            link.save(update_fields=["url"])
        elif not link and url:
            ServiceLink.objects.create(service=service, kind=kind,
                                       label=ServiceLink.Kind(kind).label, url=url)
        else:
            continue
        changed[f"{kind} link"] = [old, url]
    return changed


def service_tags(service: Service) -> list[str]:
    return sorted(t.slug for t in service.tags.all())


def _set_tags(service: Service, tags: list[str]) -> dict:
    """Give the service exactly these (normalised) tags; {"tags": [old, new]} when they changed."""
    old = service_tags(service)
    if sorted(set(tags)) == old:
        return {}
    service.tags.set(tags_for(list(dict.fromkeys(tags))))
    return {"tags": [", ".join(old), ", ".join(sorted(set(tags)))]}


@transaction.atomic
def service_create(*, by, links: dict[str, str] | None = None, tags: list[str] | None = None,
                   **fields) -> Service:
    service = Service.objects.create(**{k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    _set_links(service, links or {})
    _set_tags(service, tags or [])
    org_log(by=by, verb=OrgEvent.Verb.SERVICE_CREATED, service=service, team=service.team,
            message=f"Service {service.name} created for {service.team.name}")
    return service


@transaction.atomic
def service_update(*, service: Service, by, links: dict[str, str] | None = None,
                   tags: list[str] | None = None, **fields) -> dict:
    """Change a service; a new owning team is logged as a move of its own."""
    old_team = service.team
    changed = _changes(service, {k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    moved = changed.pop("team", None)
    if changed or moved:
        service.save(update_fields=[*changed, *(["team"] if moved else [])])
    if moved:
        org_log(by=by, verb=OrgEvent.Verb.SERVICE_MOVED, service=service, team=service.team,
                message=f"Service {service.name} moved from {old_team.name} to "
                        f"{service.team.name}", from_team=old_team.slug, to_team=service.team.slug)
    if links is not None:
        changed.update(_set_links(service, links))
    if tags is not None:
        changed.update(_set_tags(service, tags))
    if changed:
        org_log(by=by, verb=OrgEvent.Verb.SERVICE_CHANGED, service=service, team=service.team,
                message=f"Service {service.name}: {_describe(changed)}", changes=changed)
    return changed


@transaction.atomic
def service_retire(*, service: Service, by, open_items: int = 0) -> None:
    """Retire a service: its history stays, it leaves the lists and "never reviewed"."""
    if service.is_retired:
        raise ValidationError(f"{service.name} is already retired.")
    service.retire()
    org_log(by=by, verb=OrgEvent.Verb.SERVICE_RETIRED, service=service, team=service.team,
            message=f"Service {service.name} retired"
                    + (f" with {open_items} open action item(s)" if open_items else ""),
            open_action_items=open_items)


@transaction.atomic
def service_restore(*, service: Service, by) -> None:
    if not service.is_retired:
        raise ValidationError(f"{service.name} is in use.")
    service.restore()
    org_log(by=by, verb=OrgEvent.Verb.SERVICE_RESTORED, service=service, team=service.team,
            message=f"Service {service.name} back in use")


@transaction.atomic
def membership_set(*, team: Team, person, role: str, by) -> Membership:
    """Add a person to a team with a role, or change their role there."""
    membership, created = Membership.objects.get_or_create(
        team=team, user=person, defaults={"role": role}
    )
    name = person.get_username()
    if created:
        org_log(by=by, verb=OrgEvent.Verb.MEMBER_ADDED, team=team, person=person, role=role,
                message=f"{name} added to {team.name} as {membership.get_role_display().lower()}")
    elif membership.role != role:
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        org_log(by=by, verb=OrgEvent.Verb.MEMBER_ROLE_CHANGED, team=team, person=person,
                message=f"{name} is now {membership.get_role_display().lower()} in {team.name}",
                changes={"role": [old, role]})
    return membership


@transaction.atomic
def membership_remove(*, team: Team, person, by) -> None:
    deleted, _ = Membership.objects.filter(team=team, user=person).delete()
    if deleted:
        org_log(by=by, verb=OrgEvent.Verb.MEMBER_REMOVED, team=team, person=person,
                message=f"{person.get_username()} removed from {team.name}")


@transaction.atomic
def ops_lead_set(*, person, ops_lead: bool, by) -> None:
    group = ops_leads_group()
    is_lead = person.groups.filter(pk=group.pk).exists()
    if is_lead == ops_lead:
        return
    if ops_lead:
        person.groups.add(group)
        org_log(by=by, verb=OrgEvent.Verb.OPS_LEAD_GRANTED, person=person,
                message=f"{person.get_username()} made ops lead")
    else:
        person.groups.remove(group)
        org_log(by=by, verb=OrgEvent.Verb.OPS_LEAD_REVOKED, person=person,
                message=f"{person.get_username()} is no longer ops lead")


def check_may_deactivate(*, person, by) -> None:
    if person.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if person.is_superuser and not by.is_superuser:
        raise ValidationError("Only an administrator can deactivate an administrator.")
    if not person.is_active:
        raise ValidationError(f"{person.get_username()} is already deactivated.")


@transaction.atomic
def person_deactivate(*, person, by) -> None:
    """The person can no longer sign in. Nothing of theirs is deleted: memberships, documents,
    action items and reviews stay, listed for reassignment on their page."""
    check_may_deactivate(person=person, by=by)
    person.is_active = False
    person.save(update_fields=["is_active"])
    org_log(by=by, verb=OrgEvent.Verb.PERSON_DEACTIVATED, person=person,
            message=f"{person.get_username()} deactivated")


@transaction.atomic
def person_reactivate(*, person, by) -> None:
    if person.is_active:
        raise ValidationError(f"{person.get_username()} is active.")
    person.is_active = True
    person.save(update_fields=["is_active"])
    org_log(by=by, verb=OrgEvent.Verb.PERSON_REACTIVATED, person=person,
            message=f"{person.get_username()} reactivated")


@transaction.atomic
def first_admin_create(*, username: str, email: str, password: str):
    """The first administrator of an empty installation; refused once anyone exists."""
    users = get_user_model().objects
    if users.exists():
        raise ValidationError("An administrator already exists; sign in instead.")
    user = users.create_superuser(username=username, email=email, password=password)
    org_log(by=user, verb=OrgEvent.Verb.ADMIN_CREATED, person=user,
            message=f"{username} created as the first administrator")
    return user
