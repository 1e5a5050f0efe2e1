import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import OPS_LEADS_GROUP, Membership, Service, Team
from orr import services as orr_services
from reviews.models import Document

from ..conftest import make_service


@pytest.mark.parametrize("url", ["/", "/services/", "/orr/", "/coe/", "/actions/", "/reports/"])
def test_every_page_needs_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_health_and_login_are_open(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("login")).status_code == 200


def test_service_list_shows_readiness_badges(client, author, checkout, payments):
    make_service(payments, name="Ledger", slug="ledger")
    client.force_login(author)
    content = client.get(reverse("catalog:services")).content.decode()
    assert "Checkout API" in content and "Ledger" in content
    assert "Never reviewed" in content


def test_service_list_filters_by_readiness(client, author, questionnaires, checkout, payments):
    make_service(payments, name="Ledger", slug="ledger")
    orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    client.force_login(author)
    content = client.get(reverse("catalog:services"), {"status": "not_ready"}).content.decode()
    assert "Checkout API" in content and "Ledger" not in content


def test_service_page_offers_start_only_to_the_owning_team(client, questionnaires, checkout,
                                                          author, outsider):
    client.force_login(author)
    assert "Start ORR" in client.get(checkout.get_absolute_url()).content.decode()
    client.force_login(outsider)
    assert "Start ORR" not in client.get(checkout.get_absolute_url()).content.decode()


def test_service_page_hides_other_teams_drafts(client, questionnaires, checkout, author, outsider):
    review = orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    client.force_login(outsider)
    assert review.code not in client.get(checkout.get_absolute_url()).content.decode()
    client.force_login(author)
    assert review.code in client.get(checkout.get_absolute_url()).content.decode()


def test_team_page_lists_services_and_people(client, author, checkout, payments):
    client.force_login(author)
    content = client.get(payments.get_absolute_url()).content.decode()
    assert "Checkout API" in content and "author" in content


def test_service_list_query_count_is_flat(client, author, payments, django_assert_max_num_queries):
    client.force_login(author)
    for i in range(3):
        make_service(payments, name=f"S{i}", slug=f"s-{i}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("catalog:services"))
    for i in range(3, 60):
        make_service(payments, name=f"S{i}", slug=f"s-{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(reverse("catalog:services"))


def test_seed_demo_is_idempotent_and_has_every_role(db):
    call_command("seed_demo", verbosity=0)
    counts = (Team.objects.count(), Service.objects.count(), Document.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Team.objects.count(), Service.objects.count(), Document.objects.count()) == counts
    assert Membership.objects.get(user__username="ana").team.name == "Payments"
    assert Membership.objects.get(user__username="raj").role == "reviewer"
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert users.get(username="olu").groups.filter(name=OPS_LEADS_GROUP).exists()
    assert users.get(username="admin").is_superuser
    assert users.get(username="ana").check_password("demo")
    states = set(Document.objects.values_list("state", flat=True))
    assert states == {"draft", "in_review", "changes_requested", "approved"}


def test_the_demo_happened_last_week_so_the_weekly_report_shows_it(db):
    from reports.selectors import weekly_report
    from reports.weeks import Week

    call_command("seed_demo", verbosity=0)
    figures = dict(weekly_report(Week.last_complete()).figures.rows)
    assert figures["COEs opened"] == 2 and figures["COEs approved"] == 1
    assert figures["ORRs approved"] == 1
    assert figures["Action items opened"] > 0
    assert figures["Services never reviewed"] == 3


def test_service_list_pages_by_fifty_and_keeps_the_filter(client, author, payments):
    for i in range(60):
        make_service(payments, name=f"Svc {i:02d}", slug=f"svc-{i}")
    client.force_login(author)
    first = client.get(reverse("catalog:services"), {"q": "svc"})
    assert len(first.context["page"]) == 50
    content = first.content.decode()
    assert "1–50 of 60" in content and "q=svc&amp;page=2" in content
    second = client.get(reverse("catalog:services"), {"q": "svc", "page": 2})
    assert len(second.context["page"]) == 10
