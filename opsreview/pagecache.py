"""Pages and API answers remembered until the data changes: one place for the whole app.

Reading is most of what people do here (the service list before a launch meeting, a COE the whole
ops meeting opens, the readiness API asked by every deploy), and rendering those pages costs far
more than fetching their data. So a page a person has seen is kept in the shared cache and served
again to the same person until anything is written.

How "until anything is written" holds:

- one **generation** number lives in the cache; every entry records the generation it was made
  in and is used only while that number is unchanged;
- the number moves on every model save or delete (signals, also from the admin, the shell and
  commands), on every unsafe HTTP request (POST, PUT, PATCH, DELETE: covers queryset updates such
  as the autosave's conditional UPDATE), and after every Celery task that wrote to the database
  (its statements are watched); a write inside a transaction
  moves it both at once and again at commit, so a page rendered from the old rows in between
  is never kept as current;
- entries also expire after ``PAGE_CACHE_SECONDS`` (relative times, "overdue" turning over at
  midnight and ORR expiry happen without writes), and the day is part of every key. That bound
  is also what covers the rare write outside all three (a queryset update typed in a shell);
  commands that bulk-insert (seed_scale) move the generation themselves.

Entries are bounded: each expires, and at most ``PAGE_CACHE_MAX_PER_PERSON`` pages are kept
per person and generation, whatever the query strings; the cache's Redis has a memory limit and
evicts the least recently used keys (docker-compose.yml), apart from the broker's.

A page is remembered per person, session and CSRF cookie (it holds the person's own name,
notifications and form tokens); never for anonymous requests, never while a flash message waits
to be shown, and only for a 200 response that sets no cookie and leaves the session unchanged.
Without a shared cache (``PAGE_CACHE_SECONDS = 0``, the default when there is no Redis) nothing
is remembered: separate worker processes could not tell each other that the data changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone

GENERATION_KEY = "pagecache:generation"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Models whose rows are not what any page shows.
IGNORED_APPS = frozenset({"sessions", "axes"})
# A session holding anything else (a flash message, a conflicting edit kept to be shown, a form
# kept after a failed save) is about to change the page: such a page is rendered afresh.
AUTH_SESSION_KEYS = frozenset({"_auth_user_id", "_auth_user_backend", "_auth_user_hash"})


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


def bump() -> None:
    """Forget every remembered page and answer."""
    if not enabled():
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, or the cache restarted)
        cache.set(GENERATION_KEY, _fresh_generation(), None)


def bump_now_and_at_commit() -> None:
    bump()
    transaction.on_commit(bump)


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


# --- remembered pages ----------------------------------------------------------------------


def page_key(request) -> str | None:
    """The cache key of this request's page, or None when it must be rendered afresh."""
    if not enabled() or request.method not in ("GET", "HEAD"):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    session = request.session
    if not csrf_cookie or not session.session_key or set(session.keys()) - AUTH_SESSION_KEYS:
        return None
    identity = "\n".join([
        str(user.pk), session.session_key, csrf_cookie, request.get_full_path(),
        request.headers.get("HX-Request", ""), request.headers.get("Accept", ""),
    ])
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"page:{timezone.localdate().isoformat()}:{digest}"


def _within_budget(gen: int, user_pk: int) -> bool:
    """At most PAGE_CACHE_MAX_PER_PERSON pages are kept per person and generation: a stream of
    distinct query strings (?page=1..n, ?x=random) cannot grow the cache without bound."""
    key = f"pagecount:{gen}:{user_pk}"
    if cache.add(key, 1, settings.PAGE_CACHE_SECONDS):
        return True
    try:
        return cache.incr(key) <= settings.PAGE_CACHE_MAX_PER_PERSON
    except ValueError:  # expired in between
        return cache.add(key, 1, settings.PAGE_CACHE_SECONDS)


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and not response.has_header("Content-Disposition")
    )


def cached_page(view):
    """Serve the view's page from the cache while nothing was written since it was rendered."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        gen, hit = _current(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (gen is not None and _keepable(request, response)
                and _within_budget(gen, request.user.pk)):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (gen, (response.content, response["Content-Type"])),
                      settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper


# --- what forgets --------------------------------------------------------------------------


def forget_on_model_change(sender, **kwargs) -> None:
    if enabled() and sender._meta.app_label not in IGNORED_APPS:
        bump_now_and_at_commit()


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
