"""Backstage descriptors become teams, people, services and memberships, once."""

import textwrap
import time
from collections import Counter

import pytest

from catalog.importing import Action, Entity, catalog_import_run, plan_import, read_sources
from catalog.models import CatalogImport, Membership, OrgEvent, Service, ServiceLink, Team

from ..conftest import join, make_service, make_team, make_user
from .import_helpers import backstage_files, run, snapshot, upload

pytestmark = pytest.mark.django_db

TIERS = {
    "payments-platform": 1, "payments-api": 1, "ledger": 1, "payment-gateway": 1,
    "checkout-web": 2, "deploy-pipeline": 1, "build-cache": 3, "service-mesh": 2,
    "auth-service": 1, "session-store": 2, "account-portal": 2, "search-api": 2,
    "search-indexer": 3,
}
OWNERS = {
    "payments": {"payments-platform", "payments-api", "ledger", "payment-gateway",
                 "checkout-web"},
    "platform": {"deploy-pipeline", "build-cache", "service-mesh"},
    "identity": {"auth-service", "session-store", "account-portal"},
    "search": {"search-api", "search-indexer"},
}


def component(name="svc", owner="group:payments", extra=""):
    """A Component descriptor; ``extra`` is more metadata, indented two spaces."""
    return ("apiVersion: backstage.io/v1alpha1\n"
            "kind: Component\n"
            "metadata:\n"
            f"  name: {name}\n"
            + (extra + "\n" if extra else "\n")
            + "spec:\n"
            "  type: service\n"
            "  lifecycle: production\n"
            f"  owner: {owner}\n")


GROUP = textwrap.dedent("""\
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata:
      name: payments
    spec:
      type: team
      children: []
    ---
    """)


def test_fixture_imports_teams_people_services_with_owners_tiers_members_and_links():
    outcome = catalog_import_run(files=backstage_files())

    assert outcome.applied and not outcome.plan.blocked
    assert dict(Team.objects.values_list("slug", "name")) == {
        "payments": "Payments", "platform": "Platform", "identity": "Identity",
        "search": "Search & Discovery"}
    assert Team.objects.get(slug="payments").source_key == "group:default/payments"
    for team, services in OWNERS.items():
        assert set(Service.objects.filter(team__slug=team).values_list("slug", flat=True)) \
            == services
    assert dict(Service.objects.values_list("slug", "tier")) == TIERS
    members = {(m.team.slug, m.user.username) for m in Membership.objects.select_related(
        "team", "user")}
    assert members == {("payments", "alice"), ("payments", "bob"), ("platform", "carol"),
                       ("platform", "dave"), ("identity", "erin"), ("search", "frank")}
    alice = Membership.objects.get(user__username="alice").user
    assert (alice.email, alice.first_name, alice.last_name) == (
        "alice@acme.example", "Alice", "Moreau")
    assert not alice.has_usable_password()  # people sign in through the identity provider

    api = Service.objects.get(slug="payments-api")
    assert api.name == "Payments API"
    assert api.description == "Authorises and captures card payments."
    assert api.lifecycle == "production"
    assert api.source_key == "component:default/payments-api"
    assert api.oncall_contact == "PagerDuty service PX1234"
    assert dict(api.links.values_list("label", "url")) == {
        "Repository": "https://github.com/acme/payments-api",
        "Runbook": "https://wiki.acme.example/runbooks/payments-api",
        "Dashboard": "https://grafana.acme.example/d/payments-api"}
    assert dict(Service.objects.get(slug="ledger").links.values_list("label", "url")) == {
        "Repository": "https://github.com/acme/ledger/tree/main/"}
    assert dict(Service.objects.get(slug="deploy-pipeline").links.values_list("label", "url")) \
        == {"Pipelines": "https://ci.acme.example/pipelines",
            "runbook": "https://wiki.acme.example/runbooks/deploy"}
    assert Service.objects.get(slug="payment-gateway").oncall_contact == "#payments-oncall"
    assert Service.objects.get(slug="build-cache").lifecycle == "experimental"
    assert Service.objects.get(slug="payments-platform").source_key == \
        "system:default/payments-platform"


