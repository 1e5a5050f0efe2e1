"""Due-soon, overdue and escalation reminders for action items, each sent at most once.

Run daily by ``actions.tasks.send_due_reminders_task`` and by hand with
``manage.py send_reminders``. Items are selected by date ranges ("due within the next N working
days", "past due") rather than "due in exactly N days", so a day without a run (a weekend, an
outage) is caught up by the next run instead of being skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from actions.models import ActionItem, Reminder
from catalog.models import OPS_LEADS_GROUP, Membership
from integrations.events import EventType, emit
from notifications.models import Notification
from opsreview.links import site_url
from opsreview.workdays import add_working_days, is_working_day
from reviews import permissions

logger = logging.getLogger(__name__)

Kind = Reminder.Kind


class RemindersNotSent(Exception):
    """Some reminders could not be sent; their claims were rolled back so a retry sends them."""

    def __init__(self, counts: dict[str, int], errors: list[str]):
        self.counts = counts
        self.errors = errors
        super().__init__(f"{len(errors)} reminder(s) not sent: " + "; ".join(errors[:5]))


def send_due_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder that is due today and has not been sent; return the counts per kind.

    Not one transaction on purpose: each reminder is claimed, recorded and sent in its own, so a
    failure rolls back only its own claim and what went out stays recorded. A failed send does
    not stop the others; the run raises at the end so the task is retried, and the retry sends
    only what is still missing.
    """
    today = today or timezone.localdate()
    counts = {kind: 0 for kind in Kind.values}
    if not is_working_day(today):
        # Nobody reads these on a weekend; Monday's run picks the items up by date range.
        return counts

    errors = []
    for item, kind, recipient in _reminders_due(today):
        try:
            sent = _deliver(item=item, kind=kind, recipient=recipient, today=today)
        except OSError as exc:
            # SMTP and connection errors are OSErrors; anything else is a bug or a time limit
            # and stops the run (its claim is rolled back all the same).
            logger.warning("Reminder %s of action item %s not sent: %s", kind, item.pk, exc)
            errors.append(f"{kind} of #{item.pk} to {recipient.email or recipient.username}: {exc}")
            continue
        counts[kind] += sent
    logger.info("Action item reminders for %s: %s", today, counts)
    if errors:
        raise RemindersNotSent(counts, errors)
    return counts


def _reminders_due(today: dt.date) -> list[tuple[ActionItem, str, object]]:
    before = getattr(settings, "ACTION_REMIND_WORKING_DAYS_BEFORE", 3)
    escalate_after = getattr(settings, "ACTION_ESCALATE_AFTER_DAYS", 14)
    # The state of the source document does not matter: an item of an approved ORR or COE is
    # exactly the kind that is forgotten. Items of people who left are escalated, not mailed.
    items = ActionItem.objects.open().with_related()
    to_owner = items.filter(owner__is_active=True)
    due_soon = to_owner.filter(
        due_date__gte=today, due_date__lte=add_working_days(today, before)
    ).filter(~_sent_to_owner(Kind.DUE_SOON))
    overdue = to_owner.filter(due_date__lt=today).filter(~_sent_to_owner(Kind.OVERDUE))
    escalated = list(items.filter(due_date__lt=today - dt.timedelta(days=escalate_after)))

    planned = [(item, Kind.DUE_SOON, item.owner) for item in due_soon]
    planned += [(item, Kind.OVERDUE, item.owner) for item in overdue]
    planned += [
        (item, Kind.ESCALATION, user) for item, user in _escalations_not_sent(escalated)
    ]
    return planned


def _sent_to_owner(kind: str) -> Exists:
    # Keyed on the current owner: an item handed to someone else reminds the new owner too.
    return Exists(
        Reminder.objects.filter(item=OuterRef("pk"), kind=kind, recipient=OuterRef("owner"))
    )


