"""Demo data: teams, services, every role, and readiness reviews in every state. Idempotent."""

import contextlib
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Membership, Service, ServiceLink, Team, ops_leads_group
from catalog.tags import tags_for
from orr import services as orr_services
from orr.models import ReadinessReview
from postmortems import services as pm
from reports.weeks import Week, zone
from reviews.models import Answer, Decision, Document
from reviews.services import document_assign_reviewer, document_decide, document_submit

PASSWORD = "demo"
TEAMS = {
    "payments": ("Payments", "Checkout, ledger and payment gateway."),
    "platform": ("Platform", "Compute, deployment pipeline and shared infrastructure."),
    "identity": ("Identity", "Sign-in, sessions and account management."),
    "search": ("Search", "Product search and indexing."),
}
SERVICES = [
    ("checkout-api", "Checkout API", "payments", 1, "#payments-oncall"),
    ("ledger", "Ledger", "payments", 1, "#payments-oncall"),
    ("payment-gateway", "Payment Gateway", "payments", 1, "#payments-oncall"),
    ("deploy-pipeline", "Deploy Pipeline", "platform", 2, "#platform-oncall"),
    ("k8s-clusters", "Kubernetes Clusters", "platform", 1, "#platform-oncall"),
    ("login", "Login Service", "identity", 1, "#identity-oncall"),
    ("search-api", "Search API", "search", 2, "#search-oncall"),
    ("indexer", "Search Indexer", "search", 3, "#search-oncall"),
]
# Service tags, for a campaign scoped by tag ("every pci service").
SERVICE_TAGS = {
    "checkout-api": ["pci", "customer-facing"],
    "ledger": ["pci"],
    "payment-gateway": ["pci", "customer-facing"],
    "login": ["customer-facing"],
    "search-api": ["customer-facing"],
}
# username, full name, team, role
PEOPLE = [
    ("ana", "Ana Silva", "payments", Membership.Role.MEMBER),
    ("mia", "Mia Chen", "payments", Membership.Role.REVIEWER),
    ("raj", "Raj Patel", "platform", Membership.Role.REVIEWER),
    ("ken", "Ken Ito", "platform", Membership.Role.MEMBER),
    ("zoe", "Zoe Martin", "identity", Membership.Role.REVIEWER),
    ("sam", "Sam Okafor", "search", Membership.Role.MEMBER),
]
COE_ANSWER = "Covered in the incident channel log; graphs linked in supporting data."
TIMELINE = [
    (0, "started", "Config change with pool limit 20 rolled out to all regions."),
    (6, "detected", "Alarm on checkout 5xx rate above 1 % paged the on-call."),
    (11, "engaged", "Payments on-call and database on-call joined the bridge."),
    (32, "mitigated", "Pool limit rolled back in eu-west-1; errors dropped."),
    (47, "resolved", "Rollback complete in every region; error rate at baseline."),
]
SAMPLE_ANSWER = (
    "Documented in the service runbook. Owners review it every quarter; "
    "see the dashboard linked as evidence."
)


def demo_moment() -> dt.datetime:
    """Thursday 10:00 of the last complete week, in the organisation's time zone."""
    week = Week.last_complete()
    return timezone.make_aware(dt.datetime.combine(week.start + dt.timedelta(days=3),
                                                   dt.time(10)), zone())


@contextlib.contextmanager
def last_week():
    """Let the demo history happen in the last complete week, so the weekly ops-review report
    (which reads last week) has something to show on the first run. The workflow stamps every
    step with the current time and the event log is append-only, so the clock is moved rather
    than the rows rewritten; time-machine (installed with the dev tools) does that. Without it
    the demo happens now and only next week's report shows it."""
    try:
        import time_machine
    except ImportError:
        yield
        return
    with time_machine.travel(demo_moment(), tick=True):
        yield