def test_fixture_preview_reports_skipped_kinds_and_the_default_tier():
    parsed, _ = read_sources(backstage_files())
    plan = plan_import(parsed)

    assert {(s.kind, s.name) for s in plan.skipped} == {
        ("Location", "acme-catalog"), ("API", "payments-api-v1"), ("Resource", "payments-db")}
    assert any("1 new service(s) name no tier" in n and "tier 2" in n for n in plan.notes)
    account = next(c for c in plan.of(Entity.SERVICE) if c.key.endswith("/account-portal"))
    assert "tier 2 (default)" in account.summary
    assert Team.objects.count() == 0  # planning writes nothing


def test_importing_twice_changes_nothing():
    catalog_import_run(files=backstage_files())
    before = snapshot()
    time.sleep(0.01)  # an update would show as a later timestamp

    outcome = catalog_import_run(files=backstage_files())

    assert snapshot() == before
    assert all(c.action == Action.UNCHANGED for c in outcome.plan.changes)
    assert outcome.record.changes == []
    assert CatalogImport.objects.filter(status="applied").count() == 2


def test_every_created_or_updated_entity_is_recorded_on_the_import_row():
    outcome = catalog_import_run(files=backstage_files())

    record = CatalogImport.objects.get(pk=outcome.record.pk)
    entities = {(c["entity"], c["action"]) for c in record.changes}
    assert entities == {("team", "create"), ("person", "create"), ("service", "create"),
                        ("membership", "create")}
    assert len(record.changes) == 4 + 6 + 13 + 6
    assert record.counts["service"]["create"] == 13
    assert record.applied_at is not None


def test_every_created_or_updated_entity_leaves_an_audit_event(admin_user):
    catalog_import_run(files=backstage_files(), by=admin_user)

    verbs = Counter(OrgEvent.objects.values_list("verb", flat=True))
    assert verbs == {"team_created": 4, "service_created": 13, "member_added": 6,
                     "catalog_imported": 6 + 1}  # each person added, then the summary
    assert OrgEvent.objects.get(verb="catalog_imported", person__username="alice").message == (
        "alice added (catalog import)")
    event = OrgEvent.objects.get(verb="service_created", service__slug="payments-api")
    assert event.actor == admin_user and event.team.slug == "payments"
    assert event.data["source"] == "component:default/payments-api"

    catalog_import_run(files=backstage_files(), by=admin_user)  # unchanged: only the summary
    assert OrgEvent.objects.count() == sum(verbs.values()) + 1


def test_a_changed_source_updates_only_what_changed():
    run("a.yaml", GROUP + component("ledger", extra="  description: Old words."))
    ledger = Service.objects.get(slug="ledger")

    outcome = run("a.yaml", GROUP + component("ledger", extra="  description: New words."))

    change = outcome.plan.of(Entity.SERVICE)[0]
    assert change.action == Action.UPDATE and change.diff == {
        "description": ["Old words.", "New words."]}
    ledger.refresh_from_db()
    assert ledger.description == "New words."
    assert OrgEvent.objects.get(verb="service_changed").message == (
        "Service ledger: description “Old words.” → “New words.” (catalog import)")
    assert outcome.plan.of(Entity.TEAM)[0].action == Action.UNCHANGED


def test_a_service_moved_to_another_team_is_logged_as_a_move():
    platform = textwrap.dedent("""\
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: platform
        spec:
          type: team
          children: []
        """)
    run("a.yaml", GROUP + component("ledger") + platform)

    run("a.yaml", GROUP + component("ledger", owner="platform") + platform)

    assert Service.objects.get(slug="ledger").team.slug == "platform"
    assert list(OrgEvent.objects.filter(service__slug="ledger").values_list("verb", "message")) \
        == [("service_moved", "Service ledger moved from payments to platform (catalog import)"),
            ("service_created", "Service ledger created for payments (catalog import)")]


