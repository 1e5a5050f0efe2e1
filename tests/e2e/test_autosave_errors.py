"""Autosave when things go wrong, in a real browser: the page says what happened, keeps the
text, warns before leaving, and saves once the person has signed in again."""

import pytest
from playwright.sync_api import expect

from orr import services as orr_services

from .conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def section(questionnaires, checkout, author, live_server):
    review = orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    first = review.answers.order_by("question__section__order", "question__order").first()
    return f"{live_server.url}/orr/{review.code}/section/service-definition/", first


def leaving_asks_first(page) -> bool:
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    return dialogs == ["beforeunload"]


def test_signed_out_autosave_keeps_the_text_and_saves_after_signing_in(page, live_server,
                                                                       section):
    url, first = section
    login(page, live_server, "author", "pw")
    page.goto(url)
    card = page.locator(f"#q{first.pk}")
    text = card.locator("textarea[data-text]")
    text.fill("Before the session ended.")
    expect(card.locator("[data-status]")).to_contain_text("Saved", timeout=15_000)

    # The session ends (expiry, or signed out in another tab).
    page.context.clear_cookies()
    text.fill("Written while signed out.")
    status = card.locator("[data-status]")
    expect(status).to_contain_text("signed out", timeout=15_000)
    expect(status.get_by_role("link", name="Sign in (new tab)")).to_be_visible()
    assert "Offline" not in status.inner_text()
    assert text.input_value() == "Written while signed out."
    screenshot(page, "autosave-signed-out")

    # Signing in again in another tab lets the kept text be saved.
    other = page.context.new_page()
    login(other, live_server, "author", "pw")
    other.close()
    expect(status).to_contain_text("Saved", timeout=40_000)
    first.refresh_from_db()
    assert first.text == "Written while signed out."


def test_too_long_answer_says_the_limit_and_leaving_asks_first(page, live_server, section):
    url, first = section
    login(page, live_server, "author", "pw")
    page.goto(url)
    card = page.locator(f"#q{first.pk}")
    text = card.locator("textarea[data-text]")
    # The field's maxlength stops typing at the limit; a paste into an older page, or another
    # client, does not have one.
    text.evaluate("t => t.removeAttribute('maxlength')")
    text.fill("y" * 100_001)
    status = card.locator("[data-status]")
    expect(status).to_contain_text("100000", timeout=15_000)
    assert len(text.input_value()) == 100_001
    # A body too large for the server at all: the same clear message, never "offline".
    text.fill("z" * 3_000_000)
    expect(status).to_contain_text("at most 100,000 characters", timeout=15_000)
    assert leaving_asks_first(page)
