"""Queries whose SQL is compiled once per process, not once per request.

Turning a QuerySet into SQL (resolving lookups, joins, select_related and the column list) costs
a request about as much CPU as running the query and building its rows: a quarter of the COE
page's time went to compiling the same eighteen statements with new ids. A `Prepared` query is
built once per database with stand-in values for its arguments, compiled, and kept; each call
puts the real values where the stand-ins were and runs the same SQL, through the same Django
code that turns rows into model instances, dicts or tuples (select_related, annotations,
`values()`, `prefetch_related` all behave as in the QuerySet built).

    answers_of = Prepared(lambda document_id: Answer.objects.filter(document_id=document_id))
    answers = answers_of(document.pk)           # a list, as list(queryset) would give

Rules, checked when the query is first compiled:
- Arguments are `int`, `str`, `datetime.date` or aware `datetime.datetime` values used as plain
  parameters (`field=value`, `field__gt=value`, `pk=value`): each stand-in must reach the SQL's
  parameters unchanged (or, for a date or time, as the database's adapter sends it), once or
  more. A lookup that rewrites its value (`__icontains`) or a value baked into the SQL text is
  refused with a ValueError. An `__in` list takes one argument per value (see PreparedShapes).
- Everything else in the builder is fixed for the life of the process (the SQL is kept per
  database and current time zone): never read the clock, the request or settings in it (pass
  such values as arguments).
- The result is a list; add filters, slices or ordering in the builder, not afterwards.

`related` loads a row's related rows with prepared queries too, stored where `prefetch_related`
stores them (`row.tags.all()` reads them, no query): meant for a query of one row (a page's
document), as it runs one query per row and relation.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, MultipleObjectsReturned, ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, QuerySet, Value
from django.utils import timezone

# Stand-ins no query of the app writes as a constant: numbers from 31,337 up, which every integer
# field holds (a lookup outside a field's range is answered without SQL, so there would be
# nothing to replace), strings with control characters, days and times in the year 1111.
_INT_BASE = 31_337
_DAY = dt.date(1111, 1, 1)


def _stand_in(index: int, value):
    if isinstance(value, bool) or not isinstance(value, int | str | dt.date) \
            or (isinstance(value, dt.datetime) and value.tzinfo is None):
        raise TypeError("A prepared query takes int, str, date or aware datetime arguments, "
                        f"not {type(value).__name__}.")
    if isinstance(value, int):
        return _INT_BASE + index
    if isinstance(value, str):
        return f"\x1fprepared-{index}\x1f"
    if isinstance(value, dt.datetime):
        return dt.datetime.combine(_DAY, dt.time(), dt.UTC) + dt.timedelta(days=index)
    return _DAY + dt.timedelta(days=index)


def _how_sent(param, stand_in, ops) -> Callable | None:
    """How the builder's stand-in reached the SQL's parameter `param`, as the function that
    sends a real value the same way, or None when `param` is not that stand-in."""
    if isinstance(stand_in, int):
        # PostgreSQL's backend wraps a small integer field's value in its own int type.
        if isinstance(param, int) and not isinstance(param, bool) and param == stand_in:
            return type(param)
        return None
    if type(param) is type(stand_in) and param == stand_in:
        return _as_is
    if isinstance(stand_in, dt.date):  # adapted: SQLite is sent text
        adapt = (ops.adapt_datetimefield_value if isinstance(stand_in, dt.datetime)
                 else ops.adapt_datefield_value)
        if type(param) is not type(stand_in) and param == adapt(stand_in):
            return adapt
    return None


def _as_is(value):
    return value


@dataclass(frozen=True)
class _Compiled:
    compiler: object  # the SQLCompiler after as_sql(): select, klass_info, col_count are set
    queryset: QuerySet  # the QuerySet built with stand-ins (its iterable class, fields, prefetches)
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, Callable], ...]  # (index in params, of the argument, how sent)


class _BoundQuery:
    """The kept Query with this call's parameters: hands out a compiler that runs the kept SQL.
    It cannot be chained (its filters would be the stand-ins')."""

    def __init__(self, compiled: _Compiled, params: list, using: str):
        self._compiled, self._params, self._using = compiled, params, using

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = copy.copy(self._compiled.compiler)
        compiler.connection = connection or connections[using or self._using]
        sql, params = self._compiled.sql, tuple(self._params)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler

    def chain(self, *args, **kwargs):
        raise TypeError("A prepared query runs as built: add filters in its builder.")

    clone = chain

    def __getattr__(self, name):  # values_select, annotation_select, … of the kept Query
        return getattr(self._compiled.queryset.query, name)


class Prepared:
    """A QuerySet builder whose SQL is compiled once per process and database (see above)."""

    def __init__(self, build: Callable[..., QuerySet], *,
                 related: dict[str, Prepared] | None = None):
        self.build = build
        self.related = related or {}
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *args, using: str = DEFAULT_DB_ALIAS) -> list:
        compiled = self._compiled_for(args, using)
        if not compiled.sql:
            return []
        params = list(compiled.params)
        for at, index, send in compiled.slots:
            params[at] = send(args[index])
        kept = compiled.queryset
        queryset = QuerySet(model=kept.model, query=_BoundQuery(compiled, params, using),
                            using=using)
        queryset._iterable_class = kept._iterable_class
        queryset._fields = kept._fields
        queryset._prefetch_related_lookups = kept._prefetch_related_lookups
        rows = list(queryset)
        for name, query in self.related.items():
            for row in rows:
                keep_as_prefetched(row, name, query(row.pk, using=using))
        return rows

    def get(self, *args, using: str = DEFAULT_DB_ALIAS):
        """The one row, or the model's DoesNotExist / MultipleObjectsReturned, as QuerySet.get.
        (The builder limits the rows, e.g. `[:2]`, as `get()` would.)"""
        rows = self(*args, using=using)
        model = self._compiled_for(args, using).queryset.model
        if not rows:
            raise getattr(model, "DoesNotExist", ObjectDoesNotExist)(
                f"{model._meta.object_name} matching query does not exist.")
        if len(rows) > 1:
            raise getattr(model, "MultipleObjectsReturned", MultipleObjectsReturned)(
                f"get() returned more than one {model._meta.object_name}.")
        return rows[0]

    def _compiled_for(self, args: tuple, using: str) -> _Compiled:
        # Date lookups write the current time zone into the SQL.
        key = (using, connections[using].vendor, timezone.get_current_timezone_name(),
               tuple(type(a) for a in args))
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(args, using)
                self._compiled[key] = compiled
        return compiled

    def _compile(self, args: tuple, using: str) -> _Compiled:
        stand_ins = [_stand_in(i, a) for i, a in enumerate(args)]
        queryset = self.build(*stand_ins).using(using)
        if queryset._known_related_objects:
            raise ValueError("Build a prepared query from the model's manager, not from a "
                             "related manager (its instance would be kept).")
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # no row whatever the values (an empty `__in` list of its shape)
            return _Compiled(compiler, queryset, "", (), ())
        slots = []
        for index, stand_in in enumerate(stand_ins):
            found = [(at, send) for at, p in enumerate(params)
                     if (send := _how_sent(p, stand_in, compiler.connection.ops)) is not None]
            if not found or str(stand_in) in sql:
                raise ValueError(
                    f"Argument {index} of a prepared query must be a plain parameter of its "
                    f"SQL: use it in an exact or ordering lookup.")
            slots.extend((at, index, send) for at, send in found)
        return _Compiled(compiler, queryset, sql, tuple(params), tuple(slots))


