"""The weekly ops-review report: reads across COEs, ORRs, action items, services and teams.

Every figure is judged as of the end of the week (Monday 00:00 in ``TIME_ZONE``) from dates the
rows keep — created, submitted and approved events, closed_at, due dates — so a past week gives
the same figures when it is produced again later. The page, the PDF and the CSV files all print
the one ``WeeklyReportData`` this module returns; a fixed number of queries, whatever the size.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncWeek

from actions.models import ActionItem
from catalog.models import Service, Team
from orr import campaigns
from orr.models import Campaign, ReadinessReview
from orr.readiness import ready_until, risk_expiries
from postmortems.models import ContributingFactor, Postmortem, TimelineEvent
from postmortems.services import timeline_metrics
from reports.tables import Table
from reports.weeks import Week, zone
from reviews.models import State, states_at
from reviews.visibility import details_public, details_public_q

TREND_WEEKS = 8
EXPIRY_HORIZON_DAYS = 30
OLDEST_OVERDUE = 10
TOP_TAGS = 15

CATEGORIES = ContributingFactor.Category


@dataclass
class WeeklyReportData:
    week: Week
    trend_weeks: list[Week]
    figures: Table
    coes: Table
    factor_categories: Table
    tags: Table
    trend: Table
    tag_trend: Table
    orrs: Table
    never_reviewed: Table
    actions_by_team: Table
    actions_by_priority: Table
    oldest_overdue: Table
    teams: Table
    campaigns: Table | None = None

    @property
    def tables(self) -> list[Table]:
        """Every table, in the order of the page (and of the CSV files)."""
        return [self.figures, self.coes, self.factor_categories, self.tags, self.trend,
                self.tag_trend, self.orrs, self.never_reviewed, self.actions_by_team,
                self.actions_by_priority, self.oldest_overdue, self.teams,
                *([self.campaigns] if self.campaigns else [])]

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)

    @property
    def figure(self) -> dict[str, object]:
        return dict(self.figures.rows)


def weekly_report(week: Week) -> WeeklyReportData:
    weeks = [week.previous(n) for n in range(TREND_WEEKS - 1, -1, -1)]
    teams = list(Team.objects.order_by("name"))
    coes = _coes(week)
    orrs = _orrs(week)
    actions = _actions(week)
    trend, tag_trend, categories, tags = _trends(weeks)
    figures = Table("key-figures", "Key figures", ["Figure", "Value"], [
        ["COEs opened", len(coes.opened)],
        ["COEs in review at week end", len(coes.in_review)],
        ["COEs approved", len(coes.approved)],
        ["Median days to approve", _median([r.days_to_approve for r in coes.approved])],
        ["Customers affected (COEs opened)", sum(r.pm.customers_affected for r in coes.opened)],
        ["Median time to detect, min (COEs opened)", _median([r.ttd for r in coes.opened])],
        ["Median time to resolve, min (COEs opened)", _median([r.ttr for r in coes.opened])],
        ["ORRs approved", len(orrs.approved)],
        ["ORR approvals expired", len(orrs.expired)],
        [f"ORR approvals expiring within {EXPIRY_HORIZON_DAYS} days", len(orrs.expiring)],
        ["Services never reviewed", len(orrs.never_reviewed)],
        ["Action items opened", actions.opened.total()],
        ["Action items closed", actions.closed.total()],
        ["Action items open at week end", actions.open.total()],
        ["Action items overdue at week end", actions.overdue.total()],
    ])
    return WeeklyReportData(
        week=week,
        trend_weeks=weeks,
        figures=figures,
        coes=_coe_table(coes),
        factor_categories=categories,
        tags=tags,
        trend=trend,
        tag_trend=tag_trend,
        orrs=_orr_table(orrs),
        never_reviewed=Table(
            "services-never-reviewed", "Services never reviewed", ["Service", "Team", "Tier"],
            [[s.name, s.team.name, s.tier] for s in orrs.never_reviewed],
            note="No readiness review started before the end of the week.",
        ),
        actions_by_team=_actions_by_team(actions),
        actions_by_priority=_actions_by_priority(actions),
        oldest_overdue=_oldest_overdue(actions, week),
        teams=_team_table(teams, coes, orrs, actions),
        campaigns=_campaign_table(week),
    )


def _campaign_table(week: Week) -> Table | None:
    """The re-review campaigns running that week (or ended within four weeks), by state; None
    (no section, no CSV file) when there is none."""
    last_day = (week.end_at - dt.timedelta(seconds=1)).astimezone(zone()).date()
    running = Campaign.objects.filter(
        starts_on__lte=last_day, target_on__gte=last_day - dt.timedelta(days=28))
    rows = []
    for campaign in running:  # a handful at a time: each costs a fixed number of queries
        found = campaigns.counts(campaigns.campaign_rows(campaign, today=last_day,
                                                         at=week.end_at))
        rows.append([campaign.name, campaign.target_on.isoformat(), sum(found.values()),
                     *found.values()])
    if not rows:
        return None
    return Table(
        "campaigns", "Re-review campaigns",
        ["Campaign", "Target", "Services", *campaigns.STATES.values()], rows,
        note="Each service's state at the end of the week; delayed: not approved by the "
             "target date.",
    )


# --- COEs ---------------------------------------------------------------------------------------


@dataclass
class CoeRow:
    pm: Postmortem
    state: str  # at the end of the week
    opened: bool
    approved: bool
    days_to_approve: float | None
    ttd: int | None
    ttr: int | None


@dataclass
class CoeFigures:
    rows: list[CoeRow]

    @property
    def opened(self) -> list[CoeRow]:
        return [r for r in self.rows if r.opened]

    @property
    def approved(self) -> list[CoeRow]:
        return [r for r in self.rows if r.approved]

    @property
    def in_review(self) -> list[CoeRow]:
        return [r for r in self.rows if r.state == State.IN_REVIEW]


def _coes(week: Week) -> CoeFigures:
    start, end = week.start_at, week.end_at
    # Opened before the end and not approved before the start: every COE that may count.
    candidates = list(
        Postmortem.objects.alive().filter(created_at__lt=end)
        .filter(Q(approved_at__isnull=True) | Q(approved_at__gte=start))
        .order_by("created_at", "pk").values_list("pk", "created_at", "approved_at")
    )
    states = states_at([pk for pk, *_ in candidates], end)
    counted = {}
    for pk, created_at, approved_at in candidates:
        opened = start <= created_at < end
        approved = approved_at is not None and start <= approved_at < end
        state = states.get(pk, State.DRAFT)
        if opened or approved or state == State.IN_REVIEW:
            counted[pk] = (opened, approved, state)
    # Whole COEs and their timelines only for those the week counts: the candidates include
    # every COE never approved, which grow with the years of data, not with the week.
    postmortems = Postmortem.objects.select_related("service__team").in_bulk(list(counted))
    timelines = defaultdict(list)
    for event in (TimelineEvent.objects.filter(postmortem_id__in=list(counted))
                  .values_list("postmortem_id", "kind", "at", named=True)):
        timelines[event.postmortem_id].append(event)
    rows = []
    for pk, (opened, approved, state) in counted.items():
        pm = postmortems[pk]
        metrics = timeline_metrics(pm, timelines[pk])
        rows.append(CoeRow(
            pm=pm, state=state, opened=opened, approved=approved,
            days_to_approve=_round((pm.approved_at - pm.created_at) / dt.timedelta(days=1))
            if approved else None,
            ttd=_minutes(metrics["detect"]),
            ttr=_minutes(metrics["resolve"]),
        ))
    return CoeFigures(rows)


def _coe_table(coes: CoeFigures) -> Table:
    rows = []
    # The report is read (and e-mailed) org-wide: restricted COEs and drafts are counted in the
    # figures but never listed, not even their team, service or impact (permissions.py).
    unlisted = [r for r in coes.rows if not details_public(r.pm)]
    for r in coes.rows:
        pm = r.pm
        if not details_public(pm):
            continue
        title = pm.title
        rows.append([
            pm.code, title, pm.service.team.name, pm.service.name, f"SEV{pm.severity}",
            State(r.state).label, _local_date(pm.created_at),
            _local_date(pm.approved_at) if r.approved else None, r.days_to_approve,
            pm.customers_affected, r.ttd, r.ttr,
        ])
    return Table(
        "coes", "COEs opened, in review or approved",
        ["COE", "Title", "Team", "Service", "Severity", "State at week end", "Opened",
         "Approved", "Days to approve", "Customers affected", "TTD (min)", "TTR (min)"],
        rows,
        note="TTD and TTR count from the first “started” timeline event to the first "
             "“detected” and “resolved” events. Days to approve: from opening to final approval."
             + (f" {len(unlisted)} more (drafts and restricted COEs) are counted in the key "
                f"figures but not listed." if unlisted else ""),
    )


# --- trends: COEs, contributing factors and tags over the last weeks ---------------------------


def _trends(weeks: list[Week]) -> tuple[Table, Table, Table, Table]:
    start, end = weeks[0].start_at, weeks[-1].end_at
    alive = Q(postmortem__deleted_at__isnull=True)
    # The database counts per local week: the rows in the window grow with the data.
    opened = _per_week(
        Postmortem.objects.alive().filter(created_at__gte=start, created_at__lt=end),
        "created_at")
    factors = _per_week(
        ContributingFactor.objects.filter(alive)
        .filter(created_at__gte=start, created_at__lt=end), "created_at", "category")
    # Tags name what happened: only those of COEs everyone may see (permissions.py).
    tagged = _per_week(
        Postmortem.tags.through.objects.filter(alive)
        .filter(details_public_q("postmortem__", postmortem=True))
        .filter(postmortem__created_at__gte=start, postmortem__created_at__lt=end),
        "postmortem__created_at", "tag__name")
    this_week = weeks[-1]
    trend = Table(
        "trend", f"COEs and contributing factors, last {len(weeks)} weeks",
        ["Week", "COEs opened", *CATEGORIES.labels],
        [[w.iso, opened[w], *(factors[w, c] for c in CATEGORIES.values)] for w in weeks],
        note="Contributing factors by the week they were recorded.",
    )
    totals = Counter()
    for (_, name), n in tagged.items():
        totals[name] += n
    top = sorted(totals, key=lambda name: (-totals[name], name.lower()))[:TOP_TAGS]
    tag_trend = Table(
        "tag-trend", f"Tags of COEs, last {len(weeks)} weeks",
        ["Tag", *(_short(w) for w in weeks), "Total"],
        [[name, *(tagged[w, name] for w in weeks), totals[name]] for name in top],
        note=f"The {TOP_TAGS} most used tags, by the week the COE was opened.",
    )
    categories = Table(
        "factor-categories", "Contributing factors recorded this week", ["Category", "Factors"],
        [[label, factors[this_week, value]] for value, label in CATEGORIES.choices],
    )
    week_tags = sorted(
        ((name, n) for (w, name), n in tagged.items() if w == this_week),
        key=lambda pair: (-pair[1], pair[0].lower()),
    )
    tags = Table("tags", "Tags of COEs opened this week", ["Tag", "COEs"],
                 [[name, n] for name, n in week_tags])
    return trend, tag_trend, categories, tags


def _per_week(rows: QuerySet, moment: str, by: str | None = None) -> Counter:
    """Rows counted per local week of `moment` (and per `by`): Counter[Week] or
    Counter[(Week, value)]."""
    fields = ["week", by] if by else ["week"]
    counted = (rows.annotate(week=TruncWeek(moment, tzinfo=zone())).order_by()
               .values_list(*fields).annotate(n=Count("pk")))
    counts = Counter()
    for week, *value, n in counted:
        key = Week(week.date())
        counts[(key, *value) if by else key] += n
    return counts


# --- ORRs ---------------------------------------------------------------------------------------


@dataclass
class OrrFigures:
    approved: list[tuple[ReadinessReview, dt.datetime]]
    expired: list[tuple[ReadinessReview, dt.datetime]]
    expiring: list[tuple[ReadinessReview, dt.datetime]]
    services: list[Service]
    never_reviewed: list[Service]
    # Why each shown approval lapses when it does (the approval itself or an accepted risk).
    because: dict[int, str] = field(default_factory=dict)


def _orrs(week: Week) -> OrrFigures:
    start, end = week.start_at, week.end_at
    horizon = end + dt.timedelta(days=EXPIRY_HORIZON_DAYS)
    services = list(
        # The services in use that week: one retired since still counts for its past weeks.
        Service.objects.filter(created_at__lt=end)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gte=end)).select_related("team")
        .order_by("team__name", "name")
    )
    reviewed = set(
        ReadinessReview.objects.alive().filter(created_at__lt=end)
        .values_list("service_id", flat=True)
    )
    # Every approval ever counts towards expiry: light rows for all, whole reviews only for
    # the few the week shows.
    approvals = defaultdict(list)
    rows = list(
        ReadinessReview.objects.alive().filter(approved_at__lt=end)
        .order_by("approved_at", "pk").values_list("pk", "service_id", "service__tier",
                                                   "approved_at")
    )
    # The same "ready until" as every page: an accepted risk may lapse before the approval.
    risks = risk_expiries(pk for pk, *_ in rows)
    because = {}
    for pk, service_id, tier, approved_at in rows:
        lapse = ready_until(approved_at, tier, risks.get(pk, []))
        because[pk] = lapse.because
        approvals[service_id].append((pk, approved_at, lapse.at))
    approved, expired, expiring = [], [], []
    for reviews in approvals.values():
        for i, (pk, approved_at, expires) in enumerate(reviews):
            renewed = any(later_at <= expires for _, later_at, _ in reviews[i + 1:])
            if start <= approved_at < end:
                approved.append((pk, expires))
            if start <= expires < end and not renewed:
                expired.append((pk, expires))
        latest, _, expires = reviews[-1]
        if end <= expires < horizon:
            expiring.append((latest, expires))
    shown = ReadinessReview.objects.select_related("service__team").in_bulk(
        {pk for pk, _ in approved + expired + expiring})

    def whole(pairs):
        return [(shown[pk], expires) for pk, expires in pairs]

    return OrrFigures(
        approved=sorted(whole(approved), key=lambda pair: (pair[0].approved_at, pair[0].pk)),
        expired=sorted(whole(expired), key=lambda pair: pair[1]),
        expiring=sorted(whole(expiring), key=lambda pair: pair[1]),
        services=services,
        never_reviewed=[s for s in services if s.pk not in reviewed],
        because={pk: because[pk] for pk in shown},
    )


def _orr_table(orrs: OrrFigures) -> Table:
    rows = []
    for label, pairs in (("Approved", orrs.approved), ("Expired", orrs.expired),
                         (f"Expires within {EXPIRY_HORIZON_DAYS} days", orrs.expiring)):
        rows += [
            [label, review.code, review.service.name, review.service.team.name,
             review.service.tier, _local_date(review.approved_at), _local_date(expires),
             orrs.because.get(review.pk, "")]
            for review, expires in pairs
        ]
    return Table(
        "orrs", "Readiness reviews approved, expired and expiring",
        ["Event", "ORR", "Service", "Team", "Tier", "Approved on", "Ready until", "Because"],
        rows,
        note="Readiness lapses at the earliest of the approval's expiry (the tier's period) and "
             "its accepted risks' expiry, unless a newer ORR of the "
             "service was approved before then.",
    )


# --- action items -------------------------------------------------------------------------------


@dataclass
class ActionFigures:
    """Action items counted by the database, each per (team id, team name, priority)."""

    opened: Counter
    closed: Counter
    open: Counter  # at the end of the week
    overdue: Counter  # open at the end of the week and due before it
    oldest_overdue: list[ActionItem]


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _actions(week: Week) -> ActionFigures:
    # Tens of thousands of items are open at any time and their number grows with the years:
    # the database counts them in groups; only the oldest overdue few come back whole.
    start, end = week.start_at, week.end_at
    items = ActionItem.objects.filter(created_at__lt=end).filter(
        Q(status__in=ActionItem.OPEN_STATUSES) | Q(closed_at__gte=start))
    open_at_end = Q(closed_at__gte=end) | Q(closed_at__isnull=True,
                                            status__in=ActionItem.OPEN_STATUSES)
    overdue = open_at_end & Q(due_date__lt=week.as_of)
    groups = (
        items.annotate(
            is_opened=_flag(Q(created_at__gte=start)),
            is_closed=_flag(Q(closed_at__gte=start, closed_at__lt=end)),
            is_open=_flag(open_at_end),
            is_overdue=_flag(overdue),
        )
        .order_by()  # no default ordering: it would join the GROUP BY
        .values_list("team_id", "team__name", "priority", "is_opened", "is_closed", "is_open",
                     "is_overdue")
        .annotate(n=Count("pk"))
    )
    counts = {name: Counter() for name in ("opened", "closed", "open", "overdue")}
    for team_id, team_name, priority, *flags, n in groups:
        for name, flag in zip(counts, flags, strict=True):
            if flag:  # NULL (an open item's closed_at compared) counts as no
                counts[name][(team_id, team_name, priority)] += n
    # Listed by title and owner: only items of documents everyone may see (counted all the same).
    oldest = list(items.filter(overdue).filter(details_public_q("document__"))
                  .select_related("team", "owner", "document")
                  .order_by("due_date", "pk")[:OLDEST_OVERDUE])
    return ActionFigures(**counts, oldest_overdue=oldest)


def _by(counter: Counter, part: int) -> Counter:
    """A (team id, team name, priority) counter summed by one part of its key."""
    summed = Counter()
    for key, n in counter.items():
        summed[key[part]] += n
    return summed


def _actions_by_team(actions: ActionFigures) -> Table:
    counts = defaultdict(Counter)
    for name in ("opened", "closed", "open", "overdue"):
        for team, n in _by(getattr(actions, name), 1).items():
            counts[team][name] += n
    teams = sorted(counts, key=lambda team: (-counts[team]["overdue"], team.lower()))
    return Table(
        "actions-by-team", "Action items by team",
        ["Team", "Opened", "Closed", "Open at week end", "Overdue"],
        [[team, counts[team]["opened"], counts[team]["closed"], counts[team]["open"],
          counts[team]["overdue"]] for team in teams],
    )


def _actions_by_priority(actions: ActionFigures) -> Table:
    open_, overdue = _by(actions.open, 2), _by(actions.overdue, 2)
    return Table(
        "actions-by-priority", "Action items by priority",
        ["Priority", "Open at week end", "Overdue"],
        [[label, open_[value], overdue[value]] for value, label in ActionItem.Priority.choices],
    )


def _oldest_overdue(actions: ActionFigures, week: Week) -> Table:
    return Table(
        "oldest-overdue", "Oldest overdue action items",
        ["Action item", "Team", "Owner", "Priority", "Due", "Days overdue", "Source"],
        [[i.title, i.team.name, i.owner.get_full_name() or i.owner.get_username(), i.priority,
          i.due_date.isoformat(), (week.as_of - i.due_date).days,
          i.document.code if i.document_id else ""] for i in actions.oldest_overdue],
        note=f"Open at the end of the week and due before {week.as_of.day} {week.as_of:%b %Y}; "
             f"the {OLDEST_OVERDUE} oldest.",
    )


# --- per team -----------------------------------------------------------------------------------


def _team_table(teams: list[Team], coes: CoeFigures, orrs: OrrFigures,
                actions: ActionFigures) -> Table:
    by_team = Counter
    services = by_team(s.team_id for s in orrs.services)
    never = by_team(s.team_id for s in orrs.never_reviewed)
    approved = by_team(r.service.team_id for r, _ in orrs.approved)
    expiring = by_team(r.service.team_id for r, _ in orrs.expiring)
    opened = by_team(r.pm.service.team_id for r in coes.opened)
    a_opened, a_closed, a_overdue = (_by(c, 0) for c in (actions.opened, actions.closed,
                                                          actions.overdue))
    return Table(
        "teams", "Per team",
        ["Team", "Services", "Never reviewed", "ORRs approved",
         f"ORRs expiring ≤ {EXPIRY_HORIZON_DAYS} d", "COEs opened", "Actions opened",
         "Actions closed", "Actions overdue"],
        [[t.name, services[t.pk], never[t.pk], approved[t.pk], expiring[t.pk], opened[t.pk],
          a_opened[t.pk], a_closed[t.pk], a_overdue[t.pk]] for t in teams],
    )


# --- small helpers ------------------------------------------------------------------------------


def _local_date(moment: dt.datetime) -> str:
    return moment.astimezone(zone()).date().isoformat()


def _minutes(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)


def _round(value: float) -> float | int:
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def _median(values) -> float | int | None:
    present = [v for v in values if v is not None]
    return _round(statistics.median(present)) if present else None


def _short(week: Week) -> str:
    return week.iso.split("-")[1]
