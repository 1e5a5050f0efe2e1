"""Parts of document pages drawn once and shared, until that document or anything shared changes.

A COE or an ORR is read far more often than it is written, by many people who see the same
thing. ``{% shared_fragment "coe-body" document viewer %}…{% endshared_fragment %}``
(opsreview/templatetags/fragments.py) keeps the HTML of what it encloses in the shared cache,
for everyone whose ``viewer`` key is the same (the page's permission flags: what the template
branches on), and draws it again only when one of these moves:

- the document's **version**: a number per document, moved when a row of that document
  changes: the document itself, or a row that belongs to it (answers, comments, evidence, flags,
  factors, timeline, lessons, attachments, action items, assignments, decisions, the history),
  found through the row's foreign keys (``documents_of``), and by the answer autosave, which
  writes in one SQL statement without model signals (``touch_document``);
- the **shared generation**: moved by every other write: rows that belong to no one document
  (a service, a team, a person's name, a questionnaire), a change to a document row itself or
  to a row other documents show too (``SHOWN_ELSEWHERE``: a COE named on an ORR question, now
  restricted; an action item under a carried ORR's answer), any unsafe request whose view is
  not marked (queryset updates send no signal), and any Celery task that wrote
  (opsreview/pagecache.py moves it with its own generation);
- the **day** (overdue flags, "late" COEs), and the entry expires after
  ``FRAGMENT_CACHE_SECONDS`` in any case (relative times, the rare write outside Django).

The CSRF token of the forms inside is not kept: the part is drawn with a random stand-in that
each request replaces with its own token. Per-person parts of a page (the navigation, messages,
the unread count) stay outside the enclosed part.

Without a shared cache (``FRAGMENT_CACHE_SECONDS = 0``, the default when there is no Redis)
nothing is kept: separate worker processes could not tell each other that a document changed.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject

SHARED_KEY = "fragments:shared"
# Rows no document page shows: writing them forgets nothing.
UNSHOWN = frozenset({
    "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "notifications.notification", "notifications.emailoptout",
    "integrations.delivery", "integrations.deliveryattempt",
    "reports.weeklyreport", "reports.export",
})


# Rows of one document that other documents' pages show too: an action item (under a carried
# ORR's answer, a COE lesson), a COE's proposal (the origin line of a question). Their changes
# forget their own document's parts and every shared part.
SHOWN_ELSEWHERE = frozenset({"actions.actionitem", "learning.proposal"})


def enabled() -> bool:
    return settings.FRAGMENT_CACHE_SECONDS > 0


def version_key(document_id: int) -> str:
    return f"fragments:document:{document_id}"


def _fresh() -> int:
    # After an eviction or a restart, never come back to a number old entries carry.
    return time.time_ns()


def _move(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (evicted, or the cache restarted)
        cache.set(key, _fresh(), None)


def _now_and_at_commit(move) -> None:
    move()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(move)


def touch_document(document_id: int | None) -> None:
    """Forget the shared parts of one document's pages (now, and again at commit)."""
    if enabled() and document_id:
        _now_and_at_commit(lambda: _move(version_key(document_id)))


def bump_shared() -> None:
    """Forget the shared parts of every document's pages (now)."""
    if enabled():
        _move(SHARED_KEY)


def versions(document_id: int) -> tuple[int | None, int | None]:
    """The shared generation and the document's version (None when the cache is unreachable)."""
    keys = [SHARED_KEY, version_key(document_id)]
    found = cache.get_many(keys)
    missing = {key: _fresh() for key in keys if found.get(key) is None}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, None)
        found = cache.get_many(keys)
    return found.get(SHARED_KEY), found.get(version_key(document_id))


def lazy_values(compute: Callable[[], dict], names: Iterable[str]) -> dict:
    """A page's values, read only if a template uses one: `compute()` runs once, the first time
    any of `names` is read. A view hands them to a template whose shared parts may come from
    the cache, so the page's queries run only when a part is drawn."""
    once = functools.cache(compute)
    return {name: SimpleLazyObject(lambda name=name: once()[name]) for name in names}


# --- which document a written row belongs to --------------------------------------------------


def _document_model():
    return apps.get_model("reviews", "Document")


def _links(model) -> list[tuple[str, type]]:
    """The foreign keys of `model`: (attname, related model)."""
    return [(f.attname, f.related_model) for f in model._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)]


def documents_of(instance) -> set[int] | None:
    """The documents a row belongs to, or None when it belongs to no document (or one cannot
    tell). A document row is its own; a row pointing to a document belongs to it; a row
    pointing to a row that points to a document (a comment on an answer, a factor's action)
    belongs to that one (one query)."""
    document = _document_model()
    if isinstance(instance, document):
        return {instance.pk}
    found: set[int] = set()
    parents = []
    for attname, related in _links(type(instance)):
        value = getattr(instance, attname, None)
        if value is None:
            continue
        if issubclass(related, document):
            found.add(value)
        else:
            parents.append((related, value))
    if found:
        return found
    for related, value in parents:
        for attname, grand in _links(related):
            if issubclass(grand, document):
                row = related._default_manager.filter(pk=value).values_list(attname).first()
                if row and row[0]:
                    found.add(row[0])
    return found or None


def forget_for(instance, update_fields=None) -> None:
    """After `instance` was saved or deleted: move what its change may show on."""
    if not enabled() or instance._meta.label_lower in UNSHOWN:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in
    if isinstance(instance, _document_model()) or (
            instance._meta.label_lower in SHOWN_ELSEWHERE):
        for document_id in documents_of(instance) or ():
            touch_document(document_id)
        _now_and_at_commit(bump_shared)
        return
    owners = documents_of(instance)
    if owners is None:
        _now_and_at_commit(bump_shared)
        return
    for document_id in owners:
        touch_document(document_id)
