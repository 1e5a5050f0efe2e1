"""Remembered API answers in the real shared cache: what another process writes is seen at once."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import Service
from opsreview import pagecache
from reports.exports import MAX_ATTEMPTS
from reports.models import Export
from reports.tasks import sweep_exports_task

from .conftest import wait_until

pytestmark = pytest.mark.usefixtures("redis_server")


def test_values_are_remembered_in_redis_as_deployed():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.PAGE_CACHE_SECONDS > 0


def test_a_task_finished_by_the_worker_forgets_values_remembered_here(
        celery_worker, transactional_db, checkout, review):
    def name():
        return pagecache.remembered(f"probe:{checkout.pk}",
                                    lambda: Service.objects.get(pk=checkout.pk).name)

    first = name()
    # A write this process sends no signal for, like a bulk job's: the value is still kept…
    Service.objects.filter(pk=checkout.pk).update(name="Renamed by a job")
    assert name() == first
    # …until a task that writes finishes in the worker, another process: it moves the shared
    # generation. (The sweeper marks an export a dead worker left running too often failed.)
    Export.objects.create(document=review, kind=Export.Kind.ORR_PDF,
                          status=Export.Status.RUNNING, attempts=MAX_ATTEMPTS,
                          started_at=timezone.now() - dt.timedelta(hours=1))
    before = pagecache.generation()
    sweep_exports_task.delay()
    assert wait_until(lambda: pagecache.generation() != before, timeout=30)
    assert name() == "Renamed by a job"