class Command(BaseCommand):
    help = "Create the demo teams, services, users (password 'demo') and documents."

    def handle(self, *args, **options):
        # Making the demo history notifies its people; nobody needs those e-mails on the
        # console, so they go to an in-memory outbox while seeding.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
                last_week():
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    @transaction.atomic
    def _seed(self):
        call_command("load_questionnaire", "fixtures/orr/v1.yaml", "fixtures/coe/v1.yaml",
                     verbosity=0)
        teams = {
            slug: Team.objects.get_or_create(slug=slug, defaults={
                "name": n, "description": d, "email": f"{slug}@example.com", "chat": f"#{slug}",
            })[0]
            for slug, (n, d) in TEAMS.items()
        }
        services = {}
        for slug, name, team, tier, oncall in SERVICES:
            services[slug], created = Service.objects.get_or_create(
                slug=slug, defaults={"name": name, "team": teams[team], "tier": tier,
                                     "oncall_contact": oncall,
                                     "description": f"{name}, run by the {teams[team].name} team."},
            )
            if created:
                ServiceLink.objects.create(service=services[slug], kind=ServiceLink.Kind.RUNBOOK,
                                           label="Runbook",
                                           url=f"https://wiki.example.com/runbooks/{slug}")
                services[slug].tags.set(tags_for(SERVICE_TAGS.get(slug, [])))
        users = {name: self._user(name, full) for name, full, _, _ in PEOPLE}
        for name, _, team, role in PEOPLE:
            Membership.objects.get_or_create(user=users[name], team=teams[team],
                                             defaults={"role": role})
        olu = self._user("olu", "Olu Adeyemi")
        olu.groups.add(ops_leads_group())
        admin = self._user("admin", "Admin", is_staff=True, is_superuser=True)
        users.update(olu=olu, admin=admin)
        if not Document.objects.exists():
            self._documents(services, users)

    def _user(self, username, full_name, **flags):
        first, _, last = full_name.partition(" ")
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last,
                      "email": f"{username}@example.com", **flags},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        return user

    def _answer_all(self, review, by, *, gap_keys=()):
        for answer in review.answers.select_related("question"):
            q = answer.question
            risk = Answer.Risk.MEDIUM if q.key in gap_keys else Answer.Risk.NONE
            answer.save_if_current(
                base_revision=answer.revision, by=by, text=SAMPLE_ANSWER,
                choice="yes" if q.kind == "yes_no" else "", risk=risk,
            )
            if q.key in gap_keys:
                orr_services.gap_add_action(
                    answer=answer, by=by, title=f"Add a runbook step and alarm for: {q.text[:120]}",
                    owner=by, priority="P2", due_date=timezone.localdate() + dt.timedelta(weeks=8),
                    backlog_url="https://tracker.example.com/OPS-101",
                )

    def _documents(self, s, u):
        # Draft, half answered.
        draft = orr_services.orr_start(service=s["checkout-api"], by=u["ana"],
                                       trigger=ReadinessReview.Trigger.MAJOR_CHANGE)
        for answer in list(draft.answers.select_related("question"))[:12]:
            answer.save_if_current(base_revision=0, by=u["ana"], text=SAMPLE_ANSWER,
                                   risk=Answer.Risk.NONE)
        # In review, waiting for raj.
        ledger = orr_services.orr_start(service=s["ledger"], by=u["ana"],
                                        trigger=ReadinessReview.Trigger.PRE_LAUNCH)
        self._answer_all(ledger, u["ana"], gap_keys=self._gap_keys(ledger))
        document_assign_reviewer(document=ledger, reviewer=u["raj"], by=u["ana"])
        document_submit(document=ledger, by=u["ana"])
        # Approved and ready.
        gateway = orr_services.orr_start(service=s["payment-gateway"], by=u["ana"],
                                         trigger=ReadinessReview.Trigger.PERIODIC)
        self._answer_all(gateway, u["ana"], gap_keys=self._gap_keys(gateway))
        document_assign_reviewer(document=gateway, reviewer=u["raj"], by=u["ana"])
        document_submit(document=gateway, by=u["ana"])
        document_decide(document=gateway, reviewer=u["raj"], verdict=Decision.Verdict.APPROVE,
                        reason="Evidence is convincing; the two gaps have owners and dates.")
        # Changes requested.
        login = orr_services.orr_start(service=s["login"], by=u["zoe"],
                                       trigger=ReadinessReview.Trigger.PRE_LAUNCH)
        self._answer_all(login, u["zoe"])
        document_assign_reviewer(document=login, reviewer=u["raj"], by=u["zoe"])
        document_submit(document=login, by=u["zoe"])
        first = login.answers.order_by("question__section__order", "question__order").first()
        document_decide(document=login, reviewer=u["raj"],
                        verdict=Decision.Verdict.REQUEST_CHANGES,
                        reason="Say what the SLA is in numbers.", flagged_answers=[first])
        # Approved long ago: readiness expired.
        indexer = orr_services.orr_start(service=s["indexer"], by=u["sam"],
                                         trigger=ReadinessReview.Trigger.PRE_LAUNCH)
        self._answer_all(indexer, u["sam"])
        document_assign_reviewer(document=indexer, reviewer=u["raj"], by=u["sam"])
        document_submit(document=indexer, by=u["sam"])
        document_decide(document=indexer, reviewer=u["raj"], verdict=Decision.Verdict.APPROVE,
                        reason="Fine for a tier-3 internal service.")
        # An item from the approved review that is now overdue, for the reminders and reports.
        ActionItem.objects.create(
            title="Add a restore drill of the gateway database to the quarterly game day",
            owner=u["ana"], team=s["payment-gateway"].team, priority="P1",
            due_date=timezone.localdate() - dt.timedelta(days=20), document=gateway,
            created_at=timezone.now() - dt.timedelta(days=60),
            backlog_url="https://tracker.example.com/PAY-314",
        )
        self._postmortems(s, u)
        long_ago = timezone.now() - dt.timedelta(days=420)
        Document.objects.filter(pk=indexer.pk).update(approved_at=long_ago, created_at=long_ago)

    def _coe(self, service, author, committee, title, *, days_ago, severity, customers):
        start = timezone.now() - dt.timedelta(days=days_ago)
        coe = pm.postmortem_create(
            service=service, by=author, title=title, incident_start=start,
            incident_tz="Europe/Helsinki", severity=severity, customers_affected=customers,
            customers_description="Card payments failed with HTTP 502 at checkout.",
            tag_names=["Configuration", "Deployment"], committee=committee,
        )
        for answer in coe.answers.all():
            answer.save_if_current(base_revision=0, by=author, text=COE_ANSWER)
        for minutes, kind, note in TIMELINE:
            pm.timeline_add(postmortem=coe, by=author, kind=kind,
                            at=start + dt.timedelta(minutes=minutes), note=note)
        return coe

    def _postmortems(self, s, u):
        approved = self._coe(s["checkout-api"], u["ana"], [u["raj"]],
                             "Checkout API returned 502 to EU customers for 47 minutes",
                             days_ago=9, severity=2, customers=1840)
        root = pm.factor_add(postmortem=approved, by=u["ana"], category="technical",
                             text="A connection pool limit of 20 was deployed to all regions.")
        why = pm.factor_add(postmortem=approved, by=u["ana"], category="tooling", parent=root,
                            text="The deploy pipeline has no canary stage for configuration "
                                 "changes, so the change reached every region at once.")
        pm.action_add(postmortem=approved, by=u["ana"], factor=why, owner=u["ana"],
                      title="Add a canary stage for configuration deploys in the pipeline",
                      priority="P1", due_date=timezone.localdate() + dt.timedelta(weeks=4))
        pm.lesson_add(postmortem=approved, by=u["ana"],
                      text="Configuration changes need the same staged rollout as code.")
        document_submit(document=approved, by=u["ana"])
        document_decide(document=approved, reviewer=u["raj"], verdict=Decision.Verdict.APPROVE,
                        reason="The why-tree reaches the pipeline; the action is specific.")
        # A draft that stops at human error: its gate explains why it cannot be submitted.
        draft = self._coe(s["ledger"], u["ana"], [u["raj"]],
                          "Ledger writes paused during a manual failover",
                          days_ago=2, severity=3, customers=0)
        pm.factor_add(postmortem=draft, by=u["ana"], category="human_error",
                      text="An operator ran the failover script against the primary.")

    @staticmethod
    def _gap_keys(review):
        return list(
            review.answers.filter(question__kind="markdown")
            .values_list("question__key", flat=True)[:2]
        )
