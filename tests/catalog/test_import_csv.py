"""A CSV of services, for organisations without Backstage."""

import pytest

from catalog.importing import Action, Entity
from catalog.models import CatalogImport, Service

from ..conftest import make_team
from .import_helpers import DATA, run, snapshot

pytestmark = pytest.mark.django_db

HEADER = "slug,name,team,tier,description,repository,runbook,dashboard,oncall\n"


@pytest.fixture
def teams(db):
    return make_team("Payments", slug="payments"), make_team("Platform", slug="platform")


def test_csv_creates_services_with_team_tier_links_and_oncall(teams):
    outcome = run("services.csv", (DATA / "services.csv").read_text())

    assert outcome.applied
    checkout = Service.objects.get(slug="checkout-api")
    assert (checkout.name, checkout.team.slug, checkout.tier, checkout.oncall_contact) == (
        "Checkout API", "payments", 1, "#payments-oncall")
    assert checkout.source_key == "csv:checkout-api"
    assert dict(checkout.links.values_list("label", "url")) == {
        "Repository": "https://git.acme.example/checkout-api",
        "Runbook": "https://wiki.acme.example/runbooks/checkout",
        "Dashboard": "https://grafana.acme.example/d/checkout"}
    ledger = Service.objects.get(slug="ledger")
    assert ledger.team.slug == "payments"  # the team column takes a slug or a name
    assert ledger.tier == 2  # blank tier: the default
    assert ledger.description == "Double-entry ledger, one row per movement."
    assert Service.objects.get(slug="build-cache").tier == 3
    assert any("tier 2" in note for note in outcome.plan.notes)


def test_csv_reimport_is_idempotent_and_a_blank_cell_keeps_the_value(teams):
    run("services.csv", (DATA / "services.csv").read_text())
    before = snapshot()

    outcome = run("services.csv", HEADER + "ledger,Ledger,payments,,,,,,\n"
                  "checkout-api,Checkout API,payments,1,,,,,\n"
                  "build-cache,Build cache,platform,3,,,,,\n")

    assert all(c.action == Action.UNCHANGED for c in outcome.plan.of(Entity.SERVICE))
    assert snapshot() == before


def test_csv_reports_services_gone_from_the_file(teams):
    run("services.csv", (DATA / "services.csv").read_text())
    outcome = run("services.csv", HEADER + "ledger,Ledger,payments,,,,,,\n")
    assert {g.key for g in outcome.plan.gone} == {"csv:checkout-api", "csv:build-cache"}
    assert Service.objects.count() == 3


@pytest.mark.parametrize("text, messages", [
    ("slug,name\nx,X\n", ["s.csv:1: the header row must name the columns slug, name, team, "
                          "tier, description, repository, runbook, dashboard, oncall, "
                          "tags; missing: team"]),
    ("slug,name,team,owner\n", ["s.csv:1: the header row must name the columns slug, name, "
                                "team, tier, description, repository, runbook, dashboard, "
                                "oncall, tags; unknown: owner"]),
    (HEADER + "ok,OK,payments,,,,,,\nbad,Bad,payments,5,,,,,\n",
     ["s.csv:3: tier '5' is not 1, 2 or 3"]),
    (HEADER + "\nBad Slug,Bad,payments,,,,,,\n",
     ["s.csv:3: slug 'Bad Slug' may hold only lower-case letters, digits and hyphens"]),
    (HEADER + "x,X,payments,,,ftp://example.com/x,,,\n",
     ["s.csv:2: repository is not an http(s) address: 'ftp://example.com/x'"]),
    (HEADER + ",,payments,,,,,,\n", ["s.csv:2: slug is required", "s.csv:2: name is required"]),
    (HEADER + "x,X,nobody,,,,,,\n",
     ["s.csv:2: unknown owner 'nobody': not a Group in the upload nor a team in OpsReview"]),
    (HEADER + "x,X,payments,,,,,,\ny,Y,platform,,,,,,\nx,X again,platform,,,,,,\n",
     ["s.csv:4: duplicate service entity 'csv:x' (first at s.csv:2)"]),
    (HEADER + "x,X,payments\n", ["s.csv:2: 3 cells where the header has 9 columns"]),
])
def test_csv_errors_are_refused_with_their_line(teams, text, messages):
    before = snapshot()
    outcome = run("s.csv", text)
    assert [str(p) for p in outcome.plan.errors] == messages
    assert not outcome.applied and snapshot() == before
    assert not CatalogImport.objects.exists()
