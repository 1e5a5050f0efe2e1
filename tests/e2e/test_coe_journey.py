"""The COE journey in a real browser: write, get refused at a human-error leaf, ask why,
add an action item, submit, and a committee member from another team approves."""

import pytest
from playwright.sync_api import expect

from catalog.models import Membership
from postmortems.models import Postmortem
from tests.conftest import join, make_user

from .conftest import SCREENSHOTS, login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


def prefill_all_but_summary(postmortem, by):
    """Answer the many Markdown questions in the database; the browser types the summary."""
    for answer in postmortem.answers.exclude(question__key="summary"):
        answer.save_if_current(base_revision=answer.revision, by=by,
                               text="Covered in the incident channel log, linked here.")


def add_event(page, kind, local, note):
    form = page.locator("form[action$='/timeline/#timeline']")
    if not form.is_visible():
        page.locator("summary", has_text="Add a timeline event").click()
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=at]").fill(local)
    form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name="Add event").click()
    expect(page.locator(".alert-success")).to_contain_text("Timeline event added")


def test_coe_journey_from_draft_to_approved(page, live_server, questionnaires, checkout,
                                           payments, platform, django_user_model):
    ana = make_user(django_user_model, "ana")
    join(ana, payments)
    raj = make_user(django_user_model, "raj")
    join(raj, platform, Membership.Role.REVIEWER)

    # A member of the owning team starts the COE from the list page.
    login(page, live_server, "ana", "pw")
    page.goto(f"{live_server.url}/coe/")
    page.get_by_role("link", name="New postmortem").click()
    page.select_option("select[name=service]", label="Checkout API")
    page.fill("input[name=title]", "Checkout API failed, affecting customers in the EU region")
    page.fill("input[name=incident_start]", "2024-06-12T09:19")
    page.select_option("select[name=incident_tz]", "Europe/Helsinki")
    page.select_option("select[name=severity]", "2")
    page.fill("input[name=customers_affected]", "1200")
    page.fill("input[name=tags]", "Database, Configuration")
    page.select_option("select[name=committee]", label="raj")
    screenshot(page, "coe-new")
    page.get_by_role("button", name="Start postmortem").click()
    expect(page.locator(".alert-success")).to_contain_text("started")
    coe = Postmortem.objects.get(service=checkout)
    expect(page.locator("#incident")).to_contain_text("12 Jun 2024 09:19 EEST")
    expect(page.locator("#incident")).to_contain_text("12 Jun 2024 06:19 UTC")
    prefill_all_but_summary(coe, ana)

    # The summary autosaves without a click on Save; the COE editor has no risk inputs, and
    # the script copes without them.
    summary = coe.answers.get(question__key="summary")
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))
    page.reload()
    card = page.locator(f"#q{summary.pk}")
    card.locator("textarea").fill("Checkout returned errors for 55 minutes: the database ran "
                                  "out of connections after the pool was resized.")
    expect(card.locator("[data-status]")).to_contain_text("Saved", timeout=15_000)
    summary.refresh_from_db()
    assert summary.text.startswith("Checkout returned errors")
    expect(card.locator("[data-risk]")).to_have_count(0)
    assert script_errors == []

    # The timeline, typed in Helsinki time.
    add_event(page, "started", "2024-06-12T09:19", "Database ran out of connections.")
    add_event(page, "detected", "2024-06-12T09:23", "5xx alarm fired.")
    add_event(page, "mitigated", "2024-06-12T09:58", "Pool size rolled back.")
    add_event(page, "resolved", "2024-06-12T10:14", "Error rate back to baseline.")
    expect(page.locator(".coe-metrics")).to_contain_text("4 min")
    expect(page.locator(".coe-metrics")).to_contain_text("55 min")

    # The first factor stops at human error.
    root_form = page.locator("form[action$='/factors/#contributing-factors']")
    root_form.locator("select[name=category]").select_option("human_error")
    root_form.locator("textarea[name=text]").fill(
        "An operator resized the connection pool on production instead of staging.")
    root_form.get_by_role("button", name="Add factor").click()
    expect(page.locator(".alert-success")).to_contain_text("Contributing factor added")
    root = coe.factors.get()
    leaf = page.locator(f"#factor-{root.pk}")
    expect(leaf).to_contain_text("Never stop at human error.")

    # Submit is refused, and the message names the gate.
    page.get_by_role("button", name="Submit to the committee").click()
    expect(page.locator(".messages .alert-danger")).to_contain_text(
        "No human error left as a leaf of the “why” tree")
    expect(page.locator("[data-gate=no_human_error_leaf]")).to_have_attribute(
        "data-passed", "false")
    screenshot(page, "coe-refused-human-error-leaf")

    # Ask why: the tooling let the action have that effect.
    leaf = page.locator(f"#factor-{root.pk}")
    why = leaf.locator(f"form[action$='/why/#factor-{root.pk}']")
    why.locator("select[name=category]").select_option("tooling")
    why.locator("textarea[name=text]").fill(
        "The resize tool targets production by default and asks for no confirmation.")
    why.get_by_role("button", name="Add why").click()
    expect(page.locator(".alert-success")).to_contain_text("Contributing factor added")
    child = root.children.get()
    expect(page.locator(f"#factor-{root.pk}")).to_have_attribute("data-needs-why", "false")

    # An action item on the new leaf.
    page.locator(f"#factor-{child.pk}").get_by_role("link", name="Add action item").click()
    page.fill("input[name=title]", "Make the resize tool require the cluster name on production")
    page.select_option("select[name=owner]", label="ana")
    page.select_option("select[name=priority]", "P1")
    screenshot(page, "coe-action-form")
    page.get_by_role("button", name="Create action item").click()
    expect(page.locator(".alert-success")).to_contain_text("Action item")
    screenshot(page, "coe-factor-tree")

    page.get_by_role("button", name="Submit to the committee").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted to the committee")

    # A committee member from another team approves.
    page.context.clear_cookies()
    login(page, live_server, "raj", "pw")
    page.goto(f"{live_server.url}/coe/")
    expect(page.locator("table")).to_contain_text(coe.code)
    screenshot(page, "coe-list")
    page.get_by_role("link", name=coe.code).click()
    expect(page.locator("#decide")).to_be_visible()
    # Only the decision panel: the full page is many screens long.
    page.locator("#decide").screenshot(path=str(SCREENSHOTS / "coe-committee-review.png"))
    page.get_by_label("Approve").check()
    page.fill("textarea[name=reason]", "Deep enough: the tooling gap has an owner and a date.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_contain_text("is now approved")
    coe.refresh_from_db()
    assert coe.state == "approved"
    screenshot(page, "coe-approved")
