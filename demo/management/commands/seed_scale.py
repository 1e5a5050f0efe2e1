"""Production-sized data for benchmarks and query-count checks, inserted in bulk.

    python manage.py seed_scale --teams 50 --services 500 --orrs 1500 --coes 5000 \
        --actions 50000 [--seed N] [--end-date YYYY-MM-DD]

Everything is drawn from ``random.Random(seed)``, so the same seed on the same database and end
date gives the same rows. Documents spread over the two years before the end date and look like
what the workflows produce: answered ORRs in every state with reviewers, decisions, milestones and
accepted risks; COEs with ordered timelines, "why" trees whose human-error factors always have a
child, lessons and committees; action items across priorities and states, owned by members of
the owning team. Documents in review or approved pass their gates, as they would in real life.

Speed comes from skipping the services: rows are built in memory and written with
``bulk_create`` in batches. Primary keys are allocated here, after the highest existing one, so
children point at parents without reading ids back and document codes (``ORR-%04d`` from the pk,
as ``assign_code`` makes them) never clash with existing documents; the sequences are moved past
the new rows at the end. Django refuses ``bulk_create`` for multi-table inheritance children, so
``Document`` rows go in with ``bulk_create`` and the ``ReadinessReview``/``Postmortem`` rows with
a plain ``executemany`` on their own table.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from actions.models import ActionItem
from catalog.models import Membership, Service, Team, ops_leads_group
from opsreview import pagecache
from orr import services as orr_services
from orr.models import Milestone, ReadinessReview
from postmortems.models import (
    ContributingFactor,
    FactorAction,
    Lesson,
    Postmortem,
    Tag,
    TimelineEvent,
)
from reviews.models import (
    AcceptedRisk,
    Answer,
    Comment,
    Decision,
    Document,
    Event,
    Evidence,
    Kind,
    Question,
    Questionnaire,
    ReviewerAssignment,
    Section,
    State,
)

User = get_user_model()

SPAN_DAYS = 730
BATCH_SIZE = 2000
# Buffered rows are written once this many wait, so memory stays flat at any size.
FLUSH_AT = 20_000
UTC = dt.UTC

# --- vocabulary -------------------------------------------------------------------------------

TEAM_WORDS = (
    "Payments Identity Search Platform Checkout Ledger Catalog Pricing Inventory Shipping "
    "Notifications Messaging Billing Fraud Risk Analytics Storage Networking Compute Mobile "
    "Web Growth Ads Recommendations Reviews Support Onboarding Accounts Partners Data "
    "Streaming Media Maps Logistics Warehouse Returns Loyalty Subscriptions Tax Compliance "
    "Observability Security Edge Gateway Scheduling Orders Content Translation Email Voice"
).split()
SERVICE_NOUNS = (
    "API Worker Gateway Indexer Scheduler Store Queue Cache Router Broker Pipeline Service "
    "Processor Exporter Importer Dashboard Proxy Registry Syncer Notifier"
).split()
SERVICE_QUALIFIERS = (
    "Order Card Session Token Price Stock Label Invoice Refund Event Profile Search Feed "
    "Report Audit Batch Stream Config Quota Consent"
).split()
FIRST = (
    "Ana Mia Raj Ken Zoe Sam Olu Lea Ivo Noor Tariq Ines Yara Omid Sol Rin Eva Kai Nia Ada "
    "Luz Bo Ife Jun Mei Ravi Tom Uma Vik Wen Xia Yan Zara Ilse Odin Pia Remy Saba Teo Ugo"
).split()
LAST = (
    "Silva Chen Patel Ito Martin Okafor Adeyemi Novak Berg Haddad Costa Kowal Lind Moreau "
    "Nakamura Ortiz Petrov Quinn Rossi Sato Tanaka Ueda Varga Weber Xu Yilmaz Zhou Abbas "
    "Bauer Diaz Eriksen Fischer Garcia Hoang Ivanova Jensen Kim Laine Meyer Nilsen"
).split()
TAGS = (
    "Configuration Deployment Capacity Database Network DNS Certificates Dependency "
    "Third-party Monitoring Alerting Data-loss Latency Security Scaling Cache Queue "
    "Storage Feature-flag Rollback"
).split()
TIMEZONES = ("UTC", "Europe/Helsinki", "Europe/Berlin", "America/New_York", "Asia/Tokyo",
             "America/Los_Angeles", "Europe/London")
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-northeast-1")

ANSWER_PARAGRAPHS = (
    "The {service} runbook covers this; the on-call rotation reviews it every quarter and the "
    "last review was signed off by the team lead. Dashboards are linked as evidence.",
    "We measure this with a synthetic canary that calls {service} every minute from three "
    "regions. Alarms page the on-call when the error rate exceeds 1 % for five minutes.",
    "Capacity is planned from the monthly peak plus 40 % headroom. Load tests at **2×** peak "
    "ran in the staging account; results are in the load-test report.",
    "Deployments go through the pipeline with a one-box stage, a canary region and automatic "
    "rollback on alarm. Configuration changes follow the same stages.",
    "Dependencies are listed in the service manifest with their SLAs. A failure of a soft "
    "dependency degrades the page; hard dependencies have timeouts and circuit breakers.",
    "Backups run every hour with point-in-time recovery; a restore drill of the {service} "
    "database is part of the quarterly game day and took 38 minutes last time.",
    "Logs are structured JSON, kept 30 days in hot storage and a year in the archive. Every "
    "request carries a trace id that the support team can search on.",
    "- p50 latency: 45 ms\n- p99 latency: 320 ms\n- availability target: 99.95 %\n"
    "- error budget policy: freeze feature launches when the budget is spent",
    "The service runs in three availability zones behind a load balancer with health checks; "
    "losing one zone leaves enough capacity for the peak.",
    "Throttling limits per client are configured in the gateway; clients get HTTP 429 with a "
    "`Retry-After` header. Limits are reviewed when a new client is onboarded.",
)
YES_NO_NOTES = (
    "Yes; see the linked dashboard.", "Yes, documented in the runbook.",
    "Yes, tested during the last game day.", "",
)
NA_REASONS = (
    "The service keeps no state of its own; the platform team owns the storage.",
    "Internal batch service with no customer-facing endpoint.",
)
ACCEPTED_RISK_REASONS = (
    "The traffic is low until the launch campaign; the fix is planned for next quarter.",
    "Mitigated by the manual fallback in the runbook until the new cluster is ready.",
)
REVIEW_REASONS_APPROVE = (
    "Evidence is convincing; the gaps have owners and dates.",
    "Good answers with numbers; the accepted risks are time-boxed.",
    "Checked the dashboards and the restore drill report. Approved.",
)
REVIEW_REASONS_CHANGES = (
    "Say what the SLA is in numbers and link the alarm definitions.",
    "The capacity answer needs the load-test results, not the plan.",
    "Link the backup restore drill; the answer only describes the schedule.",
)
COMMENTS = (
    "Which alarm pages for this? Please link it.",
    "Is this measured at the load balancer or in the client?",
    "Can you add the date of the last drill?",
)
COE_TITLES = (
    "{service} returned 5xx to {region} customers for {minutes} minutes",
    "Elevated latency on {service} in {region}",
    "{service} dropped messages after a configuration change",
    "Partial outage of {service} during a certificate rotation",
    "{service} unavailable after a dependency timed out",
)
COE_SUMMARY = (
    "Between {start} and {end} UTC, {service} in {region} returned errors for a share of "
    "requests. A configuration change reached every host at once; the pipeline rolled it back "
    "after the error-rate alarm fired. {customers} customers saw failed requests."
)
COE_ANSWER = (
    "Covered in the incident channel log; graphs are linked in the supporting data.",
    "The error-rate alarm fired within five minutes; the on-call acknowledged the page and "
    "opened the bridge.",
    "Customers saw HTTP 502 responses on checkout; retries succeeded for most of them.",
    "The rollback through the pipeline took twelve minutes; the runbook step was clear.",
    "A canary stage would have limited the change to one region first.",
)
TIMELINE_NOTES = {
    "started": "Configuration change with the new pool limit rolled out to every region.",
    "detected": "Alarm on the 5xx rate above 1 % paged the on-call.",
    "engaged": "Service on-call and the database on-call joined the bridge.",
    "mitigated": "The change was rolled back in the first region; errors dropped.",
    "resolved": "Rollback complete in every region; error rate back at baseline.",
    "other": "Status page updated for customers.",
}
ROOT_FACTORS = (
    ("technical", "A connection pool limit of 20 reached every region in one deployment."),
    ("technical", "The cache cluster evicted hot keys when memory use passed 90 %."),
    ("external", "A third-party DNS provider answered with stale records for 40 minutes."),
    ("technical", "A certificate expired on the internal load balancer."),
)
WHY_FACTORS = (
    ("tooling", "The deploy pipeline has no canary stage for configuration changes."),
    ("process", "The change checklist does not ask for a rollback plan for configuration."),
    ("organisational", "No team owns the shared load balancer configuration."),
    ("tooling", "The alarm on pool saturation had no threshold for the new instance size."),
    ("process", "Certificate expiry dates are tracked in a spreadsheet, not monitored."),
)
HUMAN_ERROR_FACTORS = (
    "A manual failover step was run against the primary database instead of the replica.",
    "A runbook command was run with the production profile selected in the console.",
)
HUMAN_ERROR_WHYS = (
    ("tooling", "The failover script does not check which node it targets before it runs."),
    ("tooling", "The console shows the production and staging profiles in the same colour."),
)
ACCEPTED_FACTOR_REASONS = (
    "Covered by the provider's own remediation; tracked in the vendor review.",
    "Already fixed by the platform migration that finished last month.",
)
LESSONS = (
    "Configuration changes need the same staged rollout as code.",
    "Alarms on saturation must scale with the instance size.",
    "Failover tooling has to confirm its target before it acts.",
    "Expiry dates belong in monitoring, with an alarm 30 days ahead.",
)
ACTION_TITLES = (
    "Add a canary stage for configuration deploys of {service}",
    "Alarm on connection pool saturation above 80 % for {service}",
    "Make the failover script confirm the target node of {service}",
    "Monitor certificate expiry of {service} with a 30-day alarm",
    "Load test {service} at 2x the monthly peak before launch",
    "Add a restore drill of the {service} database to the game day",
    "Set per-client throttling limits in the {service} gateway",
    "Document the rollback command for {service} in the runbook",
)
CLOSING_NOTES = (
    "Done; merged and deployed to every region.",
    "Alarm created and tested during the game day.",
    "Shipped with the last release; the runbook is updated.",
)
WONT_DO_NOTES = (
    "Superseded by the platform migration.",
    "The service is being retired next quarter.",
)

PRIORITY_WEIGHTS = {"P1": 0.2, "P2": 0.5, "P3": 0.3}
SEVERITY_WEIGHTS = {1: 0.05, 2: 0.2, 3: 0.45, 4: 0.3}
TRIGGERS = [t.value for t in ReadinessReview.Trigger]


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- writing ----------------------------------------------------------------------------------


class Ids:
    """Primary keys handed out after the highest existing one, per table."""

    def __init__(self):
        self._next: dict[type[models.Model], int] = {}
        self.first: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        if model not in self._next:
            top = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next[model] = self.first[model] = top + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    @property
    def models(self) -> list[type[models.Model]]:
        return list(self._next)


def insert_child_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT the model's own table only (an MTI child's part, or a table without pre_save).

    Values go through each field's get_db_prep_save, so dates and booleans are written the way
    the ORM writes them on SQLite and PostgreSQL alike; auto_now fields keep the given value.
    """
    fields = list(model._meta.local_concrete_fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields]
            for o in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start:start + BATCH_SIZE])


