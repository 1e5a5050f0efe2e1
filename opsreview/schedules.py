"""Every periodic task of the project, in one place.

settings.py reads it (``CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE``); the ``beat`` process of
docker-compose runs it. Times are in ``CELERY_TIMEZONE``, which follows ``TIME_ZONE``. Each task
here is idempotent and also runnable by hand as a management command.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # manage.py send_reminders. The dispatcher adds a random delay of up to
    # REMINDER_JITTER_SECONDS before the run, since beat itself has no jitter.
    "action-item-reminders": {
        "task": "actions.tasks.dispatch_due_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # manage.py send_readiness_reminders. 30 and 7 days before a service's readiness lapses,
    # each once; none at the weekend.
    "readiness-reminders": {
        "task": "orr.tasks.send_readiness_reminders_task",
        "schedule": crontab(hour=7, minute=10),
    },
    # manage.py send_campaign_reminders. Teams whose campaign ORR is not approved: once 7
    # working days before the target date, once when it is delayed; none at the weekend.
    "campaign-reminders": {
        "task": "orr.tasks.send_campaign_reminders_task",
        "schedule": crontab(hour=7, minute=20),
    },
    # manage.py produce_weekly_report. Last week's ops-review report, produced and mailed to
    # the ops leads once per week however often this fires; the dispatcher adds a random delay
    # of up to REPORT_JITTER_SECONDS.
    "weekly-ops-review-report": {
        "task": "reports.tasks.dispatch_weekly_report_task",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
    },
    # manage.py sweep_exports. Sends PDF exports again that a broker outage or a dead worker
    # left behind; the render task's claim makes a second message harmless.
    # manage.py escalate_late_coes. COEs not submitted within their severity's working days
    # after the incident resolved, escalated to the ops leads once each, never at weekends.
    "late-coe-escalations": {
        "task": "postmortems.tasks.escalate_late_coes_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # manage.py announce_expiring_readiness. `readiness.expiring` once per approval, some
    # days before the ORR expires (READINESS_EXPIRING_DAYS).
    "readiness-expiring-events": {
        "task": "orr.tasks.announce_expiring_readiness_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # manage.py sweep_deliveries. Outbound webhook deliveries written while the broker was
    # down are queued again; the send task skips what is already delivered.
    "webhook-delivery-sweeper": {
        "task": "integrations.tasks.sweep_deliveries_task",
        "schedule": 300.0,
    },
    "export-sweeper": {
        "task": "reports.tasks.sweep_exports_task",
        "schedule": 60.0,
    },
}
