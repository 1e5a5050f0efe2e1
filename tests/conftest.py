"""Shared personas and small builders used across the suite."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import Membership, Service, Team, ops_leads_group
from orr import services as orr_services
from reviews.models import Answer

REPO = Path(__file__).resolve().parent.parent
# The loopback OpenID Connect provider the sign-in tests use (started only when asked for).
pytest_plugins = ["tests.oidc_provider.fixtures"]
_seq = itertools.count(1)


def make_user(django_user_model, username: str, **extra):
    return django_user_model.objects.create_user(username=username, password="pw", **extra)


def make_team(name: str | None = None, **extra) -> Team:
    n = next(_seq)
    name = name or f"Team {n}"
    return Team.objects.create(name=name, slug=extra.pop("slug", f"team-{n}"), **extra)


def make_service(team: Team, **extra) -> Service:
    n = next(_seq)
    extra.setdefault("name", f"Service {n}")
    extra.setdefault("slug", f"service-{n}")
    return Service.objects.create(team=team, **extra)


def join(user, team: Team, role: str = Membership.Role.MEMBER) -> Membership:
    return Membership.objects.create(user=user, team=team, role=role)


def load_shipped_questionnaires() -> None:
    call_command(
        "load_questionnaire",
        str(REPO / "fixtures/orr/v1.yaml"),
        str(REPO / "fixtures/coe/v1.yaml"),
        verbosity=0,
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped questionnaires once; every test's transaction starts from them."""
    with django_db_blocker.unblock():
        load_shipped_questionnaires()


@pytest.fixture
def questionnaires(db):
    """The shipped v1 ORR and COE questionnaires, published.

    Loaded once per session; a transactional test flushes the database afterwards, so load
    again when they are gone (a no-op when they are there).
    """
    load_shipped_questionnaires()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Exports and uploads written by tests never land in the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The default hasher costs ~0.3 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def payments(db) -> Team:
    return make_team("Payments", slug="payments")


@pytest.fixture
def platform(db) -> Team:
    return make_team("Platform", slug="platform")


@pytest.fixture
def checkout(payments) -> Service:
    return make_service(payments, name="Checkout API", slug="checkout-api", tier=1)


@pytest.fixture
def author(django_user_model, payments):
    """A member of the Payments team who writes the documents."""
    user = make_user(django_user_model, "author")
    join(user, payments)
    return user


@pytest.fixture
def teammate(django_user_model, payments):
    user = make_user(django_user_model, "teammate")
    join(user, payments)
    return user


@pytest.fixture
def own_team_reviewer(django_user_model, payments):
    user = make_user(django_user_model, "ownreviewer")
    join(user, payments, Membership.Role.REVIEWER)
    return user


@pytest.fixture
def reviewer(django_user_model, platform):
    """A bar raiser from another team."""
    user = make_user(django_user_model, "reviewer")
    join(user, platform, Membership.Role.REVIEWER)
    return user


@pytest.fixture
def ops_lead(django_user_model):
    user = make_user(django_user_model, "opslead")
    user.groups.add(ops_leads_group())
    return user


@pytest.fixture
def second_lead(django_user_model):
    lead = django_user_model.objects.create_user("second-lead", password="x")
    lead.groups.add(ops_leads_group())
    return lead


def _cache_on(settings, **seconds):
    """Settings of a shared cache (as with Redis) for one test, its cache emptied before and
    after."""
    from django.core.cache import cache

    for name, value in seconds.items():
        setattr(settings, name, value)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fragments_on(settings):
    """Shared document parts kept (opsreview/fragments.py)."""
    yield from _cache_on(settings, FRAGMENT_CACHE_SECONDS=300)


@pytest.fixture
def page_cache_on(settings):
    """Remembered values kept (opsreview/pagecache.py)."""
    yield from _cache_on(settings, PAGE_CACHE_SECONDS=60)


@pytest.fixture
def similarity_cache_on(settings):
    """A COE's similar factors remembered (learning/similarity.py)."""
    yield from _cache_on(settings, SIMILARITY_CACHE_SECONDS=3600)


@pytest.fixture
def outsider(django_user_model, db):
    """Logged in, but in no team that owns anything here."""
    user = make_user(django_user_model, "outsider")
    join(user, make_team("Elsewhere", slug="elsewhere"))
    return user


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()

def answer_everything(review, by, risk=Answer.Risk.NONE):
    for answer in review.answers.select_related("question"):
        answer.save_if_current(
            base_revision=answer.revision, by=by, text="Answered with evidence.",
            choice="yes" if answer.question.kind == "yes_no" else "", risk=risk,
        )


@pytest.fixture
def review(questionnaires, checkout, author):
    return orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")


@pytest.fixture
def ready_review(review, author, reviewer):
    """A draft whose every gate passes."""
    from reviews.services import document_assign_reviewer

    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    return review
