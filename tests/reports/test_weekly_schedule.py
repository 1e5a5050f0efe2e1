"""The Monday report: scheduled with jitter, produced once, archived, mailed to ops leads once."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from opsreview.schedules import BEAT_SCHEDULE
from reports import exports, services, tasks
from reports.models import Export, WeeklyReport
from reports.weeks import Week

from .conftest import W47


@pytest.fixture
def leads(ops_lead, django_user_model):
    from catalog.models import ops_leads_group

    ops_lead.email = "olu@example.com"
    ops_lead.save()
    other = django_user_model.objects.create_user("lead2", email="lead2@example.com")
    other.groups.add(ops_leads_group())
    gone = django_user_model.objects.create_user("gone", email="gone@example.com",
                                                 is_active=False)
    gone.groups.add(ops_leads_group())
    return ["lead2@example.com", "olu@example.com"]


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = exports.render_pdf

    def counting(html, **kwargs):
        calls.append(1)
        return real(html, **kwargs)

    monkeypatch.setattr(exports, "render_pdf", counting)
    return calls


def test_beat_runs_the_report_on_monday_at_six_and_the_sweeper_every_minute():
    weekly = BEAT_SCHEDULE["weekly-ops-review-report"]
    assert weekly["task"] == tasks.dispatch_weekly_report_task.name
    assert weekly["schedule"] == crontab(hour=6, minute=0, day_of_week="mon")
    sweeper = BEAT_SCHEDULE["export-sweeper"]
    assert sweeper["task"] == tasks.sweep_exports_task.name
    assert sweeper["schedule"] == 60.0


def test_dispatch_starts_last_weeks_report_after_a_random_delay(settings, monkeypatch,
                                                                time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORT_JITTER_SECONDS = 300
    sent = []
    monkeypatch.setattr(tasks.produce_weekly_report_task, "apply_async",
                        lambda **kwargs: sent.append(kwargs))
    for _ in range(20):
        tasks.dispatch_weekly_report_task()
    assert {tuple(s["args"]) for s in sent} == {(W47,)}
    assert all(s["kwargs"] == {"email": True} for s in sent)
    countdowns = {s["countdown"] for s in sent}
    assert all(0 <= c <= 300 for c in countdowns) and len(countdowns) > 1
    assert 300 < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_beat_firing_twice_leaves_one_archived_report_and_one_mail(week47, leads, renders,
                                                                   mailoutbox):
    tasks.dispatch_weekly_report_task()
    tasks.dispatch_weekly_report_task()

    report = WeeklyReport.objects.get()
    assert report.week.iso == W47 and report.emailed_at is not None
    export = Export.objects.get()
    assert export.report == report and export.status == Export.Status.DONE
    files = default_storage.listdir(f"exports/{export.public_id}")[1]
    assert files == ["ops-review-2026-W47-1.pdf"]
    assert len(renders) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == leads
    assert mail.subject == "[OpsReview] Ops review 2026-W47"
    assert "COEs opened" in mail.body and "/reports/weekly/2026-W47/" in mail.body
    (name, content, mimetype), = mail.attachments
    assert (name, mimetype) == ("ops-review-2026-W47.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_a_retried_task_neither_renders_nor_mails_again(week47, leads, renders, mailoutbox):
    tasks.produce_weekly_report_task.apply(args=[W47, True])
    tasks.produce_weekly_report_task.apply(args=[W47, True])
    call_command("produce_weekly_report", "--week", W47)
    assert len(renders) == 1 and len(mailoutbox) == 1
    assert WeeklyReport.objects.count() == 1 and Export.objects.count() == 1


def test_a_failed_send_is_sent_by_the_retry(week47, leads, renders, mailoutbox, monkeypatch):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    tries = []

    def flaky_send(self, *args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise OSError("SMTP connection refused")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    week = Week.parse(W47)
    with pytest.raises(OSError):
        services.weekly_report_produce(week=week, email=True)
    assert WeeklyReport.objects.get().emailed_at is None
    services.weekly_report_produce(week=week, email=True)
    assert len(mailoutbox) == 1 and len(renders) == 1


def test_the_mail_waits_for_a_render_in_progress_elsewhere(week47, leads, mailoutbox):
    week = Week.parse(W47)
    report = WeeklyReport.objects.create(week_start=week.start)
    Export.objects.create(report=report, kind=Export.Kind.REPORT_PDF,
                          status=Export.Status.RUNNING, started_at=timezone.now())
    with pytest.raises(services.ReportNotReady):
        services.weekly_report_produce(week=week, email=True)
    assert mailoutbox == []


def test_a_week_an_ops_lead_produced_early_is_still_mailed_once(week47, leads, ops_lead,
                                                                renders, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.weekly_report_request(week=Week.parse(W47), by=ops_lead)
    assert mailoutbox == []
    tasks.dispatch_weekly_report_task()
    tasks.dispatch_weekly_report_task()
    assert len(mailoutbox) == 1 and len(renders) == 1


def test_produce_command_can_archive_without_mailing(week47, leads, renders, mailoutbox,
                                                    capsys):
    call_command("produce_weekly_report", "--week", W47, "--no-email")
    assert "Ops review 2026-W47: archived" in capsys.readouterr().out
    assert mailoutbox == [] and WeeklyReport.objects.get().emailed_at is None


def test_produce_command_refuses_a_week_that_is_not_over(week47):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not over"):
        call_command("produce_weekly_report", "--week", "2026-W48")


def test_the_weekly_run_computes_the_report_once_for_pdf_and_mail(week47, leads, renders,
                                                                   mailoutbox, monkeypatch):
    from reports import selectors

    computed = []
    real = selectors.weekly_report

    def counting(week):
        computed.append(week.iso)
        return real(week)

    monkeypatch.setattr(selectors, "weekly_report", counting)
    services.weekly_report_produce(week=Week.parse(W47), email=True)
    assert len(renders) == 1 and len(mailoutbox) == 1
    assert computed == [W47]
    assert "COEs opened" in mailoutbox[0].body
