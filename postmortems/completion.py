"""Completion policy: a COE is submitted within N working days of the incident's resolution.

N is per severity (setting COE_SUBMIT_WORKING_DAYS). The resolution is the first "resolved"
event of the COE's timeline, whoever wrote it (the pager intake pre-fills it). Late COEs are
listed on the team's page and in the weekly report, and escalated to the ops leads once each,
on a working day, by ``escalate_late_postmortems`` (``postmortems.tasks.escalate_late_coes_task``
daily, and ``manage.py escalate_late_coes``), claimed by a unique row like the action item
reminders. Action items have their own period per priority (ACTION_DUE_WEEKS) and the reminder
and escalation run of ``actions.reminders``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from catalog.models import OPS_LEADS_GROUP
from integrations.models import LateEscalation
from notifications.services import notify
from opsreview.workdays import add_working_days, is_working_day
from postmortems.models import Postmortem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LateCoe:
    postmortem: Postmortem
    resolved_at: dt.datetime
    due: dt.date


def submit_working_days(severity: int) -> int:
    table = getattr(settings, "COE_SUBMIT_WORKING_DAYS", {})
    return int(table.get(str(severity), table.get(severity, 10)))


def late_postmortems(*, today: dt.date | None = None, team=None) -> list[LateCoe]:
    """COEs never submitted although their incident resolved more than N working days ago."""
    today = today or timezone.localdate()
    rows = (
        Postmortem.objects.alive().filter(submitted_at__isnull=True)
        .annotate(resolved=Min("timeline__at", filter=Q(timeline__kind="resolved")))
        .filter(resolved__isnull=False).select_related("service__team")
        .order_by("resolved")
    )
    if team is not None:
        rows = rows.filter(service__team=team)
    late = []
    for pm in rows:
        resolved_day = timezone.localdate(pm.resolved)
        due = add_working_days(resolved_day, submit_working_days(pm.severity))
        if today > due:
            late.append(LateCoe(postmortem=pm, resolved_at=pm.resolved, due=due))
    return late


def escalate_late_postmortems(*, today: dt.date | None = None) -> int:
    """Tell every ops lead about each late COE, once; nothing at the weekend."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    leads = list(get_user_model().objects.filter(is_active=True, groups__name=OPS_LEADS_GROUP)
                 .distinct())
    sent = 0
    for late in late_postmortems(today=today):
        pm = late.postmortem
        for lead in leads:
            try:
                with transaction.atomic():
                    # The row goes first: a second run, or a concurrent one, skips it.
                    LateEscalation.objects.create(postmortem=pm, recipient=lead, sent_on=today)
                    notify(user=lead, verb="coe_late", url=pm.get_absolute_url(),
                           message=f"Late COE: {pm.code} “{pm.title}” of "
                                   f"{pm.service.team.name} was due for review on "
                                   f"{late.due:%d %b %Y} ({pm.get_severity_display()})")
            except IntegrityError:
                continue
            sent += 1
    logger.info("Late COE escalations on %s: %s", today, sent)
    return sent