def test_hand_made_rows_are_adopted_by_slug_not_duplicated(django_user_model):
    team = make_team("Payments", slug="payments")
    service = make_service(team, name="Ledger", slug="ledger", tier=1,
                           description="Typed by hand.")
    reviewer = make_user(django_user_model, "alice")
    join(reviewer, team, Membership.Role.REVIEWER)

    catalog_import_run(files=backstage_files())

    service.refresh_from_db()
    team.refresh_from_db()
    assert Team.objects.filter(slug="payments").count() == 1
    assert team.source_key == "group:default/payments"
    assert service.source_key == "component:default/ledger"
    assert service.tier == 1
    assert service.description == "Double-entry ledger of every money movement."
    # A reviewer stays a reviewer: the import adds memberships, it never demotes.
    assert Membership.objects.get(user=reviewer, team=team).role == Membership.Role.REVIEWER


def test_people_are_matched_by_username_without_regard_to_case(django_user_model):
    person = make_user(django_user_model, "ALICE")

    catalog_import_run(files=backstage_files())

    person.refresh_from_db()
    assert person.email == "alice@acme.example"
    assert not django_user_model.objects.filter(username="alice").exists()
    assert Membership.objects.filter(user=person, team__slug="payments").exists()


def test_links_have_kinds_and_a_kind_is_corrected_not_doubled():
    make_team("Payments", slug="payments")
    service = make_service(Team.objects.get(), slug="ledger")
    ServiceLink.objects.create(service=service, kind="runbook", label="Runbook",
                               url="https://old.example/runbook")
    ServiceLink.objects.create(service=service, label="Status page", url="https://status.example")

    catalog_import_run(files=backstage_files())

    links = {(k, lbl, u) for k, lbl, u in service.links.values_list("kind", "label", "url")}
    assert links == {
        ("runbook", "Runbook", "https://old.example/runbook"),  # the source names no runbook
        ("other", "Status page", "https://status.example"),  # links only OpsReview has stay
        ("repository", "Repository", "https://github.com/acme/ledger/tree/main/")}
    api = Service.objects.get(slug="payments-api")
    assert set(api.links.values_list("kind", flat=True)) == {"repository", "runbook",
                                                             "dashboard"}
    deploy = Service.objects.get(slug="deploy-pipeline")
    assert dict(deploy.links.values_list("label", "kind")) == {"Pipelines": "other",
                                                               "runbook": "runbook"}

    text = (GROUP + component("ledger", extra="  annotations:\n"
                              "    opsreview.io/runbook: https://new.example/runbook"))
    outcome = run("a.yaml", text)
    assert outcome.plan.of(Entity.SERVICE)[0].diff == {
        "runbook link": ["https://old.example/runbook", "https://new.example/runbook"]}
    assert service.links.get(kind="runbook").url == "https://new.example/runbook"
    assert service.links.filter(kind="runbook").count() == 1


def test_a_group_email_becomes_the_team_email():
    catalog_import_run(files=backstage_files())
    assert Team.objects.get(slug="payments").email == "payments@acme.example"
    assert Team.objects.get(slug="identity").email == ""


def test_a_retired_service_gone_from_the_source_is_not_reported_again():
    run("a.yaml", GROUP + component("ledger") + "---\n" + component("vault"))
    Service.objects.get(slug="vault").retire()
    outcome = run("a.yaml", GROUP + component("ledger"))
    assert outcome.plan.gone == []


def test_a_source_without_tier_keeps_the_tier_set_in_opsreview():
    run("a.yaml", GROUP + component("ledger"))
    Service.objects.filter(slug="ledger").update(tier=1)

    outcome = run("a.yaml", GROUP + component("ledger"))

    assert outcome.plan.of(Entity.SERVICE)[0].action == Action.UNCHANGED
    assert Service.objects.get(slug="ledger").tier == 1


