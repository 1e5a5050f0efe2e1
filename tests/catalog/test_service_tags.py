"""Service tags: one spelling per tag, edited on the service pages, imported from Backstage and
CSV, shown on the service page and in the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog import services
from catalog.importing import Action, Entity
from catalog.models import OrgEvent, Service, ServiceTag
from catalog.tags import normalise_tag, parse_tags
from orr.models import ApiToken

from ..conftest import make_team
from .import_helpers import run, snapshot
from .test_import_backstage import GROUP, component

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, ops_lead):
    client.force_login(ops_lead)
    return client


def tags_of(slug: str) -> list[str]:
    return sorted(Service.objects.get(slug=slug).tags.values_list("slug", flat=True))


# --- the one spelling ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, tag", [
    ("PCI", "pci"), (" Customer Facing ", "customer-facing"), ("eu_west", "eu-west"),
    ("c++", "c++"), ("team:payments", "team:payments"),
])
def test_a_tag_has_one_spelling(text, tag):
    assert normalise_tag(text) == tag


@pytest.mark.parametrize("text", ["café", "a--b", "-pci", "x" * 64, "a/b"])
def test_what_cannot_be_a_tag_is_refused(text):
    with pytest.raises(ValidationError):
        normalise_tag(text)


def test_a_list_of_tags_is_deduplicated_in_order():
    assert parse_tags("PCI, eu, pci,, Customer facing") == ["pci", "eu", "customer-facing"]


# --- the service pages --------------------------------------------------------------------------


def test_tags_are_set_on_the_service_pages_shared_and_logged(lead_client, payments):
    lead_client.post(reverse("catalog:service_create"), {
        "name": "Ledger", "slug": "", "tier": 1, "team": payments.pk, "tags": "PCI, EU"})
    lead_client.post(reverse("catalog:service_create"), {
        "name": "Wallet", "slug": "", "tier": 1, "team": payments.pk, "tags": "pci"})
    assert tags_of("ledger") == ["eu", "pci"] and tags_of("wallet") == ["pci"]
    assert ServiceTag.objects.count() == 2  # one row per tag, shared
    page = lead_client.get(reverse("catalog:service", args=["ledger"])).content.decode()
    assert 'id="service-tags"' in page and ">pci<" in page

    form = lead_client.get(reverse("catalog:service_edit", args=["ledger"])).content.decode()
    assert 'value="eu, pci"' in form
    lead_client.post(reverse("catalog:service_edit", args=["ledger"]), {
        "name": "Ledger", "slug": "ledger", "tier": 1, "team": payments.pk, "tags": "eu, sox"})
    assert tags_of("ledger") == ["eu", "sox"]
    changed = OrgEvent.objects.get(verb="service_changed")
    assert changed.data["changes"] == {"tags": ["eu, pci", "eu, sox"]}


def test_a_bad_tag_says_why_and_keeps_what_was_typed(lead_client, checkout):
    response = lead_client.post(reverse("catalog:service_edit", args=["checkout-api"]), {
        "name": "Checkout API", "slug": "checkout-api", "tier": 1, "team": checkout.team.pk,
        "tags": "pci, caf\u00e9 bar"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "may hold only letters" in page and "pci, caf\u00e9 bar" in page
    assert tags_of("checkout-api") == []


def test_saving_without_changing_tags_logs_nothing(payments, ops_lead):
    service = services.service_create(by=ops_lead, name="Ledger", slug="ledger", tier=1,
                                      team=payments, tags=["pci"])
    assert services.service_update(service=service, by=ops_lead, tags=["pci", "pci"]) == {}


# --- import -------------------------------------------------------------------------------------


def test_backstage_tags_are_imported_normalised_and_again_changes_nothing(db):
    text = GROUP + component("ledger", extra="  tags: [pci, Customer_Facing, tier-1]")
    outcome = run("a.yaml", text)
    assert outcome.applied
    assert tags_of("ledger") == ["customer-facing", "pci", "tier-1"]
    assert Service.objects.get(slug="ledger").tier == 1
    before = snapshot(), tags_of("ledger")

    outcome = run("a.yaml", text)
    assert [c.action for c in outcome.plan.of(Entity.SERVICE)] == [Action.UNCHANGED]
    assert (snapshot(), tags_of("ledger")) == before


def test_backstage_tags_replace_the_old_ones_and_no_tags_list_keeps_them(db):
    run("a.yaml", GROUP + component("ledger", extra="  tags: [pci, eu]"))
    outcome = run("a.yaml", GROUP + component("ledger", extra="  tags: [pci, sox]"))
    change = outcome.plan.of(Entity.SERVICE)[0]
    assert change.action == Action.UPDATE and change.diff == {"tags": ["eu, pci", "pci, sox"]}
    assert tags_of("ledger") == ["pci", "sox"]
    event = OrgEvent.objects.filter(verb="service_changed").get()
    assert event.data["changes"] == {"tags": ["eu, pci", "pci, sox"]}

    run("a.yaml", GROUP + component("ledger"))  # no tags list: the file does not say
    assert tags_of("ledger") == ["pci", "sox"]
    run("a.yaml", GROUP + component("ledger", extra="  tags: []"))
    assert tags_of("ledger") == []


def test_a_backstage_tag_that_cannot_be_a_tag_is_refused_with_its_line(db):
    outcome = run("a.yaml", GROUP + component("ledger", extra="  tags: [pci, 'a/b']"))
    assert not outcome.applied
    assert [str(p) for p in outcome.plan.errors] == [
        "a.yaml:13: Tag “a/b” may hold only letters, digits, “:”, “+” and “#”, in words "
        "joined by single hyphens."]


def test_csv_tags_column(db):
    make_team("Payments", slug="payments")
    outcome = run("s.csv", 'slug,name,team,tags\nledger,Ledger,payments,"PCI, eu"\n'
                           "wallet,Wallet,payments,\n")
    assert outcome.applied
    assert tags_of("ledger") == ["eu", "pci"] and tags_of("wallet") == []
    new = outcome.plan.of(Entity.SERVICE, Action.CREATE)[0]
    assert "tags pci, eu" in new.summary

    outcome = run("s.csv", "slug,name,team,tags\nledger,Ledger,payments,pci;eu\n")
    assert not outcome.applied
    assert "s.csv:2: Tag “pci;eu” may hold only letters" in str(outcome.plan.errors[0])


# --- API ----------------------------------------------------------------------------------------


def test_the_api_lists_a_services_tags(client, checkout, ops_lead):
    services.service_update(service=checkout, by=ops_lead, tags=["pci", "eu"])
    _, raw = ApiToken.issue(name="t", by=ops_lead, scopes=("read",), teams=None)
    response = client.get(reverse("api:service", args=["checkout-api"]),
                          HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["tags"] == ["eu", "pci"]
