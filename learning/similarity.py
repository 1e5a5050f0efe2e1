"""Recurring contributing factors across COEs: similar text (rapidfuzz), plus category and service.

Explainable: every match carries the words the two factors share. Never across a COE the viewer
cannot see: the candidates are read through `reviews.visibility.visible_documents` (the weekly
report, read by everyone, sees no restricted and no draft COE at all).

A factor that resembles an earlier COE's factor whose action item was *closed before* this
incident is flagged "recurred after its fix": the evidence that the action did not work.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from rapidfuzz import fuzz, process, utils

from actions.models import ActionItem
from opsreview.prepared import PreparedShapes
from postmortems.models import ContributingFactor, Postmortem
from reviews.models import State
from reviews.visibility import StandInViewer, viewer_shape, visible_documents

THRESHOLD = 70          # combined score out of 100
MIN_SHARED = 2          # an explanation needs at least two shared words
CATEGORY_BONUS = 10
SERVICE_BONUS = 10
TEXT_WEIGHT = 0.8
STOPWORDS = frozenset("""
a an and are as at be been but by did do does for from had has have in into is it its no not
of on or our so than that the their then there these this those to too was we were what when
which while who why will with would not nor any all each per our your they them after before
""".split())
WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def words(text: str) -> frozenset[str]:
    """Content words, lower-cased, a plural "s" dropped (cached: factors rarely change)."""
    return frozenset(
        word[:-1] if word[-1] == "s" and len(word) > 4 else word
        for word in WORD.findall(text.lower())
        if len(word) > 2 and word not in STOPWORDS
    )


@dataclass(frozen=True)
class Row:
    """One candidate factor, read once (values), never a model instance."""

    pk: int
    text: str
    category: str
    postmortem_id: int
    code: str
    service_id: int
    incident_start: object


@dataclass
class Match:
    factor: Row
    other: Row
    score: int
    shared: list[str]
    same_category: bool
    same_service: bool
    actions: list[ActionItem] = field(default_factory=list)
    recurred_after_fix: bool = False


def _rows(queryset) -> list[Row]:
    return [Row(*values) for values in queryset.values_list(
        "pk", "text", "category", "postmortem_id", "postmortem__code",
        "postmortem__service_id", "postmortem__incident_start")]


def candidates(viewer=None):
    """The factors of every COE `viewer` may see (no viewer: the report's public view)."""
    if viewer is None:
        coes = Postmortem.objects.filter(deleted_at__isnull=True, restricted=False).exclude(
            state=State.DRAFT)
    else:
        coes = visible_documents(viewer, Postmortem.objects.all())
    return ContributingFactor.objects.filter(postmortem__in=coes.values("pk"))


@dataclass
class Corpus:
    """Candidate factors prepared for matching: their texts as rapidfuzz compares them, and for
    each content word the factors that have it."""

    rows: list[Row]
    texts: list[str]
    index: dict[str, list[int]]


def prepare(rows: list[Row]) -> Corpus:
    index: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for word in words(row.text):
            index[word].append(i)
    return Corpus(rows, [utils.default_process(row.text) for row in rows], dict(index))


def match(queries: list[Row], corpus: list[Row] | Corpus, *, limit: int = 5) -> list[Match]:
    """The best matches of each query in the corpus (other COEs only); pure, no queries."""
    if not queries or not corpus:
        return []
    if not isinstance(corpus, Corpus):
        corpus = prepare(corpus)
    found: list[Match] = []
    for query in queries:
        query_words = words(query.text)
        # A match shares at least MIN_SHARED content words: only those factors are compared
        # (the word index finds them), so the weekly report's hundreds of factors against
        # 15,000 cost a second, not a minute. rapidfuzz then scores the texts in C.
        shared_counts = Counter()
        for word in query_words:
            shared_counts.update(corpus.index.get(word, ()))
        candidates = {i: corpus.texts[i] for i, n in shared_counts.items() if n >= MIN_SHARED}
        if not candidates:
            continue
        hits = process.extract(utils.default_process(query.text), candidates,
                               scorer=fuzz.token_set_ratio, limit=limit * 4 + 10,
                               score_cutoff=(THRESHOLD - CATEGORY_BONUS - SERVICE_BONUS)
                               / TEXT_WEIGHT)
        best = []
        for _choice, text_score, index in hits:
            other = corpus.rows[index]
            if other.postmortem_id == query.postmortem_id:
                continue
            shared = sorted(query_words & words(other.text))
            same_category = other.category == query.category
            same_service = other.service_id == query.service_id
            score = round(TEXT_WEIGHT * text_score + CATEGORY_BONUS * same_category
                          + SERVICE_BONUS * same_service)
            if score >= THRESHOLD:
                best.append(Match(query, other, min(score, 100), shared, same_category,
                                  same_service))
        best.sort(key=lambda m: (-m.score, m.other.code))
        found.extend(best[:limit])
    return found


def _attach_actions(matches: list[Match]) -> None:
    """The matched factors' action items (one query) and the "recurred after its fix" flag."""
    ids = {m.other.pk for m in matches}
    items: dict[int, list[ActionItem]] = defaultdict(list)
    if ids:
        # Only what the panel and the report show of an item (its link, state and closing).
        for item in _ACTIONS_OF_FACTORS(len(ids), *sorted(ids)):
            items[item.factor_id].append(item)
    for m in matches:
        m.actions = items.get(m.other.pk, [])
        start = m.factor.incident_start
        m.recurred_after_fix = bool(start) and m.other.incident_start < start and any(
            item.status == ActionItem.Status.DONE and item.closed_at and item.closed_at < start
            for item in m.actions)


# Prepared (opsreview.prepared): compiled once per kind of viewer and number of ids.
def _visible_among(shape):
    """Which of some COEs (ids after the viewer's team ids) the viewer may see."""
    viewer, _count = shape

    def build(user_id, *args):
        seen_by, ids = StandInViewer.taking(viewer, user_id, args)
        return visible_documents(seen_by, Postmortem.objects.filter(pk__in=ids)).values_list("pk")
    return build


_VISIBLE_AMONG = PreparedShapes(_visible_among)
_ACTIONS_OF_FACTORS = PreparedShapes(lambda n: lambda *ids: ActionItem.objects.filter(
    factor_link__factor_id__in=ids).annotate(factor_id=F("factor_link__factor_id"))
    .only("pk", "status", "closed_at").order_by("pk"))


def similar_for_postmortem(postmortem, viewer, *, limit: int = 5) -> list[Match]:
    """Factors of other COEs (that `viewer` may see) resembling this COE's factors.

    The matching runs against every COE's factors and is remembered until a factor or a COE
    changes (`forget_matches`); what `viewer` may not see is dropped afterwards, from three
    times the matches shown, so hidden COEs never crowd out visible ones in practice."""
    found = _remembered_matches(postmortem, limit * 3)
    others = sorted({m.other.postmortem_id for m in found})
    shape, args = viewer_shape(viewer)
    seen = {pk for (pk,) in _VISIBLE_AMONG((shape, len(others)), *args, *others)} \
        if others else set()
    per_factor: dict[int, int] = defaultdict(int)
    matches = []
    for m in found:
        if m.other.postmortem_id in seen and per_factor[m.factor.pk] < limit:
            per_factor[m.factor.pk] += 1
            matches.append(m)
    _attach_actions(matches)
    return matches


GENERATION = "learning:similarity:generation"


def _remembered_matches(postmortem, limit: int) -> list[Match]:
    """Every match of this COE's factors among all COEs (restricted and drafts included: the
    caller filters), from the cache when nothing changed since it was computed."""
    seconds = settings.SIMILARITY_CACHE_SECONDS
    key = None
    if seconds:
        generation = cache.get(GENERATION)
        if generation is None:
            # A fresh value, so keys of a cache that was emptied are never met again.
            cache.add(GENERATION, time.time_ns(), None)
            generation = cache.get(GENERATION)
        key = f"learning:similar:{postmortem.pk}:{limit}:{generation}"
        found = cache.get(key)
        if found is not None:
            return found
    queries = _rows(ContributingFactor.objects.filter(postmortem=postmortem))
    if not queries:
        found = []
    elif key:
        # The corpus of this generation is read once per process, not once per COE viewed.
        found = match(queries, _corpus(generation), limit=limit)
    else:
        found = match(queries, _rows(ContributingFactor.objects.filter(
            postmortem__deleted_at__isnull=True).exclude(postmortem=postmortem)), limit=limit)
    if key:
        cache.set(key, found, seconds)
    return found


_corpus_memo: dict[int, Corpus] = {}


def _corpus(generation: int) -> Corpus:
    """Every factor of every COE (match() skips the viewed COE's own), prepared, for one
    generation (in this process; the newest generation only)."""
    found = _corpus_memo.get(generation)
    if found is None:
        found = prepare(_rows(ContributingFactor.objects.filter(
            postmortem__deleted_at__isnull=True)))
        _corpus_memo.clear()
        _corpus_memo[generation] = found
    return found


def forget_matches(**_kwargs) -> None:
    """A factor or a COE changed: every remembered match is recomputed on its next view (now,
    and again at commit, so a view that read the old rows meanwhile is not kept)."""
    if not settings.SIMILARITY_CACHE_SECONDS:
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.set(GENERATION, time.time_ns(), None)


def recurring_themes(*, since=None, until=None, limit: int = 20) -> list[Match]:
    """For the weekly report: factors of COEs (incidents from `since` until before `until`)
    resembling earlier COEs' factors, those that recurred after their fix first. Public view
    only."""
    pool = candidates(None)
    recent = pool.filter(postmortem__incident_start__gte=since) if since else pool
    if until:
        recent = recent.filter(postmortem__incident_start__lt=until)
    queries = _rows(recent)
    corpus = _rows(pool)
    matches = [m for m in match(queries, corpus, limit=3)
               if m.other.incident_start < m.factor.incident_start]
    _attach_actions(matches)
    matches.sort(key=lambda m: (not m.recurred_after_fix, -m.score))
    return matches[:limit]
