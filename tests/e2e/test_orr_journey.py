"""The ORR journey in a real browser: start, answer, gap → action, submit, review, approve."""

import pytest
from playwright.sync_api import expect

from catalog.models import Membership
from orr.models import ReadinessReview
from reviews.models import Answer
from tests.conftest import join, make_user

from .conftest import decide, fix_answer_and_resubmit, login, screenshot, switch_to

pytestmark = pytest.mark.usefixtures("transactional_db")


def prefill_all_but_first(review, by):
    """Answer every question except the first, so the test types only what matters."""
    answers = review.answers.order_by("question__section__order", "question__order")
    for answer in list(answers)[1:]:
        answer.save_if_current(
            base_revision=answer.revision, by=by, text="Covered in the runbook.",
            choice="yes" if answer.question.kind == "yes_no" else "", risk=Answer.Risk.NONE,
        )


def test_orr_journey_from_start_to_ready(page, live_server, questionnaires, checkout, payments,
                                         platform, django_user_model):
    ana = make_user(django_user_model, "ana")
    join(ana, payments)
    mia = make_user(django_user_model, "mia")
    join(mia, payments, Membership.Role.REVIEWER)
    raj = make_user(django_user_model, "raj")
    join(raj, platform, Membership.Role.REVIEWER)

    # The member starts the ORR from the service page.
    login(page, live_server, "ana", "pw")
    page.goto(f"{live_server.url}/services/{checkout.slug}/")
    page.select_option("select[name=trigger]", "pre_launch")
    page.get_by_role("button", name="Start ORR").click()
    expect(page.locator(".alert-success")).to_contain_text("started")
    review = ReadinessReview.objects.get(service=checkout)
    prefill_all_but_first(review, ana)

    # Answers the first question; autosave stores it without a click on Save.
    page.goto(f"{live_server.url}/orr/{review.code}/section/service-definition/")
    first = review.answers.order_by("question__section__order", "question__order").first()
    card = page.locator(f"#q{first.pk}")
    card.locator("textarea[data-text]").fill("Customers pay for their basket with card or wallet.")
    card.locator("select[name$=risk]").select_option("high")
    expect(card.locator("[data-status]")).to_contain_text("Saved", timeout=15_000)
    first.refresh_from_db()
    assert first.text.startswith("Customers pay") and first.risk == "high"
    screenshot(page, "orr-section-edit")

    # The high risk is a gap: turn it into an action item.
    page.reload()
    card = page.locator(f"#q{first.pk}")
    card.locator("summary", has_text="Turn this gap into an action item").click()
    card.locator("input[name=title]").fill("Page on checkout 5xx rate above 1% for 5 minutes")
    card.locator("select[name=owner]").select_option(label="ana")
    card.locator("select[name=priority]").select_option("P1")
    card.get_by_role("button", name="Create action item").click()
    expect(page.locator(".alert-success")).to_contain_text("Action item created")

    # Assign an own-team reviewer and an outside one, then submit.
    page.goto(f"{live_server.url}/orr/{review.code}/")
    for name in ("mia", "raj"):
        page.select_option("select[name=reviewer]", label=name)
        page.get_by_role("button", name="Assign").click()
    expect(page.locator("[data-gate=reviewer_assigned]")).to_have_attribute("data-passed", "true")
    screenshot(page, "orr-overview")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")

    # The own-team reviewer requests changes on the first answer.
    page.context.clear_cookies()
    login(page, live_server, "mia", "pw")
    page.goto(f"{live_server.url}/orr/{review.code}/section/service-definition/")
    card = page.locator(f"#q{first.pk}")
    card.locator("summary", has_text="Needs change").click()
    card.locator("textarea[name=comment]").fill("Which payment methods? The SLA in numbers.")
    card.get_by_role("button", name="Flag: needs change").click()
    expect(page.locator(f"#q{first.pk} .my-flag")).to_contain_text("The SLA in numbers.")
    page.goto(f"{live_server.url}/orr/{review.code}/")
    expect(page.locator("#my-flags")).to_contain_text("The SLA in numbers.")
    decide(page, live_server, review.code, "Request changes",
           "Say which payment methods and the SLA in numbers.", "changes requested")

    # The member fixes the flagged answer and resubmits.
    switch_to(page, live_server, "ana")
    fix_answer_and_resubmit(
        page, live_server, review.code, "service-definition", first.pk,
        "Card and wallet payments for baskets; SLA 99.95 % monthly.",
        flag_note="A reviewer asked for changes")

    # A reviewer from another team approves; the service turns ready.
    switch_to(page, live_server, "raj")
    decide(page, live_server, review.code, "Approve",
           "Evidence checked; the gap has an owner and a date.", "is now approved")
    page.goto(f"{live_server.url}/services/{checkout.slug}/")
    expect(page.locator("h1 .badge")).to_have_text("Ready")
    screenshot(page, "service-ready")
