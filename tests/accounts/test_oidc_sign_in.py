"""Sign-in through the real loopback provider, driven with Django's test client.

The browser journey is in tests/e2e/test_sign_in.py; here the provider's login form is filled
by a plain HTTP session, so each refusal can be checked at the callback.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from accounts.models import Identity
from catalog.models import Membership
from tests.conftest import join, make_team

APP = "http://testserver"


@pytest.fixture
def idp(oidc_settings, oidc_provider):
    oidc_provider.register_client(APP)
    return oidc_provider


def start(client) -> str:
    """Our sign-in redirect: the provider's authorize URL with state and nonce."""
    response = client.get("/accounts/oidc/authenticate/")
    assert response.status_code == 302
    return response["Location"]


def provider_answer(authorize_url: str, username: str, password: str = "idp-pass-123") -> dict:
    """Log in at the provider as a browser would; returns the query it sends back to us."""
    web = requests.Session()
    login_page = web.get(authorize_url, timeout=10)  # -> the provider's login form
    assert "/login/" in login_page.url
    response = web.post(
        login_page.url,
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": web.cookies["provider_csrftoken"],
              "next": parse_qs(urlsplit(login_page.url).query)["next"][0]},
        headers={"Referer": login_page.url}, allow_redirects=False, timeout=10,
    )
    while response.status_code == 302 and not response.headers["Location"].startswith(APP):
        response = web.get(
            requests.compat.urljoin(response.url, response.headers["Location"]),
            allow_redirects=False, timeout=10,
        )
    location = response.headers["Location"]
    assert location.startswith(f"{APP}/accounts/oidc/callback/"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in(client, username: str):
    return client.get("/accounts/oidc/callback/", provider_answer(start(client), username))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_first_sign_in_creates_the_person_with_mapped_roles(client, idp):
    payments = make_team("Payments", slug="payments")
    sub = idp.person("dana", groups=["opsreview-payments-reviewer", "opsreview-leads", "staff"],
                     email="dana@example.com", first_name="Dana", last_name="Scully")

    response = sign_in(client, "dana")

    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username="dana")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.email, user.get_full_name()) == ("dana@example.com", "Dana Scully")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).team == payments
    assert Membership.objects.get(user=user).role == "reviewer"
    assert user.groups.filter(name="Ops leads").exists()
    assert Identity.objects.get(user=user).subject == sub


@pytest.mark.django_db
def test_roles_are_resynced_at_every_sign_in_leaving_hand_made_ones(client, idp):
    make_team(slug="payments")
    platform = make_team(slug="platform")
    by_hand = make_team(slug="by-hand")
    idp.person("eve", groups=["opsreview-payments-reviewer", "opsreview-platform-member",
                              "opsreview-leads"])
    sign_in(client, "eve")
    user = get_user_model().objects.get(username="eve")
    join(user, by_hand)  # granted in OpsReview, not by the provider
    client.logout()

    idp.person("eve", groups=["opsreview-payments-member"])
    sign_in(client, "eve")

    roles = dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))
    assert roles == {"payments": "member", "by-hand": "member"}
    assert not user.groups.filter(name="Ops leads").exists()
    assert platform.pk not in Identity.objects.get(user=user).managed_team_ids


@pytest.mark.django_db
def test_a_wrong_state_is_refused(client, idp, caplog):
    idp.person("frank", groups=[])
    answer = provider_answer(start(client), "frank")

    response = client.get("/accounts/oidc/callback/", {**answer, "state": "not-ours"})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert any("could not be trusted" in m for m in messages_of(response))
    assert "state not found" in caplog.text
    assert not get_user_model().objects.filter(username="frank").exists()


@pytest.mark.django_db
def test_a_state_is_used_once(client, idp):
    idp.person("gina", groups=[])
    answer = provider_answer(start(client), "gina")
    client.get("/accounts/oidc/callback/", answer)
    client.logout()

    replay = client.get("/accounts/oidc/callback/", answer)

    assert replay["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_id_token_for_another_sign_in_nonce_is_refused(client, idp, caplog):
    idp.person("hal", groups=[])
    answer = provider_answer(start(client), "hal")
    session = client.session
    session["oidc_states"][answer["state"]]["nonce"] = "a-nonce-we-never-sent"
    session.save()

    response = client.get("/accounts/oidc/callback/", answer)

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "nonce does not match" in caplog.text
    assert not get_user_model().objects.filter(username="hal").exists()


@pytest.mark.django_db
def test_tokens_from_another_issuer_than_the_configured_one_are_refused(
    client, idp, settings, caplog
):
    # Endpoints set by hand (no discovery), pointing at a provider that is not the issuer.
    endpoints = idp.issuer
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{endpoints}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{endpoints}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{endpoints}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{endpoints}/.well-known/jwks.json"
    idp.person("ivan", groups=[])

    response = sign_in(client, "ivan")

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "Invalid issuer" in caplog.text
    assert not get_user_model().objects.filter(username="ivan").exists()


@pytest.mark.django_db
def test_a_local_superuser_is_never_taken_over_by_a_provider_account(client, idp):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    idp.person("root", groups=["opsreview-leads"])

    response = sign_in(client, "root")

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert any("already belongs to another account" in m for m in messages_of(response))



@pytest.mark.django_db
def test_sign_in_returns_to_the_page_asked_for(client, idp):
    idp.person("jo", groups=[])
    authorize = client.get("/accounts/oidc/authenticate/?next=/actions/")["Location"]

    response = client.get("/accounts/oidc/callback/", provider_answer(authorize, "jo"))

    assert response["Location"] == "/actions/"


@pytest.mark.django_db
def test_a_person_deactivated_here_cannot_sign_in_through_the_provider(client, idp):
    idp.person("kim", groups=[])
    sign_in(client, "kim")
    client.logout()
    get_user_model().objects.filter(username="kim").update(is_active=False)

    response = sign_in(client, "kim")

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_local_account_of_the_same_username_is_linked_at_first_sign_in(client, idp, author):
    idp.person("author", groups=[])

    sign_in(client, "author")

    assert client.session["_auth_user_id"] == str(author.pk)
    assert Identity.objects.get(user=author).issuer == idp.issuer
