"""Who may read and change the organisation, and who may issue and revoke API tokens, walked
through the real URLs.

The expected table is written out by hand from the product rules (everyone signed in reads the
directory; ops leads and admins change it; reviewers and ops leads issue tokens; a token is
revoked by whoever issued it, even after losing the role, or an ops lead). Every cell also
checks the effect: an allowed change happened, a refused one left nothing behind.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import Membership, OrgEvent, Service, Team, ops_leads_group
from orr.models import ApiToken
from tests.matrix import FORBIDDEN, HIDDEN, LOGIN, OK, outcome

from ..conftest import join, make_service, make_user

ROLES = ["member", "reviewer", "ops_lead", "admin", "outsider", "anonymous"]
MANAGERS = {"ops_lead", "admin"}
ISSUERS = {"reviewer", "ops_lead", "admin"}


def expected(role: str, action: str) -> str:
    if role == "anonymous":
        return LOGIN
    if action in ("view_org", "view_people", "view_team", "view_person", "view_retired"):
        return OK
    if action == "revoke_own_token":
        return OK
    if action in ("list_tokens", "issue_token"):
        return OK if role in ISSUERS else FORBIDDEN
    if action == "revoke_others_token":
        # Someone else's token does not exist for those who may not manage it.
        return OK if role in MANAGERS else HIDDEN
    return OK if role in MANAGERS else FORBIDDEN


@pytest.fixture
def org(django_user_model, payments, platform, checkout):
    member = make_user(django_user_model, "member")
    join(member, payments)
    reviewer = make_user(django_user_model, "reviewer")
    join(reviewer, platform, Membership.Role.REVIEWER)
    lead = make_user(django_user_model, "lead")
    lead.groups.add(ops_leads_group())
    outsider = make_user(django_user_model, "outsider")
    join(outsider, Team.objects.create(name="Elsewhere", slug="elsewhere"))
    leaver = make_user(django_user_model, "leaver")
    join(leaver, payments)
    admin = django_user_model.objects.create_superuser("root", password="pw")
    retired = make_service(payments, name="Old batch", slug="old-batch")
    retired.retire()
    people = {"member": member, "reviewer": reviewer, "ops_lead": lead, "admin": admin,
              "outsider": outsider, "anonymous": None}
    return {"people": people, "payments": payments, "platform": platform,
            "checkout": checkout, "retired": retired, "leaver": leaver,
            "lead_token": ApiToken.issue(name="lead's", by=lead)[0]}


def shows(text: str):
    """A page read: it answered 200 with what it is about."""
    return lambda o, r: r.status_code == 200 and text in r.content.decode()


def _token_of(user):
    return ApiToken.issue(name="mine", by=user)[0] if user else ApiToken.issue(name="x")[0]


# Each action: (request, effect). effect(org, response) says whether it took effect: the change
# is in the database, or the page shows what it is about.
ACTIONS = {
    "view_org": (lambda c, o, u: c.get(reverse("catalog:org")), shows("Platform")),
    "view_people": (lambda c, o, u: c.get(reverse("catalog:people")), shows("leaver")),
    "view_team": (lambda c, o, u: c.get(reverse("catalog:team", args=["payments"])),
                  shows("Checkout API")),
    "view_person": (lambda c, o, u: c.get(reverse("catalog:person", args=["leaver"])),
                    shows("Payments")),
    "view_retired": (lambda c, o, u: c.get(reverse("catalog:retired_services")),
                     shows("Old batch")),
    "view_audit": (lambda c, o, u: c.get(reverse("catalog:audit")), shows("Audit log")),
    "view_start": (lambda c, o, u: c.get(reverse("catalog:org_start")),
                   shows("Set up your organisation")),
    "create_team": (
        lambda c, o, u: c.post(reverse("catalog:team_create"),
                               {"name": "Search", "slug": "", "email": "search@example.com"}),
        lambda o, r: Team.objects.filter(slug="search").exists(),
    ),
    "edit_team": (
        lambda c, o, u: c.post(reverse("catalog:team_edit", args=["payments"]),
                               {"name": "Payments", "slug": "payments", "chat": "#payments"}),
        lambda o, r: Team.objects.get(slug="payments").chat == "#payments",
    ),
    "add_member": (
        lambda c, o, u: c.post(reverse("catalog:member_set", args=["platform"]),
                               {"person": o["leaver"].pk, "role": "reviewer"}),
        lambda o, r: Membership.objects.filter(team=o["platform"], user=o["leaver"]).exists(),
    ),
    "remove_member": (
        lambda c, o, u: c.post(reverse("catalog:member_remove", args=["payments", "leaver"])),
        lambda o, r: not Membership.objects.filter(team=o["payments"], user=o["leaver"]).exists(),
    ),
    "create_service": (
        lambda c, o, u: c.post(reverse("catalog:service_create"),
                               {"name": "Ledger", "slug": "ledger", "tier": 1,
                                "team": o["payments"].pk}),
        lambda o, r: Service.objects.filter(slug="ledger").exists(),
    ),
    "move_service": (
        lambda c, o, u: c.post(reverse("catalog:service_edit", args=["checkout-api"]),
                               {"name": "Checkout API", "slug": "checkout-api", "tier": 1,
                                "team": o["platform"].pk}),
        lambda o, r: Service.objects.get(slug="checkout-api").team_id == o["platform"].pk,
    ),
    "retire_service": (
        lambda c, o, u: c.post(reverse("catalog:service_retire", args=["checkout-api"])),
        lambda o, r: Service.objects.get(slug="checkout-api").is_retired,
    ),
    "restore_service": (
        lambda c, o, u: c.post(reverse("catalog:service_restore", args=["old-batch"])),
        lambda o, r: not Service.objects.get(slug="old-batch").is_retired,
    ),
    "make_ops_lead": (
        lambda c, o, u: c.post(reverse("catalog:person_ops_lead", args=["leaver"]),
                               {"ops_lead": "1"}),
        lambda o, r: o["leaver"].groups.filter(name="Ops leads").exists(),
    ),
    "deactivate_person": (
        lambda c, o, u: c.post(reverse("catalog:person_deactivate", args=["leaver"])),
        lambda o, r: not get_user_model().objects.get(username="leaver").is_active,
    ),
    "reassign_work": (
        lambda c, o, u: c.post(reverse("catalog:person_reassign", args=["leaver"]),
                               {"to": o["people"]["member"].pk}),
        lambda o, r: OrgEvent.objects.filter(verb=OrgEvent.Verb.WORK_REASSIGNED).exists(),
    ),
    "list_tokens": (lambda c, o, u: c.get(reverse("tokens:list")), shows("Issue a token")),
    "issue_token": (
        lambda c, o, u: c.post(reverse("tokens:list"),
                               {"name": "deploy", "coverage": "all", "scopes": ["read"],
                                "expires_in": 30}),
        lambda o, r: ApiToken.objects.filter(name="deploy").exists(),
    ),
    "revoke_own_token": (
        lambda c, o, u: c.post(reverse("tokens:revoke", args=[o.setdefault(
            "own_token", _token_of(u)).pk])),
        lambda o, r: ApiToken.objects.get(pk=o["own_token"].pk).revoked_at is not None,
    ),
    "revoke_others_token": (
        lambda c, o, u: c.post(reverse("tokens:revoke", args=[o["lead_token"].pk])),
        lambda o, r: ApiToken.objects.get(pk=o["lead_token"].pk).revoked_at is not None,
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_organisation_permission_matrix(client, org, role, action):
    user = org["people"][role]
    if user is not None:
        client.force_login(user)
    do, effect = ACTIONS[action]
    if role == "ops_lead" and action == "revoke_others_token":
        org["lead_token"] = ApiToken.issue(name="admin's", by=org["people"]["admin"])[0]
    response = do(client, org, user)
    want = expected(role, action)
    assert outcome(response, lambda: effect(org, response)) == want
    if want != OK:
        assert not effect(org, response), f"{role} {action}: refused, yet it took effect"


@pytest.mark.parametrize("name,args", [
    ("catalog:member_set", ["payments"]),
    ("catalog:member_remove", ["payments", "leaver"]),
    ("catalog:service_restore", ["old-batch"]),
    ("catalog:person_ops_lead", ["leaver"]),
    ("catalog:person_reactivate", ["leaver"]),
    ("catalog:person_reassign", ["leaver"]),
    ("tokens:revoke", [1]),
])
def test_changes_are_post_only(client, org, name, args):
    client.force_login(org["people"]["ops_lead"])
    assert client.get(reverse(name, args=args)).status_code == 405


def test_only_managers_and_issuers_see_the_organisation_entry(client, org):
    for role, shown in [("member", False), ("outsider", False), ("reviewer", True),
                        ("ops_lead", True), ("admin", True)]:
        client.force_login(org["people"][role])
        page = client.get(reverse("catalog:services")).content.decode()
        assert (f'href="{reverse("catalog:org")}"' in page) is shown, role


def test_readers_see_no_change_buttons(client, org):
    client.force_login(org["people"]["member"])
    page = client.get(reverse("catalog:team", args=["payments"])).content.decode()
    assert reverse("catalog:team_edit", args=["payments"]) not in page
    page = client.get(org["checkout"].get_absolute_url()).content.decode()
    assert reverse("catalog:service_retire", args=["checkout-api"]) not in page
    client.force_login(org["people"]["ops_lead"])
    page = client.get(org["checkout"].get_absolute_url()).content.decode()
    assert reverse("catalog:service_retire", args=["checkout-api"]) in page