def _escalations_not_sent(items: list[ActionItem]):
    if not items:
        return []
    users = get_user_model().objects.filter(is_active=True)
    ops_leads = list(users.filter(groups__name=OPS_LEADS_GROUP).distinct())
    reviewers = defaultdict(list)
    memberships = Membership.objects.filter(
        team_id__in={item.team_id for item in items},
        role=Membership.Role.REVIEWER,
        user__is_active=True,
    ).select_related("user")
    for membership in memberships:
        reviewers[membership.team_id].append(membership.user)
    sent = set(
        Reminder.objects.filter(kind=Kind.ESCALATION, item__in=items).values_list(
            "item_id", "recipient_id"
        )
    )
    pairs = []
    for item in items:
        # A reviewer who is also an ops lead gets one e-mail.
        recipients = {user.pk: user for user in reviewers[item.team_id] + ops_leads}
        pairs += [
            (item, user) for pk, user in recipients.items() if (item.pk, pk) not in sent
        ]
    return pairs


def _deliver(*, item: ActionItem, kind: str, recipient, today: dt.date) -> bool:
    """Claim, record and send one reminder; False when it had already been sent."""
    # Someone who may not see the item (an ops lead, for a restricted COE's item) is told that
    # it is late, never what it is (reviews/visibility.py).
    detailed = permissions.can_view_action_item(recipient, item)
    subject, body = _message(item=item, kind=kind, today=today, detailed=detailed)
    try:
        with transaction.atomic():
            # The row goes first: a concurrent run blocks on the unique index and then skips.
            Reminder.objects.create(item=item, kind=kind, recipient=recipient, sent_on=today)
            Notification.objects.create(
                user=recipient, verb=kind, message=subject,
                url=item.get_absolute_url() if detailed else "",
            )
            # Without an address the bell is the only channel; the reminder still counts as
            # sent, or it would ring again every day.
            if recipient.email:
                send_mail(subject, body, None, [recipient.email])
            if kind == Kind.OVERDUE:
                emit(EventType.ACTION_ITEM_OVERDUE, item)
    except IntegrityError:
        return False
    return True


def _message(*, item: ActionItem, kind: str, today: dt.date,
             detailed: bool = True) -> tuple[str, str]:
    due = f"{item.due_date:%d %b %Y}"
    late = (today - item.due_date).days
    if not detailed:
        subject = (f"Escalation: a restricted action item of {item.team.name} is {late} days "
                   f"overdue")
        body = (f"An action item of {item.team.name} is {late} days past its due date (due "
                f"{due}, {item.get_priority_display()}). It belongs to a restricted postmortem, "
                f"so only its team and committee see what it is; its team's reviewers have been "
                f"told.")
        return f"[OpsReview] {subject}", body
    # A title with a line break would make send_mail refuse the subject.
    title = " ".join(item.title.split())
    if kind == Kind.DUE_SOON:
        subject = f"Action item due on {due}: {title}"
        lead = f"An action item you own is due on {due}."
    elif kind == Kind.OVERDUE:
        subject = f"Action item overdue since {due}: {title}"
        lead = (
            "An action item you own is past its due date. Close it with a note, or agree a new "
            "date with your team."
        )
    else:
        subject = f"Escalation: action item {late} days overdue: {title}"
        lead = (
            f"An action item of {item.team.name} is {late} days past its due date. You get this "
            f"as a reviewer of {item.team.name} or as an ops lead."
        )
    owner = item.owner.get_full_name() or item.owner.get_username()
    body = "\n".join([
        lead,
        "",
        f"  {title}",
        f"  Priority: {item.get_priority_display()}",
        f"  Due: {due}",
        f"  Owner: {owner}",
        f"  Team: {item.team.name}",
        f"  Source: {item.document.code if item.document_id else 'none'}",
        "",
        f"Open it: {site_url()}{item.get_absolute_url()}",
    ])
    return f"[OpsReview] {subject}", body
