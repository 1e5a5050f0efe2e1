"""WCAG 2.1 AA checks with axe-core inside the browser, on the pages people use every day.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js); it is evaluated
in the page through the DevTools protocol, so the app's CSP stays as strict as in production.
"""

from pathlib import Path

import axe_playwright_python
import pytest
from django.core.management import call_command

from reviews.models import Document

from .conftest import login

pytestmark = pytest.mark.usefixtures("transactional_db")

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
RUN = """axe.run(document, {runOnly: {type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""


def serious_violations(page) -> list[str]:
    page.evaluate(AXE)
    results = page.evaluate(RUN)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def demo(questionnaires):
    call_command("seed_demo", verbosity=0)


def last_week() -> str:
    import datetime as dt

    year, week, _ = (dt.date.today() - dt.timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def pages(live_server):
    draft = Document.objects.get(state="draft", service__slug="checkout-api")
    first_section = draft.version.sections.first().key
    coe = Document.objects.get(kind="coe", state="draft")
    return {
        "ana": [
            "/", "/services/", "/services/checkout-api/", f"/orr/{draft.code}/",
            f"/orr/{draft.code}/section/{first_section}/", "/actions/", "/coe/",
            f"/coe/{coe.code}/", f"/coe/{coe.code}/edit/", "/coe/new/",
        ],
        "raj": ["/reviews/queue/", "/search/?q=checkout"],
        "olu": ["/", "/reports/", f"/reports/weekly/{last_week()}/", "/actions/all/",
                # The organisation pages, as an ops lead changes them.
                "/org/", "/org/people/", "/org/people/ana/", "/teams/payments/",
                "/org/teams/new/", "/org/services/new/", "/org/services/checkout-api/edit/",
                "/org/services/checkout-api/retire/", "/org/people/ana/deactivate/",
                "/org/audit/", "/org/start/", "/org/tokens/", "/org/services/retired/"],
    }


def test_login_page_has_no_serious_violations(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("who", ["ana", "raj", "olu"])
def test_main_pages_have_no_serious_violations(page, live_server, demo, who):
    login(page, live_server, who, "demo")
    found = {}
    for path in pages(live_server)[who]:
        page.goto(f"{live_server.url}{path}")
        problems = serious_violations(page)
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("width", [375, 640])
def test_pages_fit_a_phone_and_200_percent_zoom(page, live_server, demo, width):
    # 640 CSS pixels is what a 1280-pixel window shows at 200 % zoom.
    login(page, live_server, "ana", "demo")
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = {}
    for path in pages(live_server)["ana"]:
        page.goto(f"{live_server.url}{path}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[path] = scroll
    assert too_wide == {}