# Dependency order, so a flush never writes a row before what it points at.
RAW_MODELS = (Service, ReadinessReview, Postmortem)


class Writer:
    def __init__(self, order: list[type[models.Model]]):
        self.order = order
        self.buffers: dict[type[models.Model], list] = defaultdict(list)
        self.rows = 0

    def add(self, obj: models.Model) -> None:
        self.buffers[type(obj)].append(obj)

    def pending(self) -> int:
        return sum(len(b) for b in self.buffers.values())

    def maybe_flush(self) -> None:
        if self.pending() >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        unknown = set(self.buffers) - set(self.order)
        if unknown:
            raise CommandError(f"No write order for {unknown}")
        for model in self.order:
            objs = self.buffers.pop(model, [])
            if not objs:
                continue
            if model in RAW_MODELS:
                insert_child_rows(model, objs)
            else:
                model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
            self.rows += len(objs)


def write_order() -> list[type[models.Model]]:
    return [
        User, User.groups.through, Team, Membership, Service, Document, ReadinessReview,
        Postmortem, Postmortem.tags.through, Postmortem.affected_services.through,
        ReviewerAssignment, Answer, Evidence, AcceptedRisk, TimelineEvent, ContributingFactor,
        Lesson, ActionItem, FactorAction, Lesson.action_items.through, Decision,
        Decision.flagged_answers.through, Comment, Event, Milestone,
    ]


