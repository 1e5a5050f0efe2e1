"""Handing work to Celery without letting a dead broker break the user's request."""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions

logger = logging.getLogger(__name__)

BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


def send(task, *args, **kwargs) -> bool:
    """Queue a task; False (logged) when the broker is unreachable.

    No publish retries: with a dead broker they would only make the user wait; connection
    timeouts are short (CELERY_BROKER_*), and the caller decides what waits for a sweeper.
    """
    try:
        task.apply_async(args, kwargs, retry=False)
    except BROKER_ERRORS as exc:
        logger.warning("Could not queue %s: the broker is unreachable (%r)", task.name, exc)
        return False
    return True
