"""The yearly ORR in a real browser: carried from last year, two answers changed, the rest
confirmed; the reviewer filters to the changes, flags one on its card, the author fixes it, the
review is approved; the service history compares last year's review with this year's."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Membership
from orr import services
from orr.models import ReadinessReview
from reviews.models import Answer, Document
from reviews.services import document_assign_reviewer, document_decide, document_submit
from tests.conftest import answer_everything, join, make_user

from .conftest import decide, fix_answer_and_resubmit, login, screenshot, switch_to

pytestmark = pytest.mark.usefixtures("transactional_db")


def approved_last_year(service, author, reviewer):
    review = services.orr_start(service=service, by=author, trigger="pre_launch")
    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    document_submit(document=review, by=author)
    document_decide(document=review, reviewer=reviewer, verdict="approve", reason="Ready.")
    last_year = timezone.now() - dt.timedelta(days=350)
    Document.objects.filter(pk=review.pk).update(approved_at=last_year, created_at=last_year)
    return review


def test_yearly_orr_builds_on_last_year(page, live_server, questionnaires, checkout, payments,
                                        platform, django_user_model):
    ana = make_user(django_user_model, "ana")
    join(ana, payments)
    raj = make_user(django_user_model, "raj")
    join(raj, platform, Membership.Role.REVIEWER)
    before = approved_last_year(checkout, ana, raj)

    # Ana starts this year's ORR: every answer is there, marked as carried.
    login(page, live_server, "ana", "pw")
    page.goto(f"{live_server.url}/services/{checkout.slug}/")
    page.select_option("select[name=trigger]", "periodic")
    page.get_by_role("button", name="Start ORR").click()
    expect(page.locator(".alert-success")).to_contain_text("started")
    review = ReadinessReview.objects.exclude(pk=before.pk).get(service=checkout)
    assert review.carried_from_id == before.pk
    page.goto(f"{live_server.url}/orr/{review.code}/section/service-definition/")
    first, second = list(review.answers.filter(question__section__key="service-definition")
                         .order_by("question__order"))[:2]
    card = page.locator(f"#q{first.pk}")
    expect(card.locator("textarea[data-text]")).to_have_value("Answered with evidence.")
    expect(card.locator(".carry")).to_contain_text(f"carried from {before.code}")

    # Two answers change; the rest of each section is confirmed unchanged.
    card.locator("textarea[data-text]").fill("Customers pay for baskets by card and wallet.")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("[data-status]")).to_contain_text("Saved")
    card = page.locator(f"#q{second.pk}")
    card.locator("textarea[data-text]").fill("Checkout p99 under 400 ms, 99.95 % monthly.")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("[data-status]")).to_contain_text("Saved")
    screenshot(page, "orr-carried-section")
    for section in review.version.sections.order_by("order"):
        page.goto(f"{live_server.url}/orr/{review.code}/section/{section.key}/")
        page.get_by_role("button", name="Confirm all").click()
        expect(page.locator(".alert-success")).to_contain_text("confirmed unchanged")
    assert not review.answers.filter(carry_state=Answer.Carry.CARRIED).exists()
    assert review.answers.filter(carry_state=Answer.Carry.CHANGED).count() == 2

    page.goto(f"{live_server.url}/orr/{review.code}/")
    expect(page.locator("#carry-summary")).to_contain_text("2 changed")
    expect(page.locator(".approval-rule")).to_contain_text(
        "Needs an approval from a reviewer outside Payments")
    page.select_option("select[name=reviewer]", label="raj")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("select[name=reviewer] option", has_text="raj")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")

    # Raj looks at the changed answers only and flags one on its card.
    page.context.clear_cookies()
    login(page, live_server, "raj", "pw")
    page.goto(f"{live_server.url}/orr/{review.code}/")
    page.locator("#carry-summary").get_by_role("link", name="Show changed answers only").click()
    expect(page.locator("article.question-card")).to_have_count(2)
    expect(page.locator(f"#q{first.pk}")).to_contain_text("Side by side")
    screenshot(page, "orr-changed-only")
    card = page.locator(f"#q{second.pk}")
    card.locator("summary", has_text="Needs change").click()
    card.locator("textarea[name=comment]").fill("Give the error budget too.")
    card.get_by_role("button", name="Flag: needs change").click()
    expect(page.locator(f"#q{second.pk} .my-flag")).to_contain_text("Give the error budget too.")
    expect(page.locator("article.question-card")).to_have_count(2)  # still filtered
    decide(page, live_server, review.code, "Request changes",
           "One answer needs its error budget.", "changes requested")
    expect(page.locator(".flagged-answers")).to_contain_text("Give the error budget too.")

    # Ana fixes the flagged answer and resubmits.
    switch_to(page, live_server, "ana")
    fix_answer_and_resubmit(
        page, live_server, review.code, "service-definition", second.pk,
        "Checkout p99 under 400 ms, 99.95 % monthly; error budget 21 minutes a month.",
        flag_note="Needs change (raj): Give the error budget too.")

    # Raj approves.
    switch_to(page, live_server, "raj")
    decide(page, live_server, review.code, "Approve", "Changes since last year checked.",
           "is now approved")

    # The service history compares last year's review with this year's.
    page.goto(f"{live_server.url}/services/{checkout.slug}/")
    expect(page.locator("h1 .badge")).to_have_text("Ready")
    page.get_by_role("link", name="History, milestones and comparison").click()
    page.select_option("select[name=a]", value=f"r{before.pk}")
    page.select_option("select[name=b]", value=f"r{review.pk}")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#comparison")).to_contain_text(f"{before.code}")
    expect(page.locator(".diff-changed")).to_have_count(2)
    expect(page.locator("body")).to_contain_text("error budget 21 minutes a month")
    screenshot(page, "service-history-compare")
