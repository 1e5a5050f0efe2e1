"""The global search box: services, ORRs, COEs (title, summary, factors) and action items.

PostgreSQL full-text search when the database is PostgreSQL; a case-insensitive substring
match on SQLite. Every kind is filtered by what the user may see, inside the query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from actions.selectors import visible_items
from catalog.models import Service
from postmortems.models import ContributingFactor
from reviews.models import Answer, Kind
from reviews.selectors import visible_documents

LIMIT = 20
MAX_QUERY = 200


def _matching(qs: QuerySet, fields: list[str], query: str) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*fields, config="english")
        return qs.annotate(_search=vector).filter(
            _search=SearchQuery(query, search_type="websearch", config="english")
        )
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    return qs.filter(condition)


@dataclass
class Results:
    query: str
    services: list
    reviews: list
    postmortems: list
    items: list

    @property
    def total(self) -> int:
        return len(self.services) + len(self.reviews) + len(self.postmortems) + len(self.items)


def search(user, query: str) -> Results:
    query = query.strip()[:MAX_QUERY]
    if not query:
        return Results(query, [], [], [], [])
    documents = visible_documents(user).select_related("service")
    summary = _matching(
        Answer.objects.filter(document_id=OuterRef("pk"), question__key="summary"), ["text"], query
    )
    factors = _matching(
        ContributingFactor.objects.filter(postmortem_id=OuterRef("pk")), ["text"], query
    )
    coes = documents.filter(kind=Kind.COE).filter(
        Q(pk__in=_matching(documents.filter(kind=Kind.COE), ["title", "code"], query).values("pk"))
        | Exists(summary) | Exists(factors)
    )
    reviews = _matching(documents.filter(kind=Kind.ORR), ["title", "code"], query)
    return Results(
        query=query,
        services=list(_matching(Service.objects.select_related("team"),
                                ["name", "slug", "description"], query)[:LIMIT]),
        reviews=list(reviews.order_by("-created_at")[:LIMIT]),
        postmortems=list(coes.order_by("-created_at")[:LIMIT]),
        items=list(_matching(visible_items(user), ["title", "description"], query)
                   .order_by("due_date")[:LIMIT]),
    )
