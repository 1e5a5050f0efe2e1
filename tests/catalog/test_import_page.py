"""The upload page: preview through the real URL, then apply exactly what was previewed."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import CatalogImport, Service, Team

from ..conftest import make_team
from .import_helpers import BACKSTAGE, DATA, snapshot, upload

pytestmark = pytest.mark.django_db

URL = "/org/import/"


def fixture_uploads():
    return [upload(p.name, p.read_bytes()) for p in sorted(BACKSTAGE.rglob("*.yaml"))]


def preview(client, files):
    return client.post(reverse("catalog:import"), {"files": files})


def test_the_url_is_org_import():
    assert reverse("catalog:import") == URL


def test_ops_lead_and_superuser_see_the_upload_form(client, ops_lead, admin_user):
    for user in (ops_lead, admin_user):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'type="file" name="files"' in response.content.decode()


def test_everyone_else_is_refused(client, author, reviewer):
    for user in (author, reviewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert preview(client, fixture_uploads()).status_code == 403
        assert client.post(reverse("catalog:import_apply"), {"digest": "x"}).status_code == 403
    assert not Team.objects.exclude(slug__in=["payments", "platform"]).exists()


def test_preview_shows_the_plan_and_changes_nothing_then_apply_imports_it(client, ops_lead):
    client.force_login(ops_lead)
    before = snapshot()

    response = preview(client, fixture_uploads())

    content = response.content.decode()
    assert response.status_code == 200
    assert snapshot() == before
    assert "Apply this import" in content
    assert 'data-count="service"><th scope="row">Services</th><td class="text-end">13' in content
    assert "get tier 2 (the default)" in content
    assert "Resource <strong>payments-db</strong>" in content  # skipped kinds are listed
    record = CatalogImport.objects.get()
    assert record.status == CatalogImport.Status.PREVIEWED and record.created_by == ops_lead

    response = client.post(reverse("catalog:import_apply"), {"digest": record.digest},
                           follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Catalog imported: 29 created, 0 updated." in response.content.decode()
    assert Service.objects.count() == 13 and Team.objects.count() == 4
    record.refresh_from_db()
    assert record.status == CatalogImport.Status.APPLIED and len(record.changes) == 29


def test_a_preview_applies_once(client, ops_lead):
    client.force_login(ops_lead)
    preview(client, fixture_uploads())
    digest = CatalogImport.objects.get().digest
    client.post(reverse("catalog:import_apply"), {"digest": digest})
    before = snapshot()

    response = client.post(reverse("catalog:import_apply"), {"digest": digest}, follow=True)

    assert "expired or was already applied" in response.content.decode()
    assert snapshot() == before


def test_someone_elses_preview_cannot_be_applied(client, ops_lead, admin_user):
    client.force_login(ops_lead)
    preview(client, fixture_uploads())
    client.force_login(admin_user)
    response = client.post(reverse("catalog:import_apply"),
                           {"digest": CatalogImport.objects.get().digest}, follow=True)
    assert "expired or was already applied" in response.content.decode()
    assert not Service.objects.exists()


def test_apply_refuses_when_the_catalog_changed_since_the_preview(client, ops_lead):
    client.force_login(ops_lead)
    preview(client, fixture_uploads())
    # Someone makes a Payments team by hand between the preview and the apply.
    make_team("Payments", slug="payments", source_key="group:elsewhere/payments")
    before = snapshot()

    response = client.post(reverse("catalog:import_apply"),
                           {"digest": CatalogImport.objects.get().digest})

    content = response.content.decode()
    assert response.status_code == 409
    assert "The catalog changed since this preview" in content
    assert "team slug &#x27;payments&#x27; is taken by &#x27;Payments&#x27;" in content
    assert "Apply this import" not in content  # the new plan has a conflict
    assert snapshot() == before


def test_bad_upload_shows_errors_with_lines_and_no_apply_button(client, ops_lead):
    client.force_login(ops_lead)
    before = snapshot()
    response = preview(client, [upload("catalog-info.yaml", "kind: Component\nmetadata:\n"
                                                            "  name: [oops\n")])
    content = response.content.decode()
    assert response.status_code == 400
    assert ('<span class="font-monospace">catalog-info.yaml:4</span> invalid YAML: did not find '
            "expected &#x27;,&#x27; or &#x27;]&#x27; (while parsing a flow sequence at line 3)"
            ) in content
    assert "Apply this import" not in content
    assert snapshot() == before and not CatalogImport.objects.exists()


def test_a_file_over_the_cap_is_refused_on_the_page(client, ops_lead, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(ops_lead)
    response = preview(client, [upload("huge.yaml", b"#" * (2 * 1024 * 1024))])
    assert response.status_code == 400
    assert "the file is 2.0 MB; the limit is 1 MB per file" in response.content.decode()


def test_no_file_keeps_the_form_with_a_message(client, ops_lead):
    client.force_login(ops_lead)
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Choose at least one file to import." in response.content.decode()


def test_csv_preview_and_apply_through_the_page(client, ops_lead, payments, platform):
    client.force_login(ops_lead)
    preview(client, [upload("services.csv", (DATA / "services.csv").read_bytes())])
    client.post(reverse("catalog:import_apply"), {"digest": CatalogImport.objects.get().digest})
    assert set(Service.objects.values_list("slug", flat=True)) == {
        "checkout-api", "ledger", "build-cache"}


def test_apply_needs_post(client, ops_lead):
    client.force_login(ops_lead)
    assert client.get(reverse("catalog:import_apply")).status_code == 405


def test_recent_imports_list_costs_the_same_for_few_and_many(client, ops_lead,
                                                             django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ops_lead)
    call_command("import_catalog", str(BACKSTAGE), verbosity=0)
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL)
    for _ in range(12):
        call_command("import_catalog", str(BACKSTAGE), verbosity=0)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert "command line" in client.get(URL).content.decode()
