"""API answers remembered until the data changes: one place for the whole app.

The readiness API is asked by every deploy pipeline every few seconds, and its answer for a
token and a service is kept in the shared cache until anything it could show is written.
(HTML pages are not kept: one global "anything changed" number forgot every page at every write,
and in a busy hour hit one read in 771; see docs/performance.md.)

How "until anything is written" holds:

- one **generation** number lives in the cache; every entry records the generation it was made
  in and is used only while that number is unchanged;
- the number moves on every model save or delete (signals, also from the admin, the shell and
  commands), on every unsafe HTTP request (POST, PUT, PATCH, DELETE: covers queryset updates)
  unless its view is marked `keeps_remembered` (the autosave of a draft's answer), and after
  every Celery task that wrote to the database (its statements are watched); a write inside a
  transaction moves it both at once and again at commit, so a value computed from the old rows
  in between is never kept as current;
- entries also expire after ``PAGE_CACHE_SECONDS`` (and an approval's expiry), and the day is
  part of every key. That bound is also what covers the rare write outside all three (a
  queryset update typed in a shell); commands that bulk-insert (seed_scale) move the generation
  themselves.

Entries are bounded: each expires, and the cache's Redis has a memory limit and evicts the
least recently used keys (docker-compose.yml), apart from the broker's.

Without a shared cache (``PAGE_CACHE_SECONDS = 0``, the default when there is no Redis) nothing
is remembered: separate worker processes could not tell each other that the data changed.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from opsreview import fragments

GENERATION_KEY = "pagecache:generation"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Models whose rows are not what any page shows.
IGNORED_APPS = frozenset({"sessions", "axes"})


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _fresh_generation() -> int:
    # After an eviction or a cache restart, never come back to a number old entries carry.
    return time.time_ns()


def generation() -> int | None:
    """The current generation (None when the cache cannot be reached)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _fresh_generation(), None)
        value = cache.get(GENERATION_KEY)
    return value


def _bump_generation() -> None:
    if not enabled():
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, or the cache restarted)
        cache.set(GENERATION_KEY, _fresh_generation(), None)


def bump() -> None:
    """Forget every remembered answer, and the shared parts of every document's pages (a write
    nothing tells apart: an unsafe request, a Celery task, a bulk load)."""
    _bump_generation()
    fragments.bump_shared()


# --- remembered values ---------------------------------------------------------------------


def _current(key: str) -> tuple[int | None, object | None]:
    """The generation and the entry under `key` when it belongs to this generation."""
    found = cache.get_many([GENERATION_KEY, key])
    gen = found.get(GENERATION_KEY)
    if gen is None:
        return generation(), None
    entry = found.get(key)
    if entry is not None and entry[0] == gen:
        return gen, entry[1]
    return gen, None


def remembered(name: str, compute: Callable[[], object],
               until: Callable[[object], dt.datetime | None] | None = None):
    """compute(), kept under `name` until the next write or the day's end, and at most
    PAGE_CACHE_SECONDS or until the moment `until(value)` names (when the value turns stale by
    the clock alone, like an ORR that expires). None is never kept."""
    if not enabled():
        return compute()
    key = f"value:{timezone.localdate().isoformat()}:{name}"
    gen, value = _current(key)
    if value is not None:
        return value
    value = compute()
    timeout = float(settings.PAGE_CACHE_SECONDS)
    stale_at = until(value) if until and value is not None else None
    if stale_at is not None and stale_at > timezone.now():
        timeout = min(timeout, (stale_at - timezone.now()).total_seconds())
    if gen is not None and value is not None and timeout >= 1:
        cache.set(key, (gen, value), int(timeout))
    return value


# --- what forgets --------------------------------------------------------------------------


def forget_on_model_change(sender, instance=None, update_fields=None, **kwargs) -> None:
    if sender._meta.app_label in IGNORED_APPS:
        return
    if enabled():
        _bump_generation()
        transaction.on_commit(_bump_generation)
    if instance is not None:
        # A row of one document forgets that document's shared parts only.
        fragments.forget_for(instance, update_fields)


WRITE_SQL = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class _WriteWatch:
    """A database execute wrapper that notes whether any statement changed a row (an UPDATE
    that matched nothing did not)."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.wrote and WRITE_SQL.match(sql):
            self.wrote = getattr(context.get("cursor"), "rowcount", -1) != 0
        return result


_task_watch = threading.local()


def watch_task(**kwargs) -> None:
    if enabled():
        _task_watch.current = watch = _WriteWatch()
        connection.execute_wrappers.append(watch)


def forget_after_task(**kwargs) -> None:
    """After a task that wrote (queryset updates included): the export sweeper runs every
    minute and mostly reads, and must not forget every page each time it finds nothing."""
    watch = getattr(_task_watch, "current", None)
    if watch is None:
        return
    _task_watch.current = None
    if watch in connection.execute_wrappers:
        connection.execute_wrappers.remove(watch)
    if watch.wrote:
        bump()


def keeps_remembered(view):
    """Mark a view whose writes change nothing a remembered value shows (the autosave of a
    draft's answer: readiness answers only approved ORRs): its POST forgets nothing."""
    view.keeps_remembered = True
    return view


class ForgetOnWriteMiddleware:
    """Any unsafe request may have written (queryset updates send no signal): forget then,
    unless its view is marked `keeps_remembered`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in UNSAFE_METHODS or not enabled():
            return self.get_response(request)
        try:
            return self.get_response(request)
        finally:
            if not getattr(request, "_keeps_remembered", False):
                bump()

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._keeps_remembered = getattr(view_func, "keeps_remembered", False)


def connect() -> None:
    """Wire the forgetting up (OpsreviewConfig.ready)."""
    from celery.signals import task_postrun, task_prerun
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(forget_on_model_change, dispatch_uid=f"pagecache-{id(signal)}")
    task_prerun.connect(watch_task, dispatch_uid="pagecache-task-start")
    task_postrun.connect(forget_after_task, dispatch_uid="pagecache-task")