def test_rows_gone_from_the_source_are_reported_and_kept():
    run("a.yaml", GROUP + component("ledger") + "---\n" + component("vault"))

    outcome = run("a.yaml", GROUP + component("ledger"))

    assert [(g.entity, g.key) for g in outcome.plan.gone] == [
        ("service", "component:default/vault")]
    assert Service.objects.filter(slug="vault").exists()


def test_memberships_gone_from_the_source_are_reported_and_kept(django_user_model):
    users = "---\n".join(
        f"apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {name}\n"
        for name in ("alice", "bob"))
    run("org.yaml", GROUP.replace("children: []", "children: []\n  members: [alice, bob]")
        + users)

    outcome = run("org.yaml", GROUP.replace("children: []", "children: []\n  members: [alice]")
                  + users)

    assert [(g.entity, g.label) for g in outcome.plan.gone] == [("membership", "bob in payments")]
    assert Membership.objects.filter(user__username="bob", team__slug="payments").exists()


def test_tier_annotation_and_tag_prefix_are_settings(settings):
    settings.CATALOG_TIER_ANNOTATION = "acme.io/criticality"
    settings.CATALOG_TIER_TAG_PREFIX = "crit-"
    run("a.yaml", GROUP
        + component("one", extra="  annotations:\n    acme.io/criticality: '3'") + "---\n"
        + component("two", extra="  tags: [crit-1]") + "---\n"
        + component("three", extra="  tags: [tier-3]\n  annotations:\n"
                                   "    opsreview.io/tier: '1'"))

    assert dict(Service.objects.values_list("slug", "tier")) == {"one": 3, "two": 1, "three": 2}


# --- refused input: a message, and not one row changed -----------------------------------

def refused(name: str, text: str) -> list[str]:
    make_team("Existing", slug="existing")
    before = snapshot()
    outcome = run(name, text)
    assert not outcome.applied and outcome.plan.blocked
    assert snapshot() == before
    assert not CatalogImport.objects.exists()
    return [str(p) for p in outcome.plan.errors + outcome.plan.conflicts]


def test_invalid_yaml_is_refused_with_its_line():
    messages = refused("bad.yaml", GROUP + "kind: Component\nmetadata:\n  name: [unclosed\n"
                                           "spec: {}\n")
    assert len(messages) == 1
    assert messages[0].startswith("bad.yaml:12: invalid YAML")


def test_unknown_owner_is_refused_with_its_line():
    text = GROUP + component("ledger") + "---\n" + component("vault", owner="group:nobody")
    messages = refused("a.yaml", text)
    assert messages == ["a.yaml:27: unknown owner 'group:nobody': not a Group in the upload "
                        "nor a team in OpsReview"]


def test_a_user_as_owner_is_refused():
    messages = refused("a.yaml", component("ledger", owner="user:alice"))
    assert "owner 'user:alice' is not a group" in messages[0]


def test_duplicate_slugs_are_refused_with_both_places():
    text = (GROUP + component("pay-api") + "---\n" + component("pay_api")
            + "---\n" + component("pay-api", extra="  namespace: other"))
    messages = refused("a.yaml", text)
    assert messages == [
        "a.yaml:19: duplicate service slug 'pay-api' (first at a.yaml:9)",
        "a.yaml:29: duplicate service slug 'pay-api' (first at a.yaml:9)"]


def test_duplicate_slugs_across_files_are_refused():
    before = snapshot()
    outcome = catalog_import_run(files=[upload("a.yaml", GROUP + component("ledger")),
                                        upload("b.yaml", component("ledger"))])
    assert [str(p) for p in outcome.plan.errors] == [
        "b.yaml:1: duplicate service entity 'component:default/ledger' (first at a.yaml:9)"]
    assert snapshot() == before


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "catalog-info.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse: nothing to read quickly anyway
    from catalog.importing import DiskFile

    file = DiskFile(big)
    file.read = lambda *a: pytest.fail("read a file over the cap")
    before = snapshot()
    outcome = catalog_import_run(files=[file])
    assert [p.message for p in outcome.plan.errors] == [
        "the file is 50.0 MB; the limit is 5 MB per file"]
    assert snapshot() == before


