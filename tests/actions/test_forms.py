import datetime as dt

import pytest
import time_machine

from actions.forms import ActionItemForm
from postmortems.blamelint import lint

from .conftest import make_item

TODAY = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
GOOD_TITLE = "Alarm on checkout p99 latency above 800 ms"


def form_data(owner, **overrides):
    return {"title": GOOD_TITLE, "owner": owner.pk, "priority": "P2", "due_date": "2026-12-10",
            **overrides}


@time_machine.travel(TODAY)
def test_a_specific_title_and_future_date_are_accepted(db, author, payments):
    form = ActionItemForm(data=form_data(author), team=payments)
    assert form.is_valid(), form.errors


@time_machine.travel(TODAY)
def test_a_due_date_in_the_past_is_refused_on_creation(db, author, payments):
    form = ActionItemForm(data=form_data(author, due_date="2026-11-24"), team=payments)
    assert not form.is_valid()
    assert form.errors["due_date"] == ["The due date is in the past."]


@time_machine.travel(TODAY)
def test_an_existing_item_keeps_its_past_due_date_when_edited(db, author, payments):
    item = make_item(owner=author, team=payments, due_date=dt.date(2026, 11, 2))
    form = ActionItemForm(
        data=form_data(author, due_date="2026-11-02"), instance=item, team=payments
    )
    assert form.is_valid(), form.errors


def test_the_wording_check_exists_for_action_items():
    assert any(f.severity == "block" for f in lint("Improve documentation", field="action"))


@pytest.mark.parametrize("title", ["Improve documentation", "Be more careful"])
@time_machine.travel(TODAY)
def test_a_vague_title_is_refused(db, author, payments, title):
    form = ActionItemForm(data=form_data(author, title=title), team=payments)
    assert not form.is_valid()
    assert "title" in form.errors


@time_machine.travel(TODAY)
def test_the_owner_must_be_in_the_team(db, author, reviewer, payments):
    form = ActionItemForm(data=form_data(reviewer), team=payments)
    assert not form.is_valid()
    assert "owner" in form.errors
