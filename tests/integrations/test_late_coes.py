"""Completion policy: COEs submitted within N working days of the incident's resolution."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from integrations.models import LateEscalation
from notifications.models import Notification
from postmortems import services as pm_services
from postmortems.completion import escalate_late_postmortems, late_postmortems

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# Monday 23 November 2026: resolved then, SEV2 (5 working days) is due Monday 30th.
RESOLVED = dt.datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def coe(questionnaires, checkout, author):
    pm = pm_services.postmortem_create(
        service=checkout, by=author, title="Checkout outage", incident_start=RESOLVED
        - dt.timedelta(hours=2), incident_tz="UTC", severity=2)
    pm_services.timeline_add(postmortem=pm, by=author, kind="resolved", at=RESOLVED,
                             note="Resolved")
    return pm


def test_late_after_its_severitys_working_days(coe, settings):
    settings.COE_SUBMIT_WORKING_DAYS = {"1": 5, "2": 5, "3": 10, "4": 10}
    assert late_postmortems(today=dt.date(2026, 11, 30)) == []
    late = late_postmortems(today=dt.date(2026, 12, 1))
    assert [(lc.postmortem, lc.due) for lc in late] == [(coe, dt.date(2026, 11, 30))]

    settings.COE_SUBMIT_WORKING_DAYS = {"2": 10}
    assert late_postmortems(today=dt.date(2026, 12, 1)) == []


def test_a_submitted_coe_is_never_late(coe):
    type(coe).objects.filter(pk=coe.pk).update(submitted_at=RESOLVED)
    assert late_postmortems(today=dt.date(2027, 1, 1)) == []


def test_escalated_to_ops_leads_exactly_once_and_never_at_the_weekend(
        coe, ops_lead, django_capture_on_commit_callbacks):
    ops_lead.email = "lead@example.com"
    ops_lead.save()
    saturday = dt.date(2026, 12, 5)
    assert escalate_late_postmortems(today=saturday) == 0
    assert not LateEscalation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_late_postmortems(today=dt.date(2026, 12, 7)) == 1
        assert escalate_late_postmortems(today=dt.date(2026, 12, 8)) == 0
        call_command("escalate_late_coes", "--day", "2026-12-09", stdout=io.StringIO())

    told = Notification.objects.filter(user=ops_lead, verb="coe_late")
    assert told.count() == 1 and coe.code in told.get().message
    assert len([m for m in mail.outbox if "Late COE" in m.subject]) == 1


def test_late_coes_on_the_team_page_and_the_weekly_report(client, coe, author, ops_lead):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 9, 10, 0, tzinfo=UTC)):
        client.force_login(author)
        team_page = client.get(reverse("catalog:team", args=[coe.service.team.slug]))
        assert "Late COEs" in team_page.content.decode()
        assert coe.code in team_page.content.decode()

        from reports.services import weekly_report_context
        from reports.weeks import Week

        context = weekly_report_context(Week(dt.date(2026, 12, 7)))
        assert [lc.postmortem for lc in context["late_coes"]] == [coe]
