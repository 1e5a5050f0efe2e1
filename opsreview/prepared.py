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
- Arguments are `int` or `str` values used as plain parameters (`field=value`, `field__gt=value`,
  `pk=value`): each stand-in must reach the SQL's parameters exactly once and unchanged. A
  lookup that rewrites its value (`__icontains`, `__in` lists) or a value baked into the SQL
  text is refused with a ValueError.
- Everything else in the builder is fixed for the life of the process: never read the clock,
  the request or settings in it (pass such values as arguments).
- The result is a list; add filters, slices or ordering in the builder, not afterwards.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stand-ins no real row or query uses: negative ids in the 32-bit range (an integer lookup
# outside it is answered without SQL), and strings with control characters.
_INT_BASE = -2_000_000_000


def _stand_in(index: int, value):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"A prepared query takes int or str arguments, not {type(value).__name__}.")
    return _INT_BASE - index if isinstance(value, int) else f"\x1fprepared-{index}\x1f"


@dataclass(frozen=True)
class _Compiled:
    compiler: object  # the SQLCompiler after as_sql(): select, klass_info, col_count are set
    queryset: QuerySet  # the QuerySet built with stand-ins (its iterable class, fields, prefetches)
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (index in params, index of the argument)


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

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *args, using: str = DEFAULT_DB_ALIAS) -> list:
        compiled = self._compiled_for(args, using)
        params = list(compiled.params)
        for at, index in compiled.slots:
            params[at] = args[index]
        kept = compiled.queryset
        queryset = QuerySet(model=kept.model, query=_BoundQuery(compiled, params, using),
                            using=using)
        queryset._iterable_class = kept._iterable_class
        queryset._fields = kept._fields
        queryset._prefetch_related_lookups = kept._prefetch_related_lookups
        return list(queryset)

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
        key = (using, connections[using].vendor, tuple(type(a) for a in args))
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
        sql, params = compiler.as_sql()
        slots = []
        for index, stand_in in enumerate(stand_ins):
            found = [at for at, p in enumerate(params) if type(p) is type(stand_in)
                     and p == stand_in]
            if len(found) != 1 or str(stand_in) in sql:
                raise ValueError(
                    f"Argument {index} of a prepared query must appear once as a plain "
                    f"parameter of its SQL (found {len(found)} times): use it in an exact or "
                    f"ordering lookup, and pass each value once.")
            slots.append((found[0], index))
        return _Compiled(compiler, queryset, sql, tuple(params), tuple(slots))
