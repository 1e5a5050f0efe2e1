import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from catalog.models import Membership

pytestmark = pytest.mark.django_db
User = get_user_model()


def invite(client, email="new.person@example.com", **extra):
    data = {"email": email, "name": "New Person", "team": "", "role": "member", **extra}
    return client.post("/accounts/invite/", data)


def link_in_last_mail() -> str:
    return re.search(r"http\S+/accounts/welcome/\S+/", mail.outbox[-1].body)[0]


def path_of(link: str) -> str:
    return urlsplit(link).path


def accept(client, link, username="newperson", password="a-long-passphrase"):
    return client.post(path_of(link), {
        "username": username, "password1": password, "password2": password,
    })


@pytest.fixture
def lead_client(ops_lead):
    """The ops lead's browser, apart from the invitee's (the client fixture)."""
    lead = Client()
    lead.force_login(ops_lead)
    return lead


def test_an_ops_lead_invites_someone_to_a_team(lead_client, payments):
    response = invite(lead_client, team=payments.pk, role="reviewer")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.team, invitation.role) == (
        "new.person@example.com", payments, "reviewer")
    assert mail.outbox[-1].to == ["new.person@example.com"]
    assert "/accounts/welcome/" in mail.outbox[-1].body


def test_the_invitee_sets_a_password_joins_the_team_and_is_signed_in(lead_client, payments, client):
    invite(lead_client, team=payments.pk, role="reviewer")
    lead_client.logout()

    response = accept(client, link_in_last_mail())

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="newperson")
    assert user.check_password("a-long-passphrase")
    assert (user.email, user.get_full_name()) == ("new.person@example.com", "New Person")
    assert Membership.objects.get(user=user).role == "reviewer"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Invitation.objects.get().accepted_at is not None


def test_a_link_works_once(lead_client, client):
    invite(lead_client)
    link = link_in_last_mail()
    accept(client, link)
    client.logout()

    again = accept(client, link, username="someone-else", password="another-passphrase")

    assert again.status_code == 404
    assert not User.objects.filter(username="someone-else").exists()


def test_a_link_expires(lead_client, client, settings):
    settings.INVITATION_EXPIRY_DAYS = 7
    invite(lead_client)
    link = link_in_last_mail()

    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.get(path_of(link))
        posted = accept(client, link)

    assert response.status_code == 404 and posted.status_code == 404
    assert b"not valid" in response.content
    assert not User.objects.filter(username="newperson").exists()


def test_a_link_still_works_just_before_it_expires(lead_client, client):
    invite(lead_client)

    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        response = accept(client, link_in_last_mail())

    assert response.status_code == 302


def test_a_wrong_token_finds_nothing(lead_client, client):
    invite(lead_client)

    response = client.get("/accounts/welcome/not-a-real-token/")

    assert response.status_code == 404


def test_resend_voids_the_old_link(lead_client, client):
    invite(lead_client)
    old = link_in_last_mail()
    invitation = Invitation.objects.get()

    lead_client.post(f"/accounts/invite/{invitation.pk}/resend")

    new = link_in_last_mail()
    assert new != old
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200


def test_a_cancelled_invitation_cannot_be_accepted(lead_client, client):
    invite(lead_client)
    lead_client.post(f"/accounts/invite/{Invitation.objects.get().pk}/cancel")

    assert accept(client, link_in_last_mail()).status_code == 404
    assert lead_client.get("/accounts/invite/").context["pending"] == []


def test_a_bad_password_keeps_the_link_usable_and_says_why(lead_client, client):
    invite(lead_client)
    link = link_in_last_mail()

    response = client.post(path_of(link), {
        "username": "newperson", "password1": "short", "password2": "short",
    })

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert response.context["form"]["username"].value() == "newperson"
    assert accept(client, link).status_code == 302


def test_a_taken_username_is_refused_on_the_page(lead_client, client, author):
    invite(lead_client)

    response = accept(client, link_in_last_mail(), username="author")

    assert response.status_code == 200
    assert "taken" in response.content.decode()


def test_someone_with_an_account_is_not_invited(lead_client, author):
    author.email = "author@example.com"
    author.save()

    response = invite(lead_client, email="Author@Example.com", name="Author")

    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert response.context["form"]["name"].value() == "Author"
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_for_the_same_address_is_refused(lead_client):
    invite(lead_client)

    response = invite(lead_client)

    assert "pending invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_invitation_activates_a_deactivated_account(
    lead_client, client, django_user_model, payments
):
    old = django_user_model.objects.create_user(
        "returning", email="new.person@example.com", password="old", is_active=False)
    invite(lead_client, team=payments.pk)
    page = client.get(path_of(link_in_last_mail())).content.decode()
    assert "Your account returning is back" in page and 'name="username"' not in page

    accept(client, link_in_last_mail(), username="")

    old.refresh_from_db()
    assert old.is_active and old.check_password("a-long-passphrase")
    assert Membership.objects.filter(user=old, team=payments).exists()


