"""Shared parts of document pages (opsreview/fragments.py): drawn once for everyone with the
same view, drawn again as soon as anything they show may have changed."""

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse

from catalog.models import Service
from opsreview import fragments, pagecache
from orr import services as orr_services
from reviews.models import Comment

from ..conftest import make_service

pytestmark = pytest.mark.django_db

PAGE = Template(
    '{% load fragments %}{% shared_fragment "test-body" document viewer %}'
    "<p>{{ draw }}</p>{% csrf_token %}{% endshared_fragment %}"
)


class Counter:
    """Counts how often the enclosed part is really drawn."""

    def __init__(self):
        self.n = 0

    def __str__(self):
        self.n += 1
        return f"drawn {self.n}"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draw():
    return Counter()


def show(document, draw, viewer=("reader",), token="t" * 64):
    return PAGE.render(Context({"document": document, "viewer": viewer, "draw": draw,
                                "csrf_token": token}))


def test_a_part_is_drawn_once_for_everyone_with_the_same_view(review, draw):
    assert "drawn 1" in show(review, draw)
    assert "drawn 1" in show(review, draw)
    assert "drawn 2" in show(review, draw, viewer=("editor",))  # another view, another part
    assert "drawn 1" in show(review, draw)


def test_a_change_to_the_document_or_its_rows_draws_it_again(review, author, draw):
    show(review, draw)
    answer = review.answers.select_related("question").first()
    # The autosave: one conditional UPDATE, no model signal.
    answer.save_with_history(base_revision=answer.revision, by=author,
                             fields={"text": "Paged in five minutes"}, message="saved",
                             new_data={})
    assert "drawn 2" in show(review, draw)
    Comment.objects.create(answer=answer, author=author, body="Which pager?")  # two steps away
    assert "drawn 3" in show(review, draw)
    review.title = "Checkout, renamed"
    review.save(gates_checked=True)
    assert "drawn 4" in show(review, draw)
    assert "drawn 4" in show(review, draw)


def test_another_documents_rows_leave_it_alone(review, author, checkout, draw, questionnaires):
    other = orr_services.orr_start(service=make_service(checkout.team, name="Ledger"),
                                   by=author, trigger="pre_launch")
    show(review, draw)
    answer = other.answers.first()
    answer.save_with_history(base_revision=answer.revision, by=author,
                             fields={"text": "Other text"}, message="saved", new_data={})
    Comment.objects.create(answer=answer, author=author, body="Elsewhere")
    assert "drawn 1" in show(review, draw)


def test_an_action_item_of_another_document_draws_every_document_again(
        review, author, checkout, draw, questionnaires):
    """Other documents show action items too (under a carried ORR's answer, a COE lesson)."""
    from actions.models import ActionItem

    other = orr_services.orr_start(service=make_service(checkout.team, name="Ledger"),
                                   by=author, trigger="pre_launch")
    show(review, draw)
    ActionItem.objects.create(title="Page the ledger on-call", owner=author, team=checkout.team,
                              due_date="2026-12-01", document=other)
    assert "drawn 2" in show(review, draw)


def test_shared_rows_unsafe_requests_and_bulk_loads_draw_every_document_again(
        review, checkout, draw, client, author):
    show(review, draw)
    Service.objects.filter(pk=checkout.pk).update(name="Renamed")  # no signal: not seen...
    assert "drawn 1" in show(review, draw)
    checkout.refresh_from_db()
    checkout.save()  # ...a saved service is
    assert "drawn 2" in show(review, draw)
    client.force_login(author)
    client.post(reverse("notifications:read"))  # any unsafe request whose view is not marked
    assert "drawn 3" in show(review, draw)
    pagecache.bump()  # a Celery task that wrote, seed_scale
    assert "drawn 4" in show(review, draw)


def test_rows_no_document_shows_and_sign_ins_forget_nothing(review, author, draw, client):
    from notifications.models import Notification

    show(review, draw)
    Notification.objects.create(user=author, verb="test", message="hello")
    client.force_login(author)  # updates last_login
    assert "drawn 1" in show(review, draw)


def test_no_one_gets_another_persons_csrf_token(review, draw):
    mine, theirs = "a" * 64, "b" * 64
    assert f'value="{mine}"' in show(review, draw, token=mine)
    html = show(review, draw, token=theirs)
    assert "drawn 1" in html and f'value="{theirs}"' in html and mine not in html
    kept = [v for v in cache._cache.values() if b"test-body" in v or b"drawn" in v]
    assert kept and not any(mine.encode() in v or theirs.encode() in v for v in kept)


def test_nothing_is_kept_without_a_shared_cache(review, draw, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    show(review, draw)
    assert "drawn 2" in show(review, draw)


def test_a_part_belongs_to_the_day_it_was_drawn(review, draw, time_machine):
    time_machine.move_to("2026-03-02 09:00")
    show(review, draw)
    time_machine.move_to("2026-03-03 09:00")
    assert "drawn 2" in show(review, draw)


def test_rows_are_traced_to_their_document(checkout, author, questionnaires):
    from postmortems.models import ContributingFactor, FactorAction

    from ..postmortems.conftest import add_action, make_coe

    coe = make_coe(checkout, author)
    factor = ContributingFactor.objects.create(postmortem=coe, text="Pool too small",
                                               category=ContributingFactor.Category.TECHNICAL)
    item = add_action(coe, factor=factor)
    assert fragments.documents_of(item) == {coe.pk}
    assert fragments.documents_of(FactorAction.objects.get(item=item)) == {coe.pk}  # two steps
    assert fragments.documents_of(coe.service) is None
