"""The login page and the LOCAL_LOGIN switch (with the superusers' break-glass way)."""

import pytest

pytestmark = pytest.mark.django_db


def post_login(client, username, password="pw", query=""):
    return client.post(f"/accounts/login/{query}", {"username": username, "password": password})


def test_without_oidc_the_page_is_the_password_form_only(client, settings):
    settings.OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""

    page = client.get("/accounts/login/").content.decode()

    assert 'name="password"' in page
    assert "Sign in with" not in page
    assert client.get("/accounts/oidc/authenticate/").status_code == 404


def test_with_oidc_the_page_offers_the_provider(client, settings):
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_RP_CLIENT_ID = "opsreview"
    settings.OIDC_PROVIDER_NAME = "Example SSO"

    page = client.get("/accounts/login/?next=/actions/").content.decode()

    assert "Sign in with Example SSO" in page
    assert "/accounts/oidc/authenticate/?next=%2Factions%2F" in page
    assert 'name="password"' in page  # LOCAL_LOGIN is on by default


@pytest.fixture
def local_off(settings):
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_RP_CLIENT_ID = "opsreview"
    settings.LOCAL_LOGIN = False


def test_local_login_off_hides_the_form_and_refuses_passwords(client, local_off, author):
    page = client.get("/accounts/login/").content.decode()

    assert 'name="password"' not in page
    response = post_login(client, "author")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_local_login_off_still_lets_a_superuser_in_by_password(
    client, local_off, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")

    assert 'name="password"' in client.get("/accounts/login/?local=1").content.decode()
    response = post_login(client, "root", query="?local=1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_local_login_off_ends_existing_password_sessions(client, local_off, author):
    client.force_login(author, backend="accounts.backends.LocalPasswordBackend")

    assert client.get("/").status_code == 302  # back to the login page


def test_logout_without_a_provider_session_goes_to_the_login_page(client, author):
    client.force_login(author)

    response = client.post("/accounts/logout/")

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/logout/").status_code == 405


def test_a_provider_that_cannot_be_reached_is_a_message_not_an_error(client, settings):
    from accounts import oidc

    oidc.forget_discovery()
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"  # the discard port: nothing answers
    settings.OIDC_RP_CLIENT_ID = "opsreview"
    settings.OIDC_PROVIDER_NAME = "Example SSO"

    response = client.get("/accounts/oidc/authenticate/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Example SSO cannot be reached" in response.content.decode()


def test_a_signed_in_person_is_read_on_each_request_and_signed_out_when_deactivated(
        client, author, settings):
    settings.LOCAL_LOGIN = True
    assert post_login(client, "author").status_code == 302
    assert client.get("/").wsgi_request.user == author
    type(author).objects.filter(pk=author.pk).update(is_active=False)
    assert not client.get("/actions/").wsgi_request.user.is_authenticated
    type(author).objects.filter(pk=author.pk).update(is_active=True)
    assert client.get("/actions/").wsgi_request.user == author
    type(author).objects.filter(pk=author.pk).delete()
    assert not client.get("/actions/").wsgi_request.user.is_authenticated
