import datetime as dt

from django.urls import reverse

from actions.models import ActionItem
from reviews.services import document_submit


def test_home_shows_my_drafts_and_items(client, review, author, today):
    ActionItem.objects.create(title="Alarm on p99 > 800 ms", owner=author, team=review.service.team,
                              due_date=today, document=review)
    client.force_login(author)
    content = client.get(reverse("home")).content.decode()
    assert review.code in content
    assert "Alarm on p99 &gt; 800 ms" in content
    assert f"{review.code} · {review.service.name}</small>" in content  # where the item is from
    assert f'<span class="badge state-{review.state}">{review.get_state_display()}' in content
    assert "Checkout API" in content  # my team's services


def test_reviewer_home_lists_what_waits_for_them(client, ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    client.force_login(reviewer)
    content = client.get(reverse("home")).content.decode()
    assert "Waiting for my review" in content and ready_review.code in content


def test_only_ops_leads_see_the_organisation_figures(client, author, ops_lead, db):
    client.force_login(ops_lead)
    assert "COEs opened" in client.get(reverse("home")).content.decode()
    client.force_login(author)
    assert "COEs opened" not in client.get(reverse("home")).content.decode()


def test_a_person_without_a_team_is_told_whom_to_ask(client, django_user_model, author,
                                                     ops_lead, db):
    ops_lead.email = "lead@example.com"
    ops_lead.save()
    django_user_model.objects.create_user("gone", email="gone@example.com", is_active=False,
                                          is_superuser=True)
    newcomer = django_user_model.objects.create_user("newcomer")
    client.force_login(newcomer)
    content = client.get(reverse("home")).content.decode()
    assert "You are not in a team yet" in content
    assert 'href="mailto:lead@example.com"' in content
    assert "gone@example.com" not in content  # only active people are named

    # A team member and an ops lead are not told so.
    for person in (author, ops_lead):
        client.force_login(person)
        assert "You are not in a team yet" not in client.get(reverse("home")).content.decode()


def test_without_ops_leads_the_administrators_are_named(client, django_user_model, db):
    django_user_model.objects.create_superuser("ada", "ada@example.com", "pw")
    client.force_login(django_user_model.objects.create_user("newcomer"))
    assert 'href="mailto:ada@example.com"' in client.get(reverse("home")).content.decode()


def test_organisation_figures_are_shared_for_a_minute(client, ops_lead, settings, today,
                                                       checkout, author, time_machine,
                                                       django_assert_max_num_queries):
    from django.core.cache import cache

    settings.ORG_FIGURES_SECONDS = 60
    cache.clear()
    ActionItem.objects.create(title="Cap the pool at 20", owner=author, team=checkout.team,
                              due_date=today - dt.timedelta(days=3))
    client.force_login(ops_lead)
    assert "Payments: <span" in client.get(reverse("home")).content.decode().replace("\n", "")
    ActionItem.objects.create(title="Page on p99 > 800 ms", owner=author, team=checkout.team,
                              due_date=today - dt.timedelta(days=2))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("home")).content.decode()
    assert ">1</span>" in page  # still the figure of a moment ago
    time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61))
    assert ">2</span>" in client.get(reverse("home")).content.decode()
    cache.clear()


def test_team_readiness_is_shared_by_teammates_until_something_is_written(
        client, checkout, author, teammate, questionnaires, settings):
    """Remembered like the readiness API's answer (opsreview/pagecache.py)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orr import services as orr_services

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    from django.test import Client

    mine = Client()
    mine.force_login(author)
    client.force_login(teammate)  # signing in is a write: both before either page
    assert "readiness-never_reviewed" in mine.get(reverse("home")).content.decode()
    with CaptureQueriesContext(connection) as read:
        page = client.get(reverse("home")).content.decode()
    assert "readiness-never_reviewed" in page
    assert not any("orr_readinessreview" in q["sql"] for q in read.captured_queries)
    orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")  # a write
    page = client.get(reverse("home")).content.decode()
    assert "readiness-never_reviewed" not in page and "readiness-" in page
    cache.clear()
