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


def test_shared_coe_parts_live_in_redis_and_an_autosave_on_postgresql_forgets_them(
        transactional_db, client, author, ops_lead, questionnaires, checkout):
    """The reader's page comes from the shared cache; the autosave's one-statement UPDATE on
    PostgreSQL (no model signal) moves the COE's version, so the next reader sees the text."""
    from django.db import connection
    from django.urls import reverse

    from tests.postmortems.conftest import make_coe

    assert settings.FRAGMENT_CACHE_SECONDS > 0 and connection.vendor == "postgresql"
    coe = make_coe(checkout, author)
    url = reverse("postmortems:detail", args=[coe.code])
    client.force_login(ops_lead)
    assert client.get(url).wsgi_request.shared_fragments == "--"
    assert client.get(url).wsgi_request.shared_fragments == "++"
    answer = coe.answers.get(question__key="summary")
    assert answer.save_with_history(base_revision=answer.revision, by=author,
                                    fields={"text": "Checkout failed for 41 minutes."},
                                    message="saved", new_data={})
    response = client.get(url)
    assert response.wsgi_request.shared_fragments == "--"
    assert "Checkout failed for 41 minutes." in response.content.decode()
