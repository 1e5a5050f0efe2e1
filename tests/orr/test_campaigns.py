"""Re-review campaigns: scope, due ORRs, per-service state incl. delayed, chart, CSV."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Service, ServiceTag
from notifications.models import Notification
from orr import campaigns
from orr.models import CampaignService
from orr.services import orr_start
from reviews.services import (
    answer_save,
    document_assign_reviewer,
    document_decide,
    document_submit,
)
from tests.conftest import answer_everything, make_service

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def tier1(questionnaires, payments, checkout):
    return [checkout, make_service(payments, name="Wallet", slug="wallet", tier=1),
            make_service(payments, name="Ledger", slug="ledger", tier=1)]


def launch(by, **extra):
    data = dict(name="Peak season", brief="Re-review before Black Friday.", tiers=[1], teams=[],
                lapses_before=None, starts_on=TODAY - dt.timedelta(days=10),
                target_on=TODAY + dt.timedelta(days=20), start_drafts=True)
    data.update(extra)
    return campaigns.campaign_launch(by=by, **data)


def test_scope_by_tier_starts_drafts_and_reminds_owners(tier1, payments, ops_lead, author):
    make_service(payments, name="Intranet", slug="intranet", tier=3)
    campaign = launch(ops_lead)
    entries = list(campaign.entries.select_related("service", "review"))
    assert sorted(e.service.slug for e in entries) == ["checkout-api", "ledger", "wallet"]
    assert all(e.review and e.review.state == "draft" for e in entries)
    assert Notification.objects.filter(user=author, verb="campaign").count() == 3
    rows = campaigns.campaign_rows(campaign, today=TODAY)
    # A draft the campaign started counts as not started until someone works on it.
    assert {r.state for r in rows} == {"not_started"}


def test_states_including_delayed(tier1, ops_lead, author, reviewer):
    campaign = launch(ops_lead, start_drafts=False)
    assert not CampaignService.objects.exclude(review=None).exists()
    checkout, wallet, _ = tier1
    review = orr_start(
        service=checkout, by=author, trigger="periodic")
    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    document_submit(document=review, by=author)
    wallet_review = orr_start(
        service=wallet, by=author, trigger="periodic")
    states = {r.entry.service.slug: r.state for r in campaigns.campaign_rows(campaign, TODAY)}
    assert states == {"checkout-api": "in_review", "wallet": "in_progress",
                      "ledger": "not_started"}
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="ok")
    after_target = campaign.target_on + dt.timedelta(days=1)
    states = {r.entry.service.slug: r.state
              for r in campaigns.campaign_rows(campaign, after_target)}
    assert states == {"checkout-api": "approved", "wallet": "delayed", "ledger": "delayed"}
    badges = {r.entry.service.slug: r.badge
              for r in campaigns.campaign_rows(campaign, after_target)}
    assert badges == {"checkout-api": "text-bg-success", "wallet": "text-bg-danger",
                      "ledger": "text-bg-danger"}
    assert wallet_review.state == "draft"
    rows = campaigns.campaign_rows(campaign, TODAY)
    counts = campaigns.counts(rows)
    assert counts["approved"] == 1 and counts["in_progress"] == 1 and counts["not_started"] == 1
    chart = campaigns.burnup(campaign, rows, today=TODAY)
    assert {s["key"]: s["count"] for s in chart["series"]} == {
        "started": 2, "submitted": 1, "approved": 1}


def test_scope_by_lapse_date_and_bad_input(tier1, ops_lead, author):
    with pytest.raises(ValidationError, match="target date"):
        launch(ops_lead, target_on=TODAY - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="No service"):
        launch(ops_lead, tiers=[2])
    # None of them is ready: all lapse "before" any day.
    campaign = launch(ops_lead, lapses_before=TODAY + dt.timedelta(days=90))
    assert campaign.entries.count() == 3


def test_scope_by_tags_is_any_of_them_within_the_other_rules(tier1, payments, platform,
                                                            ops_lead, client):
    checkout, wallet, _ledger = tier1
    intranet = make_service(payments, name="Intranet", slug="intranet", tier=3)
    gateway = make_service(platform, name="Gateway", slug="gateway", tier=1)
    for service, tags in ((checkout, ["pci", "eu"]), (wallet, ["eu"]), (intranet, ["pci"]),
                          (gateway, ["pci"])):
        catalog_services.service_update(service=service, by=ops_lead, tags=tags)
    pci, eu = ServiceTag.objects.get(slug="pci"), ServiceTag.objects.get(slug="eu")

    campaign = launch(ops_lead, tags=[pci, eu], teams=[payments])
    # Tier 1 and Payments and (pci or eu); checkout has both tags and is in once.
    assert sorted(campaign.entries.values_list("service__slug", flat=True)) == [
        "checkout-api", "wallet"]
    assert set(campaign.tags.all()) == {pci, eu}
    assert [s.slug for s in campaigns.scope(tiers=[], teams=[], lapses_before=None,
                                            tags=[pci])] == ["checkout-api", "intranet",
                                                             "gateway"]
    client.force_login(ops_lead)
    page = client.get(reverse("orr:campaign", args=[campaign.pk])).content.decode()
    assert "tagged eu or pci" in page


def test_launch_with_tags_from_the_page(client, tier1, ops_lead):
    checkout = tier1[0]
    catalog_services.service_update(service=checkout, by=ops_lead, tags=["pci"])
    client.force_login(ops_lead)
    form = client.get(reverse("orr:campaigns")).content.decode()
    assert 'name="tags"' in form and ">pci<" in form
    response = client.post(reverse("orr:campaigns"), {
        "name": "PCI re-review", "starts_on": "2026-11-01", "target_on": "2026-12-01",
        "tags": [ServiceTag.objects.get().pk], "start_drafts": "1"})
    assert response.status_code == 302
    campaign = campaigns.Campaign.objects.get()
    assert list(campaign.entries.values_list("service__slug", flat=True)) == ["checkout-api"]


def test_campaign_page_and_csv(client, tier1, ops_lead, author):
    campaign = launch(ops_lead)
    client.force_login(ops_lead)
    page = client.get(reverse("orr:campaign", args=[campaign.pk])).content.decode()
    assert "<svg" in page and 'data-series="approved"' in page and "Peak season" in page
    assert 'class="badge campaign-not_started text-bg-secondary">Not started</span>' in page
    assert "· scope: tier 1 </div>" in " ".join(page.split())
    body = client.get(reverse("orr:campaign_csv", args=[campaign.pk])).content.decode()
    lines = body.strip().splitlines()
    assert lines[0] == "Service,Team,Tier,State,ORR,Started,Submitted,Approved"
    assert len(lines) == 4 and "Not started" in lines[1]
    client.force_login(author)
    assert client.get(reverse("orr:campaign", args=[campaign.pk])).status_code == 403


def test_launch_from_the_page_keeps_input_on_error(client, tier1, ops_lead):
    client.force_login(ops_lead)
    response = client.post(reverse("orr:campaigns"), {
        "name": "Too late", "tiers": ["1"], "starts_on": "2026-12-01",
        "target_on": "2026-11-01", "start_drafts": "1"})
    page = response.content.decode()
    assert "target date must not be before" in page and 'value="Too late"' in page
    response = client.post(reverse("orr:campaigns"), {
        "name": "Peak", "tiers": ["1"], "starts_on": "2026-11-01", "target_on": "2026-12-01",
        "start_drafts": "1"})
    assert response.status_code == 302


@pytest.mark.parametrize("n", [10, 1000])
def test_campaign_page_query_count_is_flat(client, questionnaires, payments, ops_lead, n,
                                           django_assert_max_num_queries):
    created = Service.objects.bulk_create(
        Service(team=payments, name=f"S{i}", slug=f"s-{i}", tier=1) for i in range(n))
    tags = ServiceTag.objects.bulk_create([ServiceTag(slug="pci"), ServiceTag(slug="eu")])
    Service.tags.through.objects.bulk_create(
        Service.tags.through(service_id=s.pk, servicetag_id=t.pk) for s in created for t in tags)
    campaign = launch(ops_lead, start_drafts=False, tags=tags)
    client.force_login(ops_lead)
    url = reverse("orr:campaign", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count("awaiting start") == n


def test_weekly_report_has_a_campaign_section(tier1, ops_lead):
    from reports.selectors import weekly_report
    from reports.weeks import Week

    launch(ops_lead)
    data = weekly_report(Week.containing(TODAY - dt.timedelta(days=3)))
    assert data.campaigns.rows[0][:3] == ["Peak season", (TODAY + dt.timedelta(days=20))
                                          .isoformat(), 3]
    assert data.campaigns.columns[3:] == ["Not started", "In progress", "In review", "Approved",
                                          "Delayed"]
    assert data.table("campaigns") is data.campaigns


def test_weekly_report_counts_each_campaign_as_it_stood_at_the_end_of_that_week(
        tier1, author, reviewer, ops_lead):
    import time_machine
    from django.utils import timezone

    from reports.selectors import weekly_report
    from reports.weeks import Week

    def at(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))

    monday = dt.date(2026, 11, 2)
    with time_machine.travel(at(monday), tick=False):
        campaign = launch(ops_lead, starts_on=monday, target_on=dt.date(2026, 11, 20))
    checkout_review = campaign.entries.get(service__slug="checkout-api").review
    with time_machine.travel(at(dt.date(2026, 11, 4)), tick=False):
        answer_everything(checkout_review, author)
        document_assign_reviewer(document=checkout_review, reviewer=reviewer, by=author)
        document_submit(document=checkout_review, by=author)
    with time_machine.travel(at(dt.date(2026, 11, 10)), tick=False):  # the week after
        document_decide(document=checkout_review, reviewer=reviewer, verdict="approve",
                        reason="ok")
        wallet_answer = campaign.entries.get(service__slug="wallet").review.answers.first()
        answer_save(answer=wallet_answer, by=author, base_revision=wallet_answer.revision,
                    text="Started.")

    def counts(day):
        row = weekly_report(Week.containing(day)).campaigns.rows[0]
        return dict(zip(campaigns.STATES, row[3:], strict=True))

    # The approval of 10 November does not count in the week of 2 November.
    assert counts(monday) == {"not_started": 2, "in_progress": 0, "in_review": 1,
                              "approved": 0, "delayed": 0}
    assert counts(dt.date(2026, 11, 9)) == {"not_started": 1, "in_progress": 1,
                                            "in_review": 0, "approved": 1, "delayed": 0}
    assert counts(dt.date(2026, 11, 23)) == {"not_started": 0, "in_progress": 0,
                                             "in_review": 0, "approved": 1, "delayed": 2}
    # Before the launch the drafts it started did not exist yet.
    rows = campaigns.campaign_rows(campaign, monday, at=at(monday) - dt.timedelta(hours=1))
    assert {r.state for r in rows} == {"not_started"} and not any(r.review for r in rows)
    now = {r.entry.service.slug: r.state for r in campaigns.campaign_rows(campaign,
                                                                          dt.date(2026, 11, 10))}
    assert now["checkout-api"] == "approved"


def test_on_launch_day_the_chart_shows_each_series_as_a_dot(tier1, ops_lead, client):
    today = timezone.localdate()
    campaign = launch(ops_lead, starts_on=today, target_on=today + dt.timedelta(days=20))
    chart = campaigns.burnup(campaign, campaigns.campaign_rows(campaign, today), today=today)
    for s in chart["series"]:
        assert len(s["points"].split()) == 1  # a polyline of one point draws nothing
        assert (float(s["end_x"]), float(s["end_y"])) == (chart["pad"], chart["base"])
    client.force_login(ops_lead)
    page = client.get(reverse("orr:campaign", args=[campaign.pk])).content.decode()
    assert page.count("data-series-end=") == 3