# --- the model of the organisation -----------------------------------------------------------


@dataclass
class TeamRow:
    team: Team
    members: list = field(default_factory=list)
    reviewers: list = field(default_factory=list)


@dataclass
class Round:
    """One review round: submitted at, then the decisions and the round's outcome."""

    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    verdict: str | None  # approve | request_changes | None (still waiting)


class Seeder:
    def __init__(self, *, rng: random.Random, end: dt.datetime, out):
        self.rng = rng
        self.end = end
        self.start = end - dt.timedelta(days=SPAN_DAYS)
        self.out = out
        self.ids = Ids()
        self.writer = Writer(write_order())
        self.teams: list[TeamRow] = []
        self.team_of_service: dict[int, TeamRow] = {}
        self.services: list[Service] = []

    # -- shared helpers --

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.datetime:
        if b <= a:
            return a
        return a + (b - a) * self.rng.random()

    def later(self, at: dt.datetime, low_hours: float, high_hours: float) -> dt.datetime:
        return at + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def outside_reviewer(self, team: TeamRow):
        others = [t for t in self.teams if t is not team and t.reviewers]
        if not others:
            return None
        return self.rng.choice(self.rng.choice(others).reviewers)

    def log(self, doc_id: int, actor, verb: str, at: dt.datetime, message: str = "",
            **data) -> None:
        self.writer.add(Event(document_id=doc_id, actor_id=actor.pk if actor else None,
                              verb=verb, message=message[:500], data=data, at=at))

    # -- teams, people, services --

    def seed_org(self, n_teams: int, n_services: int) -> None:
        taken_teams = set(Team.objects.values_list("name", flat=True))
        taken_team_slugs = set(Team.objects.values_list("slug", flat=True))
        taken_users = set(User.objects.values_list("username", flat=True))
        taken_services = set(Service.objects.values_list("slug", flat=True))
        # One hash for everyone: hashing costs ~0.3 s a user, and nobody logs in as these.
        password = make_password(None)
        joined = self.start - dt.timedelta(days=400)
        for i in range(n_teams):
            name = unique(TEAM_WORDS[i % len(TEAM_WORDS)], taken_teams, sep=" ")
            slug = unique(slugify(name), taken_team_slugs)
            team = Team(id=self.ids.take(Team), name=name, slug=slug,
                        description=f"{name}: owns its services end to end, on call included.")
            self.writer.add(team)
            row = TeamRow(team)
            for m in range(self.rng.randint(5, 10)):
                first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
                username = unique(f"{first}.{last}".lower(), taken_users)
                user = User(id=self.ids.take(User), username=username, first_name=first,
                            last_name=last, email=f"{username}@example.com", password=password,
                            date_joined=joined)
                self.writer.add(user)
                role = Membership.Role.REVIEWER if m < 2 else Membership.Role.MEMBER
                self.writer.add(Membership(user_id=user.pk, team_id=team.pk, role=role))
                row.members.append(user)
                if role == Membership.Role.REVIEWER:
                    row.reviewers.append(user)
            self.teams.append(row)
        leads = ops_leads_group()
        for _ in range(3):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            username = unique(f"{first}.{last}.ops".lower(), taken_users)
            user = User(id=self.ids.take(User), username=username, first_name=first,
                        last_name=last, email=f"{username}@example.com", password=password,
                        date_joined=joined)
            self.writer.add(user)
            self.writer.add(User.groups.through(user_id=user.pk, group_id=leads.pk))
        if not self.teams and n_services:
            raise CommandError("Services need at least one team (--teams).")
        for i in range(n_services):
            team = self.teams[i % len(self.teams)] if i < len(self.teams) else \
                self.rng.choice(self.teams)
            name = f"{self.rng.choice(SERVICE_QUALIFIERS)} {self.rng.choice(SERVICE_NOUNS)}"
            slug = unique(slugify(name), taken_services)
            if slug != slugify(name):
                name = f"{name} {slug.rsplit('-', 1)[1]}"
            service = Service(
                id=self.ids.take(Service), name=name, slug=slug, team_id=team.team.pk,
                tier=self.rng.choices([1, 2, 3], weights=[0.3, 0.5, 0.2])[0],
                description=f"{name}, run by the {team.team.name} team.",
                oncall_contact=f"#{team.team.slug}-oncall",
                created_at=self.start - dt.timedelta(days=self.rng.uniform(0, 365)),
            )
            service.updated_at = service.created_at  # a raw insert: auto_now does not stamp it
            self.writer.add(service)
            self.services.append(service)
            self.team_of_service[service.pk] = team
        self.writer.flush()

    # -- review rounds, decisions and events, shared by ORRs and COEs --

    def plan_rounds(self, state: str, created: dt.datetime, budget: dt.timedelta) -> list[Round]:
        """Submission and decision times of each round that leads to `state`."""
        if state == State.DRAFT:
            return []
        step = min(budget / 4, dt.timedelta(days=10))
        rounds = []
        redo = state == State.CHANGES_REQUESTED or self.rng.random() < 0.25
        at = created + step * self.rng.uniform(0.3, 1.0)
        if redo:
            decided = at + step * self.rng.uniform(0.1, 0.6)
            rounds.append(Round(at, decided, Decision.Verdict.REQUEST_CHANGES))
            if state == State.CHANGES_REQUESTED:
                return rounds
            at = decided + step * self.rng.uniform(0.1, 0.6)
        if state == State.APPROVED:
            rounds.append(Round(at, at + step * self.rng.uniform(0.1, 0.8),
                                Decision.Verdict.APPROVE))
        else:
            rounds.append(Round(at, None, None))
        return rounds

    def fit_state(self, state: str, created: dt.datetime, budget: dt.timedelta):
        """The planned rounds; a document whose plan runs past the end date stays earlier."""
        rounds = self.plan_rounds(state, created, budget)
        while rounds and max(r.decided_at or r.submitted_at for r in rounds) >= self.end:
            state = {State.APPROVED: State.IN_REVIEW,
                     State.IN_REVIEW: State.DRAFT,
                     State.CHANGES_REQUESTED: State.DRAFT}[state]
            rounds = self.plan_rounds(state, created, budget)
        return state, rounds

    def decide(self, doc_id: int, author, reviewers: list, rounds: list[Round],
               flag_from: list) -> dt.datetime | None:
        """Decision rows and event log of the rounds; returns approved_at."""
        approved_at = None
        for number, rnd in enumerate(rounds, start=1):
            self.log(doc_id, author, "submitted", rnd.submitted_at,
                     f"Submitted for review (round {number})")
            if rnd.verdict is None:
                continue
            voters = reviewers if rnd.verdict == Decision.Verdict.APPROVE else reviewers[:1]
            for reviewer in voters:
                reasons = REVIEW_REASONS_APPROVE if rnd.verdict == Decision.Verdict.APPROVE \
                    else REVIEW_REASONS_CHANGES
                decision = Decision(id=self.ids.take(Decision), document_id=doc_id,
                                    reviewer_id=reviewer.pk, verdict=rnd.verdict,
                                    reason=self.rng.choice(reasons), round=number,
                                    created_at=rnd.decided_at)
                self.writer.add(decision)
                self.log(doc_id, reviewer, rnd.verdict, rnd.decided_at, decision.reason[:200])
                if rnd.verdict == Decision.Verdict.REQUEST_CHANGES and flag_from:
                    for answer in self.rng.sample(flag_from, min(2, len(flag_from))):
                        self.writer.add(Decision.flagged_answers.through(
                            decision_id=decision.pk, answer_id=answer.pk))
                        self.writer.add(Comment(answer_id=answer.pk, author_id=reviewer.pk,
                                                body=self.rng.choice(COMMENTS),
                                                created_at=rnd.decided_at))
            if rnd.verdict == Decision.Verdict.APPROVE:
                approved_at = rnd.decided_at
                self.log(doc_id, reviewers[-1], "approved_final", rnd.decided_at,
                         "Approval complete")
        return approved_at

    def new_document(self, model, *, prefix: str, kind: str, service: Service, author,
                     title: str, version_id: int, state: str, created: dt.datetime,
                     rounds: list[Round], **own):
        pk = self.ids.take(Document)
        common = dict(
            id=pk, code=f"{prefix}-{pk:04d}", kind=kind, service_id=service.pk, title=title,
            version_id=version_id, state=state, author_id=author.pk, created_at=created,
            updated_at=created, submitted_at=rounds[-1].submitted_at if rounds else None,
            approved_at=None, review_round=len(rounds), revision=1,
        )
        parent = Document(**common)
        child = model(document_ptr_id=pk, **common, **own)
        self.writer.add(parent)
        self.writer.add(child)
        return parent, child

    # -- action items --

    def action(self, *, doc: Document, team: TeamRow, created: dt.datetime, service: Service,
               author, source_answer_id=None, source_factor_id=None) -> ActionItem:
        rng = self.rng
        priority = pick(rng, PRIORITY_WEIGHTS)
        due = created.date() + dt.timedelta(weeks=settings.ACTION_DUE_WEEKS[priority])
        due_at = dt.datetime.combine(due, dt.time(12), tzinfo=UTC)
        # The older the due date, the likelier the item is closed; some stay overdue.
        if due_at < self.end - dt.timedelta(days=180):
            weights = {"done": 0.88, "wont_do": 0.08, "in_progress": 0.02, "open": 0.02}
        elif due_at < self.end:
            weights = {"done": 0.8, "wont_do": 0.07, "in_progress": 0.05, "open": 0.08}
        else:
            weights = {"done": 0.2, "wont_do": 0.0, "in_progress": 0.3, "open": 0.5}
        status = pick(rng, weights)
        note, closed_at = "", None
        if status in ("done", "wont_do"):
            closed_at = self.between(created, min(due_at + dt.timedelta(days=14), self.end))
            note = rng.choice(CLOSING_NOTES if status == "done" else WONT_DO_NOTES)
        item = ActionItem(
            id=self.ids.take(ActionItem),
            title=rng.choice(ACTION_TITLES).format(service=service.name),
            description="Follow-up from the review; see the linked source.",
            owner_id=rng.choice(team.members).pk, team_id=team.team.pk, priority=priority,
            due_date=due, status=status, closing_note=note,
            backlog_url=f"https://tracker.example.com/{team.team.slug.upper()[:6]}-"
                        f"{rng.randint(100, 9999)}",
            document_id=doc.pk if doc else None, source_answer_id=source_answer_id,
            created_by_id=author.pk, created_at=created,
            closed_at=closed_at, revision=1 if status == "open" else 2,
        )
        self.writer.add(item)
        if source_factor_id is not None:
            self.writer.add(FactorAction(factor_id=source_factor_id, item_id=item.pk))
        return item

    # -- ORRs --

    def seed_orrs(self, n: int, actions: list[int]) -> None:
        version = latest_version(Kind.ORR)
        questions = list(version.questions().order_by("section__order", "order"))
        if not questions:
            raise CommandError("The ORR questionnaire has no questions.")
        counts = spread(self.rng, n, len(self.services), never=0.08)
        k = 0
        for service, count in zip(self.services, counts, strict=True):
            if not count:
                continue
            team = self.team_of_service[service.pk]
            begin = max(service.created_at, self.start)
            slot = (self.end - begin) / count
            for j in range(count):
                created = begin + slot * (j + self.rng.uniform(0, 0.3))
                last = j == count - 1
                state = pick(self.rng, {State.APPROVED: 0.55, State.IN_REVIEW: 0.15,
                                        State.CHANGES_REQUESTED: 0.1, State.DRAFT: 0.2}) \
                    if last else State.APPROVED
                self.orr(version, questions, service, team, created, slot * 0.6, state,
                         actions[k])
                k += 1
                self.writer.maybe_flush()

    def orr(self, version, questions, service, team, created, budget, state, n_actions) -> None:
        rng = self.rng
        state, rounds = self.fit_state(state, created, budget)
        author = rng.choice(team.members)
        reviewer = self.outside_reviewer(team) or rng.choice(team.reviewers)
        trigger = rng.choice(TRIGGERS)
        label = ReadinessReview.Trigger(trigger).label
        doc, child = self.new_document(
            ReadinessReview, prefix="ORR", kind=Kind.ORR, service=service, author=author,
            title=f"{service.name} — {label} ORR {created:%Y-%m-%d}", version_id=version.pk,
            state=state, created=created, rounds=rounds, trigger=trigger,
        )
        self.log(doc.pk, author, "started", created, f"Started on {version}",
                 version=version.number)
        answered_until = rounds[0].submitted_at if rounds else min(
            created + budget / 2, self.end - dt.timedelta(minutes=1))
        progress = 1.0 if rounds else rng.uniform(0.2, 0.9)
        answers = []
        for q in questions:
            answer = Answer(id=self.ids.take(Answer), document_id=doc.pk, question_id=q.pk)
            if rng.random() < progress:
                self.fill_orr_answer(answer, q, service, author, created, answered_until)
            answers.append((q, answer))
        answered = [(q, a) for q, a in answers if a.risk == "none"]
        # Each gap gets one or two action items; a few more gaps are accepted risks instead.
        with_actions = min(len(answered), -(-n_actions * 3 // 4)) if n_actions else 0
        gaps = rng.sample(answered, min(len(answered), with_actions + rng.randint(0, 2)))
        action_rows, accepted = defaultdict(list), {}
        for i, (q, a) in enumerate(gaps):
            a.risk = "high" if rng.random() < 0.3 else "medium"
            if a.risk == "high" and q.risk_rules.get("no") == "high":
                a.choice, a.text = "no", "No: tracked as an action item."
            if i >= with_actions:
                accepted[a.pk] = AcceptedRisk(
                    answer_id=a.pk, accepted_by_id=reviewer.pk,
                    reason=rng.choice(ACCEPTED_RISK_REASONS),
                    expires_on=(a.updated_at + dt.timedelta(days=rng.choice([90, 180, 400])))
                    .date(), created_at=a.updated_at)
                self.writer.add(accepted[a.pk])
        for i in range(n_actions):
            if with_actions:
                _, a = gaps[i % with_actions]
                item = self.action(doc=doc, team=team, created=a.updated_at, service=service,
                                   author=author, source_answer_id=a.pk)
                action_rows[a.pk].append(item)
            else:  # nothing answered yet: items raised in the kick-off meeting
                self.action(doc=doc, team=team, created=created, service=service, author=author)
        for _, a in answers:
            self.writer.add(a)
            if a.text and rng.random() < 0.08:
                self.writer.add(Evidence(answer_id=a.pk, label="Dashboard",
                                         url=f"https://dash.example.com/{service.slug}",
                                         added_by_id=author.pk, added_at=a.updated_at))
        if rounds:
            self.writer.add(ReviewerAssignment(document_id=doc.pk, user_id=reviewer.pk,
                                               assigned_by_id=author.pk,
                                               assigned_at=rounds[0].submitted_at))
            self.log(doc.pk, author, "reviewer_assigned", rounds[0].submitted_at,
                     f"{reviewer.username} assigned as reviewer", reviewer=reviewer.username)
        approved_at = self.decide(doc.pk, author, [reviewer], rounds,
                                  [a for _, a in answers if a.text])
        if approved_at:
            doc.approved_at = child.approved_at = approved_at
            self.writer.add(Milestone(
                review_id=doc.pk, name=f"Approved (round {len(rounds)})", automatic=True,
                snapshot=orr_services.snapshot_of(
                    version.number, State.APPROVED,
                    [(q, a, accepted.get(a.pk), action_rows[a.pk]) for q, a in answers]),
                created_by_id=reviewer.pk, created_at=approved_at))

    def fill_orr_answer(self, answer, q, service, author, created, until) -> None:
        rng = self.rng
        answer.updated_at = self.between(created, until)
        answer.updated_by_id = author.pk
        answer.revision = rng.randint(1, 4)
        if rng.random() < 0.04:
            answer.risk = "na"
            answer.na_reason = rng.choice(NA_REASONS)
            answer.text = "Not applicable to this service."
            return
        answer.risk = "none"
        if q.kind == Question.AnswerKind.YES_NO:
            answer.choice = "yes"
            answer.text = rng.choice(YES_NO_NOTES)
        elif q.kind == Question.AnswerKind.CHOICE and q.choices:
            answer.choice = str(rng.choice(q.choices))
        elif q.kind == Question.AnswerKind.NUMBER:
            answer.text = str(rng.choice([99.9, 99.95, 99.99, 250, 1200]))
        elif q.kind == Question.AnswerKind.DATETIME:
            answer.text = f"{answer.updated_at:%Y-%m-%d %H:%M} UTC"
        else:
            paragraphs = rng.sample(ANSWER_PARAGRAPHS, rng.randint(1, 2))
            answer.text = "\n\n".join(p.format(service=service.name) for p in paragraphs)

    # -- COEs --

    def seed_coes(self, n: int, actions: list[int], tags: list[Tag]) -> None:
        version = latest_version(Kind.COE)
        questions = list(version.questions().exclude(section__widget=Section.Widget.METADATA)
                         .order_by("section__order", "order"))
        # Tier-1 services have more incidents (and more of them are written up).
        weights = list(itertools.accumulate({1: 3, 2: 2, 3: 1}[s.tier] for s in self.services))
        for i in range(n):
            service = self.rng.choices(self.services, cum_weights=weights)[0]
            self.coe(version, questions, service, tags, actions[i])
            self.writer.maybe_flush()

    def coe(self, version, questions, service, tags, n_actions) -> None:
        rng = self.rng
        team = self.team_of_service[service.pk]
        incident = self.between(self.start, self.end - dt.timedelta(days=1))
        # Minutes from the start: detected, engaged, mitigated, resolved.
        marks = [rng.randint(1, 30)]
        marks.append(marks[-1] + rng.randint(1, 20))
        marks.append(marks[-1] + rng.randint(5, 180))
        marks.append(marks[-1] + rng.randint(5, 240))
        resolved = incident + dt.timedelta(minutes=marks[-1])
        created = min(self.later(resolved, 1, 72), self.end - dt.timedelta(minutes=30))
        age = self.end - created
        if age > dt.timedelta(days=45):
            weights = {State.APPROVED: 0.88, State.CHANGES_REQUESTED: 0.04,
                       State.IN_REVIEW: 0.03, State.DRAFT: 0.05}
        else:
            weights = {State.APPROVED: 0.35, State.IN_REVIEW: 0.25,
                       State.CHANGES_REQUESTED: 0.1, State.DRAFT: 0.3}
        state, rounds = self.fit_state(pick(rng, weights), created, dt.timedelta(days=40))
        author = rng.choice(team.members)
        committee = [self.outside_reviewer(team) or rng.choice(team.reviewers)]
        if rng.random() < 0.4 and team.reviewers[0] is not author:
            committee.insert(0, team.reviewers[0])
        severity = pick(rng, SEVERITY_WEIGHTS)
        region = rng.choice(REGIONS)
        customers = rng.choice([0, 12, 140, 1840, 25000]) if severity > 1 else 120000
        doc, child = self.new_document(
            Postmortem, prefix="COE", kind=Kind.COE, service=service, author=author,
            title=rng.choice(COE_TITLES).format(service=service.name, region=region,
                                                minutes=marks[-1]),
            version_id=version.pk, state=state, created=created, rounds=rounds,
            incident_start=incident, incident_tz=rng.choice(TIMEZONES), severity=severity,
            customers_affected=customers,
            customers_description=f"Customers in {region} saw failed requests.",
            restricted=rng.random() < 0.04,
        )
        self.log(doc.pk, author, "started", created, f"Started on {version}",
                 version=version.number)
        for tag in rng.sample(tags, rng.randint(1, 3)):
            self.writer.add(Postmortem.tags.through(postmortem_id=doc.pk, tag_id=tag.pk))
        if rng.random() < 0.2:
            other = rng.choice(self.services)
            if other.pk != service.pk:
                self.writer.add(Postmortem.affected_services.through(
                    postmortem_id=doc.pk, service_id=other.pk))
        for member in committee:
            self.writer.add(ReviewerAssignment(document_id=doc.pk, user_id=member.pk,
                                               assigned_by_id=author.pk, assigned_at=created))
            self.log(doc.pk, author, "reviewer_assigned", created,
                     f"{member.username} assigned as reviewer", reviewer=member.username)
        written_until = rounds[0].submitted_at if rounds else min(
            created + dt.timedelta(days=5), self.end - dt.timedelta(minutes=1))
        self.timeline(doc.pk, incident, marks)
        answers = self.coe_answers(doc.pk, questions, service, author, created, written_until,
                                   incident, marks, customers, region, full=bool(rounds))
        leaves = self.factors(doc.pk, created, written_until)
        items = []
        for i in range(n_actions):
            leaf = leaves[i] if i < len(leaves) else rng.choice(leaves)
            items.append(self.action(doc=doc, team=team, created=leaf.created_at,
                                     service=service, author=author, source_factor_id=leaf.pk))
        for leaf in leaves[n_actions:]:
            leaf.accepted_reason = rng.choice(ACCEPTED_FACTOR_REASONS)
        for text in rng.sample(LESSONS, rng.randint(1, 3)):
            lesson = Lesson(id=self.ids.take(Lesson), postmortem_id=doc.pk, text=text,
                            created_at=self.between(created, written_until))
            self.writer.add(lesson)
            for item in rng.sample(items, min(len(items), rng.randint(1, 2))):
                self.writer.add(Lesson.action_items.through(lesson_id=lesson.pk,
                                                            actionitem_id=item.pk))
        approved_at = self.decide(doc.pk, author, committee, rounds,
                                  [a for a in answers if a.text])
        if approved_at:
            doc.approved_at = child.approved_at = approved_at

    def timeline(self, doc_pk: int, incident: dt.datetime, marks: list[int]) -> None:
        kinds = ["started", "detected", "engaged", "mitigated", "resolved"]
        times = [incident] + [incident + dt.timedelta(minutes=m) for m in marks]
        for kind, at in zip(kinds, times, strict=True):
            self.writer.add(TimelineEvent(postmortem_id=doc_pk, at=at, kind=kind,
                                          note=TIMELINE_NOTES[kind]))
        for _ in range(self.rng.randint(0, 4)):
            self.writer.add(TimelineEvent(postmortem_id=doc_pk, kind="other",
                                          at=self.between(times[1], times[-1]),
                                          note=TIMELINE_NOTES["other"]))

    def coe_answers(self, doc_pk, questions, service, author, created, until, incident, marks,
                    customers, region, *, full: bool) -> list[Answer]:
        rng = self.rng
        answers = []
        for q in questions:
            answer = Answer(id=self.ids.take(Answer), document_id=doc_pk, question_id=q.pk)
            if full or rng.random() < 0.6:
                answer.updated_at = self.between(created, until)
                answer.updated_by_id = author.pk
                answer.revision = rng.randint(1, 3)
                if q.key == "summary":
                    end = incident + dt.timedelta(minutes=marks[-1])
                    answer.text = COE_SUMMARY.format(
                        start=f"{incident:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}",
                        service=service.name, region=region, customers=customers)
                else:
                    answer.text = rng.choice(COE_ANSWER)
            answers.append(answer)
            self.writer.add(answer)
        return answers

    def factors(self, doc_pk: int, created: dt.datetime, until: dt.datetime) -> list:
        """A "why" tree; returns its leaves. Human error always gets a "why" below it."""
        rng = self.rng
        leaves = []

        def add(category, text, parent=None):
            factor = ContributingFactor(
                id=self.ids.take(ContributingFactor), postmortem_id=doc_pk,
                parent_id=parent.pk if parent else None, category=category, text=text,
                created_at=self.between(created, until))
            if parent is not None and factor.created_at < parent.created_at:
                factor.created_at = parent.created_at
            self.writer.add(factor)
            return factor

        for _ in range(rng.randint(1, 2)):
            root = add(*rng.choice(ROOT_FACTORS))
            branches = rng.randint(1, 2)
            for _ in range(branches):
                if rng.random() < 0.25:
                    i = rng.randrange(len(HUMAN_ERROR_FACTORS))
                    human = add("human_error", HUMAN_ERROR_FACTORS[i], root)
                    leaves.append(add(*HUMAN_ERROR_WHYS[i], human))
                else:
                    leaves.append(add(*rng.choice(WHY_FACTORS), root))
        return leaves


def unique(base: str, taken: set[str], sep: str = "-") -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{sep}{n}"
    taken.add(name)
    return name


def spread(rng: random.Random, total: int, buckets: int, never: float = 0.0) -> list[int]:
    """`total` split over `buckets`, uneven but with every bucket used while there is enough;
    a share `never` of the buckets stays empty when the total allows it."""
    if buckets == 0:
        return []
    counts = [0] * buckets
    order = list(range(buckets))
    rng.shuffle(order)
    skip = int(buckets * never) if total >= buckets else 0
    used = order[skip:] or order
    for i in range(total):
        counts[used[i] if i < len(used) else rng.choice(used)] += 1
    return counts


def allocate(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` counts that vary around the mean and add up exactly."""
    if parts == 0:
        return []
    base, rest = divmod(total, parts)
    counts = [base + (i < rest) for i in range(parts)]
    rng.shuffle(counts)
    for i in range(parts):
        move = rng.randint(0, counts[i] // 2)
        counts[i] -= move
        counts[rng.randrange(parts)] += move
    return counts


def latest_version(kind: str):
    questionnaire = Questionnaire.objects.filter(kind=kind).first()
    version = questionnaire.latest_published() if questionnaire else None
    if version is None:
        raise CommandError(f"No published {kind} questionnaire; load_questionnaire failed?")
    return version


class Command(BaseCommand):
    help = "Insert production-sized, realistic data in bulk (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=int, default=50)
        parser.add_argument("--services", type=int, default=500)
        parser.add_argument("--orrs", type=int, default=1500)
        parser.add_argument("--coes", type=int, default=5000)
        parser.add_argument("--actions", type=int, default=50000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--end-date", type=dt.date.fromisoformat, default=None,
                            help="Last day of the two years of data (default: today).")

    def handle(self, *args, teams, services, orrs, coes, actions, seed, end_date, **options):
        if min(teams, services, orrs, coes, actions) < 0:
            raise CommandError("Sizes cannot be negative.")
        if (orrs or coes) and not services:
            raise CommandError("Documents need services (--services).")
        call_command("load_questionnaire", str(settings.BASE_DIR / "fixtures/orr/v1.yaml"),
                     str(settings.BASE_DIR / "fixtures/coe/v1.yaml"), verbosity=0)
        end_date = end_date or dt.date.today()
        end = dt.datetime.combine(end_date, dt.time.min, tzinfo=UTC)
        rng = random.Random(seed)
        began = time.perf_counter()
        with transaction.atomic():
            seeder = Seeder(rng=rng, end=end, out=self.stdout)
            seeder.seed_org(teams, services)
            tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
            per_doc = allocate(rng, actions, orrs + coes)
            # ORRs turn about a third of their share into gaps; COE leaves take the rest.
            seeder.seed_orrs(orrs, per_doc[:orrs])
            seeder.seed_coes(coes, per_doc[orrs:], tags)
            if not orrs + coes:
                self._standalone_actions(seeder, actions)
            seeder.writer.flush()
            if Document in seeder.ids.first:
                # bulk_create stamps auto_now fields with the current time; a document was last
                # touched when it was decided, submitted or started.
                Document.objects.filter(pk__gte=seeder.ids.first[Document]).update(
                    updated_at=Coalesce("approved_at", "submitted_at", "created_at"))
            self._reset_sequences(seeder.ids.models)
        elapsed = time.perf_counter() - began
        rows = seeder.writer.rows
        # Bulk inserts send no signals: forget remembered pages. And do now what autovacuum
        # would do in the next minutes (statistics for the planner, the visibility map), so
        # whatever runs next does not share the machine with it.
        pagecache.bump()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (a test's, say); ANALYZE can.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"seed_scale: {rows} rows in {elapsed:.1f} s: {rows / max(elapsed, 1e-9):.0f} rows/s "
            f"({teams} teams, {services} services, {orrs} ORRs, {coes} COEs, {actions} actions, "
            f"seed {seed})"
        )

    def _standalone_actions(self, seeder: Seeder, n: int) -> None:
        if n and not seeder.services:
            raise CommandError("Action items need services and teams.")
        for _ in range(n):
            service = seeder.rng.choice(seeder.services)
            team = seeder.team_of_service[service.pk]
            seeder.action(doc=None, team=team, service=service, author=team.members[0],
                          created=seeder.between(seeder.start, seeder.end))
            seeder.writer.maybe_flush()

    @staticmethod
    def _reset_sequences(models_: list[type[models.Model]]) -> None:
        # Explicit ids leave PostgreSQL's sequences behind; the next ordinary insert would
        # collide. (SQLite's AUTOINCREMENT follows explicit ids by itself.)
        statements = connection.ops.sequence_reset_sql(no_style(), models_)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
