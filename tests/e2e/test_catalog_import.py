"""An ops lead uploads a Backstage catalog, reads the preview and applies it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog.models import Service, Team, ops_leads_group

from .conftest import login, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.usefixtures("transactional_db")

BACKSTAGE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "backstage"


def test_ops_lead_previews_then_applies_a_backstage_catalog(page, live_server,
                                                            django_user_model):
    lead = django_user_model.objects.create_user(username="lead", password="pw-lead-42")
    lead.groups.add(ops_leads_group())
    login(page, live_server, "lead", "pw-lead-42")

    page.goto(f"{live_server.url}/org/import/")
    page.set_input_files("input[name=files]", files=[{
        "name": "catalog-info.yaml", "mimeType": "application/yaml",
        "buffer": (BACKSTAGE / "payments" / "catalog-info.yaml").read_bytes()
        .replace(b"owner: payments\n", b"owner: group:payments-team\n", 1)}])
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-import-errors]")).to_contain_text(
        "unknown owner 'group:payments-team'")
    expect(page.get_by_role("button", name="Apply this import")).to_have_count(0)
    screenshot(page, "catalog-import-errors")
    assert serious_violations(page) == []

    page.set_input_files("input[name=files]", sorted(str(p) for p in BACKSTAGE.rglob("*.yaml")))
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("[data-import-preview]")
    expect(preview.locator("tr[data-count=service]")).to_contain_text("13")
    expect(preview).to_contain_text("get tier 2 (the default)")
    expect(preview).to_contain_text("Payments API")
    screenshot(page, "catalog-import-preview")
    assert serious_violations(page) == []
    assert not Service.objects.exists()  # a preview changes nothing

    page.get_by_role("button", name="Apply this import").click()
    expect(page.locator(".alert-success")).to_contain_text("Catalog imported: 29 created")
    expect(page.locator("[data-import-preview]")).to_have_count(0)
    assert Team.objects.count() == 4 and Service.objects.count() == 13

    page.goto(f"{live_server.url}/teams/payments/")
    expect(page.locator("main")).to_contain_text("Payments API")
    expect(page.locator("main")).to_contain_text("Alice Moreau")
