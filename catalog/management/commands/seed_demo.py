"""Demo data: teams, services, every role, and readiness reviews in every state. Idempotent."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import Membership, Service, ServiceLink, Team, ops_leads_group
from orr import services as orr_services
from orr.models import ReadinessReview
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
# username, full name, team, role
PEOPLE = [
    ("ana", "Ana Silva", "payments", Membership.Role.MEMBER),
    ("mia", "Mia Chen", "payments", Membership.Role.REVIEWER),
    ("raj", "Raj Patel", "platform", Membership.Role.REVIEWER),
    ("ken", "Ken Ito", "platform", Membership.Role.MEMBER),
    ("zoe", "Zoe Martin", "identity", Membership.Role.REVIEWER),
    ("sam", "Sam Okafor", "search", Membership.Role.MEMBER),
]
SAMPLE_ANSWER = (
    "Documented in the service runbook. Owners review it every quarter; "
    "see the dashboard linked as evidence."
)


class Command(BaseCommand):
    help = "Create the demo teams, services, users (password 'demo') and documents."

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("load_questionnaire", "fixtures/orr/v1.yaml", "fixtures/coe/v1.yaml",
                     verbosity=0)
        teams = {
            slug: Team.objects.get_or_create(slug=slug, defaults={"name": n, "description": d})[0]
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
                ServiceLink.objects.create(service=services[slug], label="Runbook",
                                           url=f"https://wiki.example.com/runbooks/{slug}")
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
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

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
        long_ago = timezone.now() - dt.timedelta(days=420)
        Document.objects.filter(pk=indexer.pk).update(approved_at=long_ago, created_at=long_ago)

    @staticmethod
    def _gap_keys(review):
        return list(
            review.answers.filter(question__kind="markdown")
            .values_list("question__key", flat=True)[:2]
        )