def test_an_upload_lying_about_its_size_stops_at_the_cap(settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 100
    file = upload("a.yaml", GROUP + component("ledger"))
    file.size = 10
    outcome = catalog_import_run(files=[file])
    assert "over the 100 byte limit" in outcome.plan.errors[0].message


def test_an_alias_bomb_is_refused_quickly():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.monotonic()
    messages = refused("bomb.yaml", "\n".join(levels) + "\n")
    assert time.monotonic() - started < 2
    assert messages == ["bomb.yaml:1: YAML aliases (*name) are not accepted: the anchor defined "
                        "here is reused. Write the values out in full."]


def test_even_one_alias_is_refused():
    text = GROUP + component("ledger", extra="  links: &l\n    - url: https://a.example\n"
                                               "  x-mirror: *l")
    assert "YAML aliases" in refused("a.yaml", text)[0]


@pytest.mark.parametrize("extra, message", [
    ("  title: [a, list]", "a.yaml:13: metadata.title must be text, not a list"),
    ("  annotations: [a, list]", "a.yaml:13: metadata.annotations must be a mapping, not a list"),
    ("  links: {url: https://a.example}", "a.yaml:13: metadata.links must be a list"),
    ("  links: [{title: no url}]", "a.yaml:13: every entry of metadata.links needs a url"),
    ("  links: [{url: 'javascript:alert(1)'}]", "a.yaml:11: link 'javascript:alert(1)' is not "
                                               "an http(s) address: 'javascript:alert(1)'"),
    ("  tags: tier-1", "a.yaml:13: metadata.tags must be a list of text"),
    ("  annotations: {opsreview.io/tier: banana}",
     "a.yaml:13: tier 'banana' is not 1, 2 or 3"),
])
def test_wrong_types_are_refused_with_their_line(extra, message):
    assert refused("a.yaml", GROUP + component("ledger", extra=extra)) == [message]


def test_wrong_types_in_groups_and_users_are_refused():
    text = textwrap.dedent("""\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: payments
        spec:
          type: team
          members: alice
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata:
          name: [alice]
        ---
        - just
        - a list
        """)
    assert refused("a.yaml", text) == [
        "a.yaml:7: spec.members must be a list of text",
        "a.yaml:12: metadata.name must be text, not a list",
        "a.yaml:14: a descriptor must be a mapping, not a list"]


def test_a_group_email_that_is_no_address_is_refused():
    text = GROUP.replace("children: []", "children: []\n  profile:\n    email: payments-at-acme")
    assert refused("a.yaml", text) == ["a.yaml:9: 'payments-at-acme' is not an e-mail address"]


def test_an_unknown_member_is_refused():
    text = GROUP.replace("children: []", "children: []\n  members: [ghost]")
    assert refused("a.yaml", text) == [
        "a.yaml:1: member 'ghost' of payments is not a User in the upload nor a person in "
        "OpsReview"]


def test_a_slug_taken_by_another_source_is_a_conflict():
    team = make_team("Payments", slug="payments", source_key="group:other/payments")
    make_service(team, name="Ledger", slug="ledger", source_key="component:other/ledger")
    before = snapshot()
    outcome = run("a.yaml", component("ledger"))
    assert [str(p) for p in outcome.plan.conflicts] == [
        "a.yaml:1: service slug 'ledger' is taken by 'Ledger', imported from "
        "component:other/ledger"]
    assert snapshot() == before


def test_one_bad_entity_keeps_every_good_one_out():
    text = GROUP + "---\n".join(component(f"svc-{i}") for i in range(10)) + "---\n" \
        + component("bad", owner="nobody")
    messages = refused("a.yaml", text)
    assert len(messages) == 1 and "unknown owner 'nobody'" in messages[0]


def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    from catalog.models import ServiceLink

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ServiceLink.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        catalog_import_run(files=backstage_files())
    assert not Team.objects.exists() and not Service.objects.exists()
    assert not CatalogImport.objects.exists() and not OrgEvent.objects.exists()
