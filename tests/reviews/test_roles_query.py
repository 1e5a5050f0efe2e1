"""A user's roles come from one query (every page asks for them, via the navigation)."""

import pytest

from catalog.models import Membership, ops_leads_group
from reviews.roles import roles

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_roles_of_member_reviewer_and_ops_lead_in_one_query(
        django_user_model, django_assert_num_queries):
    from catalog.models import Team

    a, b = Team.objects.create(name="A", slug="a"), Team.objects.create(name="B", slug="b")
    user = django_user_model.objects.create_user("rhea")
    Membership.objects.create(user=user, team=a, role=Membership.Role.MEMBER)
    Membership.objects.create(user=user, team=b, role=Membership.Role.REVIEWER)
    person = fresh(user)
    with django_assert_num_queries(1):
        r = roles(person)
    assert (r.team_ids, r.reviewer_team_ids, r.ops_lead) == ({a.pk, b.pk}, {b.pk}, False)

    user.groups.add(ops_leads_group())
    person = fresh(user)
    with django_assert_num_queries(1):
        r = roles(person)
    assert (r.team_ids, r.reviewer_team_ids, r.ops_lead) == ({a.pk, b.pk}, {b.pk}, True)


def test_an_ops_lead_without_a_team_and_a_person_with_no_role(django_user_model):
    lead = django_user_model.objects.create_user("olu")
    lead.groups.add(ops_leads_group())
    r = roles(fresh(lead))
    assert (r.team_ids, r.ops_lead, r.is_reviewer) == (frozenset(), True, False)
    r = roles(django_user_model.objects.create_user("nobody"))
    assert (r.team_ids, r.ops_lead) == (frozenset(), False)
