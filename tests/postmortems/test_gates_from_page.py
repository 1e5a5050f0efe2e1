"""The COE page evaluates the gates from what it loaded: same answers as the gates' own reads."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from postmortems import selectors, services
from postmortems.models import ContributingFactor, Postmortem
from reviews import gates

from .conftest import add_event


def both(postmortem):
    alone = gates.evaluate(Postmortem.objects.get(pk=postmortem.pk))
    page = Postmortem.objects.prefetch_related("assignments").get(pk=postmortem.pk)
    selectors.page_data(page)
    return alone, page


def results(found):
    return [(r.name, r.passed, r.message) for r in found]


def test_failing_gates_say_the_same_from_the_page(coe, author):
    root = services.factor_add(postmortem=coe, by=author, category="human",
                               text="The operator blamed for the careless push")
    services.factor_add(postmortem=coe, by=author, parent=root,
                        category=ContributingFactor.Category.TOOLING, text="No deploy check")
    services.factor_add(postmortem=coe, by=author, category="human", text="Skipped the step")
    add_event(coe, "resolved", 5)
    alone, page = both(coe)
    assert any(not r.passed for r in alone)
    assert results(gates.evaluate(page)) == results(alone)


def test_passing_gates_say_the_same_from_the_page(ready_coe):
    alone, page = both(ready_coe)
    assert all(r.passed for r in alone)
    assert results(gates.evaluate(page)) == results(alone)


def test_the_page_evaluates_the_gates_without_a_query(ready_coe):
    _, page = both(ready_coe)
    with CaptureQueriesContext(connection) as ctx:
        gates.evaluate(page)
    assert len(ctx) == 0, [q["sql"][:120] for q in ctx.captured_queries]
