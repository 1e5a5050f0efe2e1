"""identity_sign_in with verified claims: who the person is and what the rules give them."""

import pytest

from accounts.models import Identity
from accounts.services import SignInRefused, identity_sign_in
from catalog.models import Membership, ops_leads_group
from tests.conftest import join, make_team

pytestmark = pytest.mark.django_db
ISSUER = "https://idp.example.com"


@pytest.fixture(autouse=True)
def rules(settings):
    settings.OIDC_GROUP_RULES = "opsreview-{team}-{role}; leads=ops-lead"


def claims(sub="s-1", username="lee", groups=(), **extra):
    return {"sub": sub, "preferred_username": username, "groups": list(groups), **extra}


def roles(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))


def test_a_hand_made_membership_a_rule_covers_becomes_managed():
    payments = make_team(slug="payments")
    user = identity_sign_in(issuer=ISSUER, claims=claims())
    join(user, payments)  # by hand, as member

    identity_sign_in(issuer=ISSUER, claims=claims(groups=["opsreview-payments-reviewer"]))
    assert roles(user) == {"payments": "reviewer"}
    identity_sign_in(issuer=ISSUER, claims=claims(groups=[]))

    assert roles(user) == {}


def test_a_hand_made_ops_lead_role_is_left_alone():
    user = identity_sign_in(issuer=ISSUER, claims=claims())
    user.groups.add(ops_leads_group())

    identity_sign_in(issuer=ISSUER, claims=claims(groups=[]))

    assert user.groups.filter(name="Ops leads").exists()


def test_a_single_group_sent_as_a_string_counts():
    make_team(slug="payments")

    user = identity_sign_in(
        issuer=ISSUER, claims=claims() | {"groups": "opsreview-payments-member"}
    )

    assert roles(user) == {"payments": "member"}


def test_groups_for_teams_that_do_not_exist_are_ignored():
    user = identity_sign_in(issuer=ISSUER, claims=claims(groups=["opsreview-ghosts-member"]))

    assert roles(user) == {}
    assert Identity.objects.get(user=user).managed_team_ids == []


def test_the_same_subject_is_the_same_person_after_a_rename():
    first = identity_sign_in(issuer=ISSUER, claims=claims(username="lee"))

    again = identity_sign_in(issuer=ISSUER, claims=claims(username="lee.renamed"))

    assert again.pk == first.pk


def test_the_same_subject_at_another_issuer_is_someone_else_and_may_not_take_the_name():
    identity_sign_in(issuer=ISSUER, claims=claims())

    with pytest.raises(SignInRefused):
        identity_sign_in(issuer="https://other.example.com", claims=claims())


def test_claims_without_subject_are_refused():
    with pytest.raises(SignInRefused):
        identity_sign_in(issuer=ISSUER, claims=claims(sub=""))


def test_changes_from_the_provider_are_in_the_organisation_audit_log():
    from catalog.models import OrgEvent

    make_team(slug="payments")
    user = identity_sign_in(issuer=ISSUER, claims=claims(groups=["opsreview-payments-member",
                                                                 "leads"]))
    identity_sign_in(issuer=ISSUER, claims=claims(groups=[]))

    events = list(OrgEvent.objects.filter(person=user).order_by("pk").values_list("verb", "actor"))
    assert events == [
        ("sign_in_changed", None), ("member_added", None), ("ops_lead_granted", None),
        ("member_removed", None), ("ops_lead_revoked", None),
    ]
