"""Each demo persona's home page, and a reviewer approving from the review queue."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviews.models import Document

from .conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def demo(questionnaires):
    call_command("seed_demo", verbosity=0)


def test_each_persona_sees_their_own_home(page, live_server, demo):
    ledger = Document.objects.get(service__slug="ledger", kind="orr")
    draft = Document.objects.get(service__slug="checkout-api", kind="orr")

    login(page, live_server, "ana", "demo")
    expect(page.locator("#h-drafts").locator("..").locator("..")).to_contain_text(draft.code)
    expect(page.get_by_text("My open action items")).to_be_visible()
    expect(page.get_by_text("overdue since").first).to_be_visible()
    expect(page.locator("text=Payment Gateway").first).to_be_visible()
    screenshot(page, "home-member")

    page.context.clear_cookies()
    login(page, live_server, "raj", "demo")
    waiting = page.locator("section", has=page.locator("#h-review"))
    expect(waiting).to_contain_text(ledger.code)
    expect(page.get_by_text("COEs opened")).to_have_count(0)

    page.context.clear_cookies()
    login(page, live_server, "olu", "demo")
    expect(page.get_by_text("COEs opened")).to_be_visible()
    expect(page.get_by_text("Services with an expired ORR")).to_be_visible()
    expect(page.get_by_role("link", name="Weekly ops-review report")).to_be_visible()
    screenshot(page, "home-ops-lead")


def test_reviewer_approves_a_submitted_orr_from_the_queue(page, live_server, demo):
    ledger = Document.objects.get(service__slug="ledger", kind="orr")
    login(page, live_server, "raj", "demo")
    page.get_by_role("link", name="Review queue").click()
    card = page.locator("article", has_text=ledger.code)
    expect(card).to_contain_text("Every gate passed on submit")
    screenshot(page, "review-queue")
    card.get_by_role("link", name="Approve or request changes").click()
    page.get_by_label("Approve").check()
    page.fill("textarea[name=reason]", "Gaps have owners and dates; evidence checked.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_contain_text("is now approved")
    page.get_by_role("link", name="Review queue").click()
    expect(page.locator("main")).not_to_contain_text(ledger.code)


def test_wording_findings_appear_while_typing_a_factor(page, live_server, demo):
    coe = Document.objects.get(kind="coe", state="draft")
    login(page, live_server, "ana", "demo")
    page.goto(f"{live_server.url}/coe/{coe.code}/")
    field = page.locator("textarea[data-lint=factor]:visible").first
    field.fill("The on-call engineer was careless and forgot to check the replica.")
    output = field.locator("xpath=following-sibling::div[@data-lint-output][1]")
    expect(output).to_contain_text("Blocks submit", timeout=5000)
    field.fill("The failover script does not check which node is primary.")
    expect(output).to_be_empty(timeout=5000)
