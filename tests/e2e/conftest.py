"""Browser fixtures: Playwright for Python driving the system's chromium.

Playwright's own browser download cannot work here, so never run `playwright install`: the
browser is Debian's chromium package. Every test in this folder is marked `browser`.

Tests use pytest-django's `live_server`; with SQLite the live server thread only sees the test's
rows under `transactional_db` (Django shares the in-memory database with that thread).

- `browser` (session): headless chromium.
- pages are remembered (opsreview/pagecache.py) as in production.
- `page`: a fresh context per test (1280x900, 10 s default timeout), closed afterwards.
- `login(page, live_server, username, password)`: signs in through the real login form.
- `screenshot(page, name)`: saves docs/screenshots/<name>.png for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, which trips Django's async-safety
# check on every ORM call made by the test itself.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marker must be on the items before `-m` selects by it.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium not found: install the Debian package 'chromium'", pytrace=False)
    return path


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _pages_remembered(settings):
    """As in production: the live server remembers pages (one process, so one memory cache),
    and every journey must still see its own writes."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    """Sign in through the login form; fails loudly if the form comes back (bad login)."""
    login_url = f"{live_server.url}/accounts/login/"
    page.goto(login_url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    form = page.locator("form", has=page.locator("input[name=password]"))
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    if page.url.startswith(login_url):
        raise AssertionError(f"login as {username!r} failed; still on {page.url}")


def switch_to(page, live_server, username: str, password: str = "pw") -> None:
    """Sign out whoever is signed in and sign in as `username`."""
    page.context.clear_cookies()
    login(page, live_server, username, password)


def decide(page, live_server, code: str, verdict: str, reason: str, expected: str) -> None:
    """On the ORR overview, record `verdict` ("Approve", "Request changes") with `reason`."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/orr/{code}/")
    page.get_by_label(verdict, exact=True).check()
    page.fill("textarea[name=reason]", reason)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_contain_text(expected)


def fix_answer_and_resubmit(page, live_server, code: str, section: str, answer_pk: int,
                            text: str, *, flag_note: str) -> None:
    """The author finds the flagged answer (its card says `flag_note`), rewrites it, saves
    and submits the ORR again."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/orr/{code}/section/{section}/")
    card = page.locator(f"#q{answer_pk}")
    expect(card).to_contain_text(flag_note)
    card.locator("textarea[data-text]").fill(text)
    card.get_by_role("button", name="Save").click()
    expect(card.locator("[data-status]")).to_contain_text("Saved")
    page.goto(f"{live_server.url}/orr/{code}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
