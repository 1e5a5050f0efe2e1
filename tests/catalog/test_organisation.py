"""The organisation's rules: teams and services change with an audit entry, a retired service
keeps its history but leaves the lists, a deactivated person's work is handed over in one step
and nothing of theirs is deleted."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from actions.services import person_open_work, work_reassign
from catalog import services
from catalog.models import Membership, OrgEvent, Service, ServiceLink, Team
from orr import services as orr_services
from reports.selectors import weekly_report
from reports.weeks import Week
from reviews.models import ReviewerAssignment
from reviews.services import document_assign_reviewer, document_submit

from ..conftest import answer_everything, make_service, make_user


@pytest.fixture
def lead_client(client, ops_lead):
    client.force_login(ops_lead)
    return client


def make_item(review, owner, **extra) -> ActionItem:
    return ActionItem.objects.create(
        title=extra.pop("title", "Add a circuit breaker to the ledger client"), owner=owner,
        team=review.service.team, due_date=timezone.localdate() + dt.timedelta(days=10),
        document=review, **extra,
    )


def verbs() -> list[str]:
    return list(OrgEvent.objects.order_by("pk").values_list("verb", flat=True))


# --- teams ---------------------------------------------------------------------------------


def test_a_team_is_created_with_its_contacts_and_logged(lead_client, ops_lead, db):
    response = lead_client.post(reverse("catalog:team_create"), {
        "name": "Data Platform", "slug": "", "description": "Pipelines",
        "email": "data@example.com", "chat": "#data",
    })
    assert response.status_code == 302
    team = Team.objects.get(slug="data-platform")
    assert (team.email, team.chat) == ("data@example.com", "#data")
    event = OrgEvent.objects.get()
    assert (event.verb, event.actor, event.team) == ("team_created", ops_lead, team)
    page = lead_client.get(team.get_absolute_url()).content.decode()
    assert "data@example.com" in page and "#data" in page


def test_a_bad_team_form_says_why_and_keeps_what_was_typed(lead_client, payments):
    response = lead_client.post(reverse("catalog:team_create"), {
        "name": "Payments two", "slug": "payments", "email": "not-an-address",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "Team with this Slug already exists" in page
    assert "Enter a valid email address" in page
    assert 'value="Payments two"' in page and 'value="not-an-address"' in page
    assert not OrgEvent.objects.exists()


def test_a_team_edit_logs_old_and_new_values(lead_client, payments):
    lead_client.post(reverse("catalog:team_edit", args=["payments"]), {
        "name": "Payments", "slug": "payments", "chat": "#pay",
    })
    event = OrgEvent.objects.get()
    assert event.verb == "team_changed" and event.data["changes"] == {"chat": ["", "#pay"]}


def test_membership_add_role_change_and_remove_are_logged(lead_client, payments, teammate):
    url = reverse("catalog:member_set", args=["payments"])
    lead_client.post(url, {"person": teammate.pk, "role": "reviewer"})
    assert Membership.objects.get(user=teammate, team=payments).role == "reviewer"
    lead_client.post(url, {"person": teammate.pk, "role": "reviewer"})  # no change, no entry
    lead_client.post(reverse("catalog:member_remove", args=["payments", "teammate"]))
    assert not Membership.objects.filter(user=teammate).exists()
    assert verbs() == ["member_role_changed", "member_removed"]


def test_ops_lead_role_is_granted_and_revoked_with_entries(lead_client, teammate):
    url = reverse("catalog:person_ops_lead", args=["teammate"])
    lead_client.post(url, {"ops_lead": "1"})
    assert teammate.groups.filter(name="Ops leads").exists()
    lead_client.post(url, {"ops_lead": "0"})
    assert not teammate.groups.filter(name="Ops leads").exists()
    assert verbs() == ["ops_lead_granted", "ops_lead_revoked"]


# --- services ------------------------------------------------------------------------------


def test_a_service_is_created_with_its_links(lead_client, payments):
    lead_client.post(reverse("catalog:service_create"), {
        "name": "Ledger", "slug": "", "tier": 1, "team": payments.pk,
        "repository": "https://git.example.com/ledger", "runbook": "https://wiki.example.com/l",
    })
    service = Service.objects.get(slug="ledger")
    assert dict(service.links.values_list("kind", "url")) == {
        "repository": "https://git.example.com/ledger", "runbook": "https://wiki.example.com/l"}
    page = lead_client.get(service.get_absolute_url()).content.decode()
    assert "https://git.example.com/ledger" in page
    assert verbs() == ["service_created"]


def test_moving_a_service_keeps_its_history_and_is_logged_as_a_move(
        lead_client, review, checkout, platform):
    lead_client.post(reverse("catalog:service_edit", args=["checkout-api"]), {
        "name": "Checkout API", "slug": "checkout-api", "tier": 1, "team": platform.pk,
        "dashboard": "https://grafana.example.com/d/checkout",
    })
    checkout.refresh_from_db()
    assert checkout.team == platform and checkout.documents.get() == review.document_ptr
    moved = OrgEvent.objects.get(verb="service_moved")
    assert moved.data == {"from_team": "payments", "to_team": "platform"}
    changed = OrgEvent.objects.get(verb="service_changed")
    assert changed.data["changes"] == {
        "dashboard link": ["", "https://grafana.example.com/d/checkout"]}
    assert ServiceLink.objects.get(service=checkout).kind == "dashboard"


def test_retiring_reports_open_items_then_hides_the_service(
        lead_client, review, checkout, author, payments):
    make_item(review, author, title="Alarm on ledger lag above one minute")
    make_service(payments, name="Ledger", slug="ledger")
    confirm = lead_client.get(reverse("catalog:service_retire", args=["checkout-api"]))
    assert "1 open action item" in confirm.content.decode()
    assert "Alarm on ledger lag above one minute" in confirm.content.decode()
    done = lead_client.post(reverse("catalog:service_retire", args=["checkout-api"]), follow=True)
    assert "Checkout API is retired" in done.content.decode()
    checkout.refresh_from_db()
    assert checkout.is_retired
    event = OrgEvent.objects.get(verb="service_retired")
    assert event.data == {"open_action_items": 1}
    # Gone from the lists ...
    services_page = lead_client.get(reverse("catalog:services")).content.decode()
    assert "Checkout API" not in services_page and "Ledger" in services_page
    team_page = lead_client.get(payments.get_absolute_url()).content.decode()
    assert "Checkout API" not in team_page
    # ... but its page stays, with its history and its open items.
    page = lead_client.get(checkout.get_absolute_url()).content.decode()
    assert "Retired on" in page and review.code in page
    assert "Alarm on ledger lag above one minute" in page
    assert "Start ORR" not in page
    assert "Checkout API" in lead_client.get(reverse("catalog:retired_services")).content.decode()


def never_reviewed(week) -> list[str]:
    return [row[0] for row in weekly_report(week).never_reviewed.rows]


def test_a_retired_service_leaves_never_reviewed_but_counts_for_its_past_weeks(payments):
    old = make_service(payments, name="Old batch", slug="old-batch")
    Service.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    week = Week.last_complete()
    assert "Old batch" in never_reviewed(week)
    old.retire()
    # Retired before that week ended: not in its report.
    Service.objects.filter(pk=old.pk).update(retired_at=week.end_at - dt.timedelta(days=1))
    assert "Old batch" not in never_reviewed(week)
    # Retired after that week: the week's report still shows the service as it was.
    Service.objects.filter(pk=old.pk).update(retired_at=week.end_at + dt.timedelta(hours=1))
    assert "Old batch" in never_reviewed(week)


def test_no_orr_starts_on_a_retired_service(questionnaires, checkout, author, ops_lead):
    services.service_retire(service=checkout, by=ops_lead)
    with pytest.raises(ValidationError, match="retired"):
        orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    services.service_restore(service=checkout, by=ops_lead)
    assert orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    assert verbs() == ["service_retired", "service_restored"]


def test_retiring_twice_says_so(lead_client, checkout):
    lead_client.post(reverse("catalog:service_retire", args=["checkout-api"]))
    response = lead_client.post(reverse("catalog:service_retire", args=["checkout-api"]),
                                follow=True)
    assert "already retired" in response.content.decode()
    assert verbs() == ["service_retired"]


def test_the_service_page_links_the_open_orr_instead_of_start(client, review, checkout,
                                                              author):
    client.force_login(author)
    page = client.get(checkout.get_absolute_url()).content.decode()
    assert f'href="{review.get_absolute_url()}">{review.code}</a> draft' in page
    assert "Start ORR" not in page


# --- people --------------------------------------------------------------------------------


@pytest.fixture
def leaver_work(questionnaires, checkout, author, teammate, reviewer, payments):
    """The teammate owns two open items and one closed; reviews one document in review."""
    review = orr_services.orr_start(service=checkout, by=author, trigger="pre_launch")
    items = [make_item(review, teammate), make_item(review, teammate, title="Page on 5xx")]
    make_item(review, teammate, title="Done already", status="done", closing_note="Shipped")
    answer_everything(review, author)
    document_assign_reviewer(document=review, reviewer=reviewer, by=author)
    document_assign_reviewer(document=review, reviewer=teammate, by=author)
    document_submit(document=review, by=author)
    return review, items


def test_deactivation_lists_open_work_and_deletes_nothing(lead_client, leaver_work, teammate,
                                                          payments):
    review, items = leaver_work
    confirm = lead_client.get(reverse("catalog:person_deactivate", args=["teammate"]))
    page = confirm.content.decode()
    assert "Open action items (2)" in page and "Pending reviews (1)" in page
    assert review.code in page and "Done already" not in page
    lead_client.post(reverse("catalog:person_deactivate", args=["teammate"]))
    teammate.refresh_from_db()
    assert not teammate.is_active
    assert Membership.objects.filter(user=teammate, team=payments).exists()
    assert ActionItem.objects.filter(owner=teammate).count() == 3
    assert ReviewerAssignment.objects.filter(user=teammate).exists()
    # Still listed on their page, to hand over later.
    page = lead_client.get(reverse("catalog:person", args=["teammate"])).content.decode()
    assert "Deactivated" in page and "Open action items (2)" in page
    assert verbs() == ["person_deactivated"]


def test_the_leavers_live_tokens_are_listed_to_revoke_from_their_page(lead_client, teammate):
    from orr.models import ApiToken

    token, _ = ApiToken.issue(name="teammate's deploy", by=teammate)
    ApiToken.issue(name="already revoked", by=teammate)[0].revoke()
    url = reverse("catalog:person_deactivate", args=["teammate"])
    page = lead_client.get(url).content.decode()
    assert "Live API tokens they issued (1)" in page and "already revoked" not in page
    response = lead_client.post(reverse("tokens:revoke", args=[token.pk]), {"next": url})
    assert response["Location"] == url
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_deactivate_and_hand_over_in_one_step(lead_client, leaver_work, teammate, ops_lead):
    review, items = leaver_work
    heir = make_user(get_user_model(), "heir")
    lead_client.post(reverse("catalog:person_deactivate", args=["teammate"]), {"to": heir.pk})
    assert set(ActionItem.objects.open().filter(owner=heir)) == set(items)
    assert ActionItem.objects.get(title="Done already").owner == teammate
    assert list(review.assignments.values_list("user__username", flat=True)) == [
        "reviewer", "heir"]
    event = OrgEvent.objects.get(verb="work_reassigned")
    assert event.data["to"] == "heir" and event.data["reviews"] == [review.code]
    assert review.events.filter(verb="action_owner").count() == 2
    assert person_open_work(teammate, viewer=ops_lead) == ([], [], 0)


def test_handing_over_to_the_author_leaves_that_review_in_place(leaver_work, teammate, author,
                                                                ops_lead):
    review, _ = leaver_work
    moved, skipped, hidden = work_reassign(person=teammate, to=author, by=ops_lead)
    assert skipped == [review.code] and moved == 2 and hidden == 0
    assert review.assignments.filter(user=teammate).exists()


def test_a_restricted_coe_the_ops_lead_cannot_see_is_counted_not_shown_nor_moved(
        lead_client, questionnaires, platform, reviewer, teammate, ops_lead):
    from tests.postmortems.conftest import make_coe

    secret = make_coe(make_service(platform, name="Vault", slug="vault"), reviewer,
                      title="Key material exposed in the vault logs", restricted=True)
    document_assign_reviewer(document=secret, reviewer=teammate, by=reviewer)
    page = lead_client.get(reverse("catalog:person_deactivate", args=["teammate"]))
    assert "Key material" not in page.content.decode()
    assert "And 1 review or action item of restricted postmortems you cannot see" \
        in page.content.decode()
    heir = make_user(get_user_model(), "heir")
    assert work_reassign(person=teammate, to=heir, by=ops_lead) == (0, [], 1)
    assert secret.assignments.filter(user=teammate).exists()
    assert not secret.assignments.filter(user=heir).exists()


def test_nobody_deactivates_themselves_and_only_admins_deactivate_admins(
        lead_client, ops_lead, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    for username in ("opslead", "root"):
        response = lead_client.post(reverse("catalog:person_deactivate", args=[username]),
                                    follow=True)
        assert "deactivate" in response.content.decode().lower()
    ops_lead.refresh_from_db()
    root.refresh_from_db()
    assert ops_lead.is_active and root.is_active
    with pytest.raises(ValidationError, match="Only an administrator"):
        services.check_may_deactivate(person=root, by=ops_lead)
    assert not OrgEvent.objects.exists()


def test_a_deactivated_person_is_reactivated(lead_client, teammate):
    lead_client.post(reverse("catalog:person_deactivate", args=["teammate"]))
    lead_client.post(reverse("catalog:person_reactivate", args=["teammate"]))
    teammate.refresh_from_db()
    assert teammate.is_active
    assert verbs() == ["person_deactivated", "person_reactivated"]


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_is_append_only(ops_lead, payments):
    event = services.org_log(by=ops_lead, verb=OrgEvent.Verb.TEAM_CHANGED, team=payments,
                             message="x")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        OrgEvent.objects.update(message="y")
    with pytest.raises(PermissionError):
        OrgEvent.objects.all().delete()


def test_the_audit_page_lists_changes_newest_first(lead_client, ops_lead, payments):
    services.team_update(team=payments, by=ops_lead, chat="#one")
    services.team_update(team=payments, by=ops_lead, chat="#two")
    page = lead_client.get(reverse("catalog:audit")).content.decode()
    assert "“#one” → “#two”" in page
    assert page.index("“#one” → “#two”") < page.index("“” → “#one”")
    assert "opslead" in page


def test_the_audit_log_shows_one_services_changes(lead_client, ops_lead, payments, checkout):
    services.team_update(team=payments, by=ops_lead, chat="#pay")
    services.service_update(service=checkout, by=ops_lead, tier=3)
    page = lead_client.get(reverse("catalog:audit"), {"service": "checkout-api"}).content.decode()
    assert "tier “1” → “3”" in page and "#pay" not in page


def test_admin_changes_are_audited_and_catalog_admin_pages_answer(client, django_user_model,
                                                                  payments, checkout):
    root = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(root)
    for url in ("/admin/catalog/service/", "/admin/catalog/team/", "/admin/orr/apitoken/",
                "/admin/catalog/membership/", "/admin/catalog/servicelink/",
                "/admin/actions/actionitem/", "/admin/catalog/orgevent/",
                f"/admin/catalog/service/{checkout.pk}/change/"):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/admin/catalog/team/{payments.pk}/change/", {
        "name": "Payments", "slug": "payments", "description": "", "email": "p@example.com",
        "chat": "", "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302
    event = OrgEvent.objects.get()
    assert event.verb == "team_changed" and "email" in event.message


# --- the first run -------------------------------------------------------------------------


def test_the_first_administrator_is_created_in_the_browser_once(client, db):
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("catalog:setup") in login_page
    bad = client.post(reverse("catalog:setup"), {"username": "ada", "password1": "long-pass-1",
                                                 "password2": "other"})
    assert "The two passwords differ" in bad.content.decode()
    assert 'value="ada"' in bad.content.decode()
    response = client.post(reverse("catalog:setup"), {
        "username": "ada", "email": "ada@example.com",
        "password1": "long-pass-1", "password2": "long-pass-1"})
    assert response["Location"] == reverse("catalog:org_start")
    ada = get_user_model().objects.get()
    assert ada.is_superuser and ada.is_staff
    assert OrgEvent.objects.get().verb == "admin_created"
    # Signed in, and sent to the first-run page that walks through the set-up.
    start = client.get(reverse("catalog:org_start")).content.decode()
    assert "Set up your organisation" in start
    client.logout()
    assert client.get(reverse("catalog:setup"))["Location"] == reverse("login")
    client.post(reverse("catalog:setup"), {"username": "eve", "password1": "long-pass-1",
                                           "password2": "long-pass-1"})
    assert get_user_model().objects.count() == 1
    assert reverse("catalog:setup") not in client.get(reverse("login")).content.decode()


def test_the_home_page_points_an_empty_installation_at_the_set_up(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(root)
    assert reverse("catalog:org_start") in client.get(reverse("home")).content.decode()
    services.team_create(by=root, name="Payments", slug="payments")
    assert reverse("catalog:org_start") not in client.get(reverse("home")).content.decode()


def test_search_still_finds_a_retired_service_and_says_so(client, author, checkout, ops_lead):
    services.service_retire(service=checkout, by=ops_lead)
    client.force_login(author)
    page = client.get(reverse("search"), {"q": "checkout"}).content.decode()
    assert "Checkout API" in page and ">retired<" in page