def keep_as_prefetched(instance, name: str, rows: list) -> None:
    """Keep `rows` as `instance.<name>.all()`, as `prefetch_related(name)` would have."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


class PreparedShapes:
    """A family of prepared queries, one per shape: which filters a list has, a viewer's kind of
    role, the length of an `__in` list. `build(shape)` gives the builder for that shape.
    At most `limit` shapes are kept; past it the family starts again."""

    def __init__(self, build: Callable[[Hashable], Callable[..., QuerySet]], limit: int = 256):
        self.build, self.limit = build, limit
        self._shapes: dict[Hashable, Prepared] = {}

    def __call__(self, shape: Hashable, *args, using: str = DEFAULT_DB_ALIAS) -> list:
        prepared = self._shapes.get(shape)
        if prepared is None:
            if len(self._shapes) >= self.limit:
                self._shapes = {}
            prepared = self._shapes[shape] = Prepared(self.build(shape))
        return prepared(*args, using=using)


class PreparedList:
    """What a Paginator reads of a list, its count and a page's slice, each one prepared query
    of `family`: a PreparedShapes whose builder, for the shape `(shape, bounds)`, gives the
    list sliced to `bounds` (`sliced_or_counted` does it), or the count when `bounds` is None.
    The SQL is compiled once per shape and page."""

    def __init__(self, family: PreparedShapes, shape: Hashable, *args):
        self.family, self.shape, self.args = family, shape, args

    def count(self) -> int:
        counted = self.family((self.shape, None), *self.args)
        return counted[0][0] if counted else 0

    def __getitem__(self, part: slice) -> list:
        if part.stop <= part.start:  # the first page of an empty list
            return []
        return self.family((self.shape, (part.start, part.stop)), *self.args)


def sliced_or_counted(queryset: QuerySet, bounds: tuple[int, int] | None) -> QuerySet:
    """`queryset[start:stop]`, or with no bounds its count as a one-row query."""
    if bounds:
        return queryset[bounds[0]:bounds[1]]
    return queryset.order_by().values(all=Value(1)).annotate(n=Count("pk")).values_list("n")
