"""Reminders to the teams whose campaign ORR is not approved yet: once some working days before
the campaign's target date, and once when the target has passed (the service is delayed).

Run daily by ``orr.tasks.send_campaign_reminders_task`` and by hand with
``manage.py send_campaign_reminders``. Like the readiness and action item reminders: none at the
weekend, each selected by range ("target within N working days", "target passed") so a weekend
or an outage is caught up by the next run, and each sent at most once per recipient, claimed by
a unique `CampaignReminder` row. A run late enough to find the target passed sends only the
"delayed" one.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Membership
from notifications.services import notify
from opsreview.workdays import is_working_day, working_days_between
from orr import campaigns
from orr.models import Campaign, CampaignReminder

logger = logging.getLogger(__name__)

LEAD_WORKING_DAYS = 7
# A campaign whose target passed longer ago than this reminds no more (its delayed services
# were told, or the campaign predates these reminders); the weekly report's window too.
DELAYED_WINDOW_DAYS = 28
VERB = "campaign_reminder"
Kind = CampaignReminder.Kind


def kind_due(campaign: Campaign, today: dt.date) -> str | None:
    """The reminder a campaign's unapproved services are due on `today`, or None."""
    if today < campaign.starts_on:
        return None
    if today > campaign.target_on:
        late = (today - campaign.target_on).days
        return Kind.DELAYED if late <= DELAYED_WINDOW_DAYS else None
    # On its launch day the team has just been told; the first reminder comes later.
    launched = timezone.localtime(campaign.created_at).date()
    if launched < today and working_days_between(today, campaign.target_on) <= LEAD_WORKING_DAYS:
        return Kind.DUE_SOON
    return None


def send_campaign_reminders(*, today: dt.date | None = None) -> int:
    """Remind the owning teams of unapproved campaign services; the number sent."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        # Nobody reads these at the weekend; Monday's run picks them up by range.
        return 0
    # Coarse by date (two weeks cover seven working days), exact in kind_due.
    running = Campaign.objects.filter(
        starts_on__lte=today, target_on__lte=today + dt.timedelta(days=14),
        target_on__gte=today - dt.timedelta(days=DELAYED_WINDOW_DAYS))
    due = []
    for campaign in running:  # a handful at a time: each costs a fixed number of queries
        kind = kind_due(campaign, today)
        if kind is None:
            continue
        due += [(campaign, kind, row) for row in campaigns.campaign_rows(campaign, today)
                if row.state != "approved" and not row.entry.service.is_retired]
    if not due:
        return 0
    members: dict[int, list] = {}
    for membership in Membership.objects.filter(
        team_id__in={row.entry.service.team_id for _, _, row in due}, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.team_id, []).append(membership.user)
    sent = 0
    for campaign, kind, row in due:
        for user in members.get(row.entry.service.team_id, []):
            sent += _deliver(campaign=campaign, kind=kind, row=row, recipient=user, today=today)
    logger.info("Campaign reminders for %s: %s", today, sent)
    return sent


def _deliver(*, campaign: Campaign, kind: str, row: campaigns.Row, recipient,
             today: dt.date) -> bool:
    try:
        with transaction.atomic():
            # The row goes first: a concurrent run blocks on the unique index and then skips.
            CampaignReminder.objects.create(entry=row.entry, kind=kind, recipient=recipient,
                                            sent_on=today)
            notify(user=recipient, verb=VERB, message=_message(campaign, kind, row, today),
                   url=row.review.get_absolute_url() if row.review
                   else row.entry.service.get_absolute_url())
    except IntegrityError:
        return False
    return True


def _message(campaign: Campaign, kind: str, row: campaigns.Row, today: dt.date) -> str:
    service = row.entry.service.name
    target = f"{campaign.target_on.day} {campaign.target_on:%b %Y}"
    where = (f"{row.review.code} is {row.label.lower()}" if row.review
             else "no ORR is started yet")
    if kind == Kind.DELAYED:
        return (f"{campaign.name}: the ORR of {service} was due by {target} and is not "
                f"approved ({where}).")
    left = working_days_between(today, campaign.target_on)
    return (f"{campaign.name}: the ORR of {service} is due by {target}, in {left} working "
            f"day{'s' if left != 1 else ''} ({where}).")
