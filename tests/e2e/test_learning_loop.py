"""The learning loop in a real browser: an ops lead turns a COE lesson into an ORR question,
accepts it into a draft, lints it, sees the what-if, publishes v2 and starts the targeted
re-review of the services with an approved ORR; a member of the affected service answers only
the new question and an outside reviewer approves."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Membership
from postmortems.models import Lesson
from reviews.models import Document, Questionnaire
from tests.conftest import answer_everything, join, make_user
from tests.postmortems.conftest import complete, make_coe

from .conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_lesson_to_question_to_v2_to_rereview(page, live_server, questionnaires, checkout,
                                             payments, platform, django_user_model):
    from catalog.models import ops_leads_group
    from orr import services as orr_services

    ana = make_user(django_user_model, "ana")
    join(ana, payments)
    raj = make_user(django_user_model, "raj")
    join(raj, platform, Membership.Role.REVIEWER)
    olga = make_user(django_user_model, "olga")
    olga.groups.add(ops_leads_group())
    coe = complete(make_coe(checkout, ana))
    lesson = Lesson.objects.create(postmortem=coe, text="Unbounded pools exhaust the database.")
    Document.objects.filter(pk=coe.pk).update(state="approved", approved_at=timezone.now())
    review = orr_services.orr_start(service=checkout, by=ana, trigger="pre_launch")
    answer_everything(review, ana)
    Document.objects.filter(pk=review.pk).update(state="approved", approved_at=timezone.now())

    login(page, live_server, "olga", "pw")
    page.goto(f"{live_server.url}/coe/{coe.code}/")
    page.locator(f"#lesson-{lesson.pk}").get_by_role("link", name="Propose an ORR question").click()
    page.select_option("select[name=section_key]", "architecture")
    page.fill("textarea[name=text]", "Does every connection pool have an upper bound?")
    page.fill("textarea[name=why]", "It would have caught the pool outage.")
    screenshot(page, "learning-propose")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".alert-success")).to_contain_text("Question proposed")

    proposal = page.locator("[id^=proposal-]").first
    proposal.locator("select[name=decision]").select_option("accept")
    proposal.get_by_role("button", name="Decide").click()
    expect(page.locator(".alert-success")).to_contain_text("Accepted as")
    screenshot(page, "learning-proposals")

    page.get_by_role("link", name="lint, what-if, publish").click()
    expect(page.locator("#lint")).to_contain_text("")
    expect(page.get_by_text("Added in v2 after")).to_be_visible()
    expect(page.locator(".card-header", has_text="Lint: 0 errors")).to_be_visible()
    screenshot(page, "learning-draft")

    page.get_by_role("link", name="What if we publish?").click()
    expect(page.locator("#whatif-summary")).to_contain_text(
        "v2 adds 1 question; 1 approved services must answer them")
    expect(page.locator("#whatif-table")).to_contain_text(checkout.name)
    screenshot(page, "learning-whatif")

    page.go_back()
    page.get_by_role("button", name="Publish v2").click()
    expect(page.locator(".alert-success")).to_contain_text("Published")
    assert Questionnaire.objects.get(kind="orr").latest_published().number == 2

    page.goto(f"{live_server.url}/learning/questionnaire/orr/2/what-if/")
    page.get_by_role("button", name="Start targeted re-review").click()
    expect(page.locator(".alert-success")).to_contain_text("Started 1 targeted re-review")
    expect(page.get_by_text("added in v2 after")).to_be_visible()
    screenshot(page, "learning-rereview")
    new = Document.objects.filter(service=checkout, kind="orr").order_by("-created_at").first()
    assert new.version.number == 2 and new.pk != review.pk
    unanswered = [a.question.key for a in new.answers.select_related("question")
                  if not a.is_answered]
    assert len(unanswered) == 1

    # A member of the affected service answers only the new question, assigns an outside
    # reviewer and submits; every other answer was carried.
    new_answer = new.answers.select_related("question__section").get(question__key=unanswered[0])
    page.context.clear_cookies()
    login(page, live_server, "ana", "pw")
    page.goto(f"{live_server.url}/orr/{new.code}/section/{new_answer.question.section.key}/")
    card = page.locator(f"#q{new_answer.pk}")
    expect(card.locator(".provenance")).to_contain_text(f"Added in v2 after {coe.code}")
    expect(page.locator(".provenance")).to_have_count(1)
    card.scroll_into_view_if_needed()
    screenshot(page, "learning-section-provenance")
    card.locator("select[name$=choice]").select_option("yes")
    card.locator("select[name$=risk]").select_option("none")
    expect(card.locator("[data-status]")).to_contain_text("Saved", timeout=15_000)
    page.goto(f"{live_server.url}/orr/{new.code}/")
    page.select_option("select[name=reviewer]", label="raj")
    page.get_by_role("button", name="Assign").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")

    # The reviewer approves.
    page.context.clear_cookies()
    login(page, live_server, "raj", "pw")
    page.goto(f"{live_server.url}/orr/{new.code}/")
    page.get_by_label("Approve").check()
    page.fill("textarea[name=reason]", "Only the new pool question was open; answered.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_contain_text("is now approved")
