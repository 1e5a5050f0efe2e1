"""Action item builders; every persona gets an e-mail address, since reminders go by e-mail."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from actions.models import ActionItem

_seq = itertools.count(1)


def make_item(*, owner, team, **overrides) -> ActionItem:
    n = next(_seq)
    overrides.setdefault("title", f"Page on checkout p99 latency above 800 ms (#{n})")
    overrides.setdefault("due_date", timezone.localdate() + dt.timedelta(days=30))
    return ActionItem.objects.create(owner=owner, team=team, **overrides)


def _addressed(user):
    user.email = f"{user.username}@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def author(author):
    return _addressed(author)


@pytest.fixture
def teammate(teammate):
    return _addressed(teammate)


@pytest.fixture
def own_team_reviewer(own_team_reviewer):
    return _addressed(own_team_reviewer)


@pytest.fixture
def reviewer(reviewer):
    return _addressed(reviewer)


@pytest.fixture
def ops_lead(ops_lead):
    return _addressed(ops_lead)


@pytest.fixture
def outsider(outsider):
    return _addressed(outsider)


@pytest.fixture
def review(questionnaires, checkout, author):
    from orr import services

    return services.orr_start(service=checkout, by=author, trigger="pre_launch")