def test_a_person_imported_from_the_catalog_is_invited_to_claim_their_account(
    lead_client, client, django_user_model, payments, platform
):
    alice = django_user_model.objects.create_user(
        "alice", email="alice@acme.example", first_name="Alice", last_name="Moreau")
    Membership.objects.create(user=alice, team=platform, role="member")
    assert not alice.has_usable_password()  # as the catalog import makes people

    response = invite(lead_client, email="Alice@acme.example", name="Alice Moreau",
                      team=payments.pk)
    assert response.status_code == 302
    page = client.get(path_of(link_in_last_mail())).content.decode()
    assert "Your account alice is ready" in page and 'name="username"' not in page
    accept(client, link_in_last_mail(), username="")

    alice.refresh_from_db()
    assert alice.check_password("a-long-passphrase")
    assert alice.get_full_name() == "Alice Moreau"
    assert set(Membership.objects.filter(user=alice).values_list("team__slug", flat=True)) == {
        "payments", "platform"}
    assert django_user_model.objects.filter(email__iexact="alice@acme.example").count() == 1
    # Once claimed (signed in), the address has an account like any other.
    response = invite(lead_client, email="alice@acme.example")
    assert "already has an account" in response.content.decode()


def test_people_who_are_not_ops_leads_cannot_invite(client, author):
    client.force_login(author)

    assert client.get("/accounts/invite/").status_code == 403
    assert invite(client).status_code == 403
    assert not Invitation.objects.exists()


def test_a_superuser_can_invite(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))

    assert invite(client).status_code == 302


def test_resend_and_cancel_need_post(lead_client):
    invite(lead_client)
    pk = Invitation.objects.get().pk

    assert lead_client.get(f"/accounts/invite/{pk}/resend").status_code == 405
    assert lead_client.get(f"/accounts/invite/{pk}/cancel").status_code == 405


def test_resend_of_an_accepted_invitation_is_404(lead_client, client):
    invite(lead_client)
    accept(client, link_in_last_mail())

    response = lead_client.post(f"/accounts/invite/{Invitation.objects.get().pk}/resend")

    assert response.status_code == 404


def test_no_invitations_while_local_sign_in_is_off(client, ops_lead, settings):
    settings.LOCAL_LOGIN = False
    client.force_login(ops_lead, backend="accounts.backends.OIDCBackend")

    response = invite(client)

    assert "Local sign-in is off" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("rows", [10, 200])
def test_the_pending_list_reads_a_fixed_number_of_queries(
    lead_client, ops_lead, payments, rows, django_assert_max_num_queries
):
    Invitation.objects.bulk_create(
        Invitation(email=f"p{i}@example.com", name=f"P {i}", team=payments, invited_by=ops_lead,
                   token_hash=f"{i:064d}", expires_at=timezone.now() + dt.timedelta(days=7))
        for i in range(rows)
    )

    with django_assert_max_num_queries(9):
        response = lead_client.get("/accounts/invite/")

    assert len(response.context["pending"]) == rows


def test_a_mail_server_refusal_saves_nothing_and_says_so(lead_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there

    response = invite(lead_client)

    assert "could not be sent" in response.content.decode()
    assert response.context["form"]["email"].value() == "new.person@example.com"
    assert not Invitation.objects.exists()


def test_an_invitation_and_its_acceptance_are_in_the_audit_log(lead_client, ops_lead, payments,
                                                               client):
    from catalog.models import OrgEvent

    invite(lead_client, team=payments.pk, role="reviewer")
    accept(client, link_in_last_mail())

    events = list(OrgEvent.objects.order_by("pk").values_list("verb", "actor", "message"))
    assert events == [
        ("person_invited", ops_lead.pk, "new.person@example.com invited to Payments as reviewer"),
        ("member_added", ops_lead.pk, "newperson added to Payments as reviewer"),
    ]


def test_without_an_e_mail_server_the_inviter_is_told_where_the_link_went(lead_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = lead_client.get(invite(lead_client)["Location"]).content.decode()
    assert "Invitation sent to new.person@example.com" in page
    assert "written to the server&#x27;s output" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = lead_client.get(invite(lead_client, email="other@example.com")["Location"])
    assert "server&#x27;s output" not in page.content.decode()
