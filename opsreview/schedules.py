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
}
