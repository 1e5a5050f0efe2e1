"""A re-review campaign for the tier-1 PCI services in a real browser, with one service delayed."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.services import service_update
from orr.models import Campaign
from reviews.services import document_assign_reviewer, document_decide, document_submit
from tests.conftest import answer_everything, make_service

from .conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_tier1_campaign_with_one_service_delayed(page, live_server, questionnaires, checkout,
                                                 payments, author, reviewer, ops_lead):
    wallet = make_service(payments, name="Wallet", slug="wallet", tier=1)
    intranet = make_service(payments, name="Intranet", slug="intranet", tier=3)
    make_service(payments, name="Ledger", slug="ledger", tier=1)  # tier 1, but no pci tag
    for service, tags in ((checkout, ["pci"]), (wallet, ["pci", "eu"]), (intranet, ["pci"])):
        service_update(service=service, by=ops_lead, tags=tags)
    today = timezone.localdate()

    login(page, live_server, "opslead", "pw")
    page.goto(f"{live_server.url}/orr/campaigns/")
    page.fill("input[name=name]", "Peak season re-review")
    page.fill("textarea[name=brief]", "Every **tier-1** service re-reviews before the peak.")
    page.get_by_label("Tier 1 (critical)").check()
    page.select_option("select[name=tags]", label="pci")
    screenshot(page, "campaign-launch")
    page.fill("input[name=starts_on]", (today - dt.timedelta(days=40)).isoformat())
    page.fill("input[name=target_on]", (today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Launch").click()
    expect(page.locator(".alert-success")).to_contain_text("launched for 2 service(s)")

    # The checkout team finishes its ORR; the wallet team does not: delayed.
    campaign = Campaign.objects.get()
    review = campaign.entries.get(service=checkout).review
    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="ok")

    page.reload()
    expect(page.locator("tr[data-service=checkout-api] .badge")).to_have_text("Approved")
    expect(page.locator("tr[data-service=wallet] .badge")).to_have_text("Delayed")
    expect(page.locator("#campaign-services tbody tr")).to_have_count(2)
    expect(page.locator("#burnup polyline[data-series=approved]")).to_have_count(1)
    expect(page.locator("strong", has_text="tier-1")).to_be_visible()
    expect(page.locator(".page-header .meta")).to_contain_text("tagged pci")
    screenshot(page, "campaign")
    csv = page.request.get(f"{live_server.url}/orr/campaigns/{campaign.pk}/csv/").text()
    assert "Wallet,Payments,1,Delayed" in csv

    page.goto(f"{live_server.url}/services/wallet/")
    expect(page.locator("#service-tags")).to_contain_text("eu")
    screenshot(page, "service-tags")
