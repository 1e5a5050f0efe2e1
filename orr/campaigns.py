"""Re-review campaigns: "every tier-1 service re-reviews before the peak season".

An ops lead names the campaign, writes a brief, picks the scope (tiers, teams, tags, or services
whose readiness lapses before a day; each one given narrows it) and the start and target dates.
Every service in scope gets a due ORR: a draft started for it, or left awaiting its team's
start. The campaign page shows each service's state, a burn-up chart of started / submitted /
approved, and exports as CSV.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from catalog.models import Membership, Service
from notifications.services import notify
from orr.models import Campaign, CampaignService, ReadinessReview
from orr.readiness import readiness_for_services
from reviews.events import Verb
from reviews.models import Event, State, states_at

STATES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "in_review": "In review",
    "approved": "Approved",
    "delayed": "Delayed",
}
# The badge colour of each state on the campaign page.
BADGES = {
    "not_started": "text-bg-secondary",
    "in_progress": "text-bg-info",
    "in_review": "text-bg-primary",
    "approved": "text-bg-success",
    "delayed": "text-bg-danger",
}
# What counts as work begun on a due ORR (a draft started by the campaign is not yet started).
STARTED_VERBS = (Verb.ANSWER_SAVED, Verb.ANSWER_CONFIRMED, Verb.EVIDENCE_ADDED, Verb.SUBMITTED)


def scope(*, tiers, teams, lapses_before: dt.date | None, tags=()) -> list[Service]:
    services = Service.objects.active().select_related("team").order_by("team__name", "name")
    if tiers:
        services = services.filter(tier__in=tiers)
    if teams:
        services = services.filter(team__in=teams)
    if tags:
        # Any of the tags; distinct, as a service with two of them joins twice.
        services = services.filter(tags__in=tags).distinct()
    services = list(services)
    if lapses_before:
        limit = timezone.make_aware(dt.datetime.combine(lapses_before, dt.time.min))
        states = readiness_for_services(services)
        # Ready until before that day, or not ready at all already.
        services = [s for s in services
                    if states[s.pk].status != "ready" or states[s.pk].expires_at < limit]
    return services


@transaction.atomic
def campaign_launch(*, by, name: str, brief: str, tiers, teams, lapses_before, starts_on,
                    target_on, start_drafts: bool, tags=()) -> Campaign:
    if target_on < starts_on:
        raise ValidationError("The target date must not be before the start date.")
    services = scope(tiers=tiers, teams=teams, lapses_before=lapses_before, tags=tags)
    if not services:
        raise ValidationError("No service in use matches this scope.")
    from orr.services import orr_start

    campaign = Campaign.objects.create(
        name=name, brief=brief, tiers=list(tiers), lapses_before=lapses_before,
        starts_on=starts_on, target_on=target_on, start_drafts=start_drafts, created_by=by)
    campaign.teams.set(teams)
    campaign.tags.set(tags)
    open_reviews = {
        r.service_id: r for r in ReadinessReview.objects.alive().open()
        .filter(service__in=services)
    }
    entries = []
    for service in services:
        review = open_reviews.get(service.pk)
        if review is None and start_drafts:
            review = orr_start(service=service, by=by, trigger=ReadinessReview.Trigger.PERIODIC,
                               title=f"{service.name} — {name}")
        entries.append(CampaignService(campaign=campaign, service=service, review=review))
    CampaignService.objects.bulk_create(entries)
    _remind_owners(campaign, entries, by)
    return campaign


def _remind_owners(campaign: Campaign, entries: list[CampaignService], by) -> None:
    members: dict[int, list] = {}
    for m in Membership.objects.filter(
        team_id__in={e.service.team_id for e in entries}, user__is_active=True
    ).select_related("user"):
        members.setdefault(m.team_id, []).append(m.user)
    for entry in entries:
        what = (f"draft {entry.review.code} is started" if entry.review
                else "start it from the service page")
        for user in members.get(entry.service.team_id, []):
            notify(user=user, verb="campaign", actor=by,
                   url=entry.review.get_absolute_url() if entry.review
                   else entry.service.get_absolute_url(),
                   message=f"{campaign.name}: an ORR of {entry.service.name} is due by "
                           f"{campaign.target_on:%d %b %Y} ({what}).")


@dataclass
class Row:
    entry: CampaignService
    review: ReadinessReview | None
    state: str
    started: dt.datetime | None
    submitted: dt.datetime | None
    approved: dt.datetime | None

    @property
    def label(self) -> str:
        return STATES[self.state]

    @property
    def badge(self) -> str:
        return BADGES[self.state]


def campaign_rows(campaign: Campaign, today: dt.date | None = None, *,
                  at: dt.datetime | None = None) -> list[Row]:
    """Each service's state on `today`, in a fixed number of queries however many services.

    With `at`, each as it was just before that moment, replayed from the event log (the weekly
    report of a past week): ORRs started, work done and decisions made later do not count.
    """
    today = today or timezone.localdate()
    entries = list(campaign.entries.select_related("service__team", "review"))
    # A service left awaiting start counts the first ORR its team starts after the launch.
    later = {}
    started_later = ReadinessReview.objects.alive().filter(
        service_id__in=[e.service_id for e in entries if not e.review_id],
        created_at__gte=campaign.created_at)
    if at is not None:
        started_later = started_later.filter(created_at__lt=at)
    for review in started_later.order_by("service_id", "created_at"):
        later.setdefault(review.service_id, review)
    reviews = {e.pk: e.review or later.get(e.service_id) for e in entries}
    if at is not None:
        reviews = {pk: r if r and r.created_at < at else None for pk, r in reviews.items()}
    ids = [r.pk for r in reviews.values() if r]
    firsts = _first_events(ids, at)
    if at is None:
        states = {r.pk: (r.state, r.approved_at) for r in reviews.values() if r}
    else:
        states = {pk: (state, firsts.get(pk, {}).get(Verb.APPROVED_FINAL))
                  for pk, state in states_at(ids, at).items()}
    rows = []
    for entry in entries:
        review = reviews[entry.pk]
        started = submitted = approved = None
        state = "not_started"
        if review is not None:
            events = firsts.get(review.pk, {})
            review_state, approved_at = states.get(review.pk, (State.DRAFT, None))
            started = min((events[v] for v in STARTED_VERBS if v in events), default=None)
            # A draft the campaign started is not started until someone works on it; an ORR
            # the team started itself is started when it was created.
            by_campaign = (entry.review_id is not None and campaign.start_drafts
                           and review.created_at >= campaign.created_at)
            if not by_campaign:
                started = started or review.created_at
            submitted = events.get(Verb.SUBMITTED)
            approved = approved_at if review_state == State.APPROVED else None
            if review_state == State.APPROVED:
                state = "approved"
            elif review_state == State.IN_REVIEW:
                state = "in_review"
            elif started:
                state = "in_progress"
        if state != "approved" and today > campaign.target_on:
            state = "delayed"
        rows.append(Row(entry, review, state, started, submitted, approved))
    return rows


def _first_events(review_ids: list[int], at: dt.datetime | None = None
                  ) -> dict[int, dict[str, dt.datetime]]:
    """The first time of each verb that counts for the campaign, per review (before `at`)."""
    events = Event.objects.filter(document_id__in=review_ids,
                                  verb__in=[*STARTED_VERBS, Verb.APPROVED_FINAL])
    if at is not None:
        events = events.filter(at__lt=at)
    result: dict[int, dict[str, dt.datetime]] = {}
    for document_id, verb, first in (
        events.values_list("document_id", "verb").annotate(first=Min("at")).order_by()
    ):
        result.setdefault(document_id, {})[verb] = first
    return result


def counts(rows: list[Row]) -> dict[str, int]:
    found = Counter(r.state for r in rows)
    return {key: found.get(key, 0) for key in STATES}


# --- burn-up chart -----------------------------------------------------------------------------

SERIES = (("started", "Started", "#0d6efd"), ("submitted", "Submitted", "#fd7e14"),
          ("approved", "Approved", "#198754"))


def burnup(campaign: Campaign, rows: list[Row], today: dt.date | None = None) -> dict:
    """Cumulative started / submitted / approved per day, from the start to the later of today
    and the target, as polylines of an inline SVG (no script), each ending in a dot at today."""
    today = today or timezone.localdate()
    first, last = campaign.starts_on, max(min(today, campaign.target_on + dt.timedelta(days=60)),
                                          campaign.target_on)
    days = max((last - first).days, 1)
    width, height, pad = 640, 220, 32
    total = max(len(rows), 1)

    def x(day: dt.date) -> float:
        return round(pad + (width - 2 * pad) * (day - first).days / days, 1)

    def y(n: int) -> float:
        return round(height - pad - (height - 2 * pad) * n / total, 1)

    series = []
    for key, label, colour in SERIES:
        moments = sorted(timezone.localtime(getattr(r, key)).date() for r in rows
                         if getattr(r, key))
        points, n, i = [], 0, 0
        day = first
        end = min(today, last)
        while day <= end:
            while i < len(moments) and moments[i] <= day:
                n, i = n + 1, i + 1
            points.append(f"{x(day)},{y(n)}")
            day += dt.timedelta(days=1)
        # Today's value as a dot too: on launch day the line is a single point, which a
        # polyline does not draw.
        end_x, end_y = points[-1].split(",")
        series.append({"key": key, "label": label, "colour": colour, "points": " ".join(points),
                       "count": n, "end_x": end_x, "end_y": end_y})
    return {
        "width": width, "height": height, "series": series, "total": len(rows),
        "target_x": x(campaign.target_on), "top": y(len(rows)), "base": y(0), "pad": pad,
        "first": first, "last": last,
    }


def csv_rows(rows: list[Row]) -> list[list]:
    def day(moment):
        return timezone.localtime(moment).date().isoformat() if moment else ""

    header = ["Service", "Team", "Tier", "State", "ORR", "Started", "Submitted", "Approved"]
    return [header] + [
        [r.entry.service.name, r.entry.service.team.name, r.entry.service.tier, r.label,
         r.review.code if r.review else "", day(r.started), day(r.submitted), day(r.approved)]
        for r in rows
    ]
