from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import View
from mozilla_django_oidc import views as oidc_views

from accounts import oidc
from accounts.forms import AcceptInvitationForm, InvitationForm
from accounts.models import Invitation
from accounts.services import (
    InvitationError,
    SignInRefused,
    invitation_accept,
    invitation_cancel,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_returning_user,
    mail_leaves_the_server,
)
from reviews.roles import is_ops_lead

log = logging.getLogger(__name__)

# --- sign-in and sign-out -----------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The password form (when local sign-in is on, or ?local=1) and the provider's button."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        local_asked = self.request.GET.get("local") == "1" or self.request.method == "POST"
        context.update(
            oidc_enabled=oidc.enabled(),
            provider_name=settings.OIDC_PROVIDER_NAME,
            show_password_form=settings.LOCAL_LOGIN or local_asked or not oidc.enabled(),
            oidc_url=reverse("accounts:oidc_authenticate")
            + ("?" + urlencode({"next": context["next"]}) if context.get("next") else ""),
        )
        return context


login = login_not_required(LoginView.as_view())


class OIDCAuthenticateView(oidc_views.OIDCAuthenticationRequestView):
    """Off to the provider; its endpoints are looked up here, not when the view is built."""

    get_settings = staticmethod(oidc.setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Sign-in through an identity provider is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ImproperlyConfigured) as exc:
            log.warning("OIDC sign-in cannot start: %s", exc)
            messages.error(request, f"{settings.OIDC_PROVIDER_NAME} cannot be reached; try later.")
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer; any refusal is a message on the login page, never a 500."""

    get_settings = staticmethod(oidc.setting)

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Sign-in through an identity provider is not configured.")
        try:
            return super().get(request)
        except SignInRefused as exc:
            return self._refused(str(exc))
        except (SuspiciousOperation, requests.RequestException, ImproperlyConfigured) as exc:
            log.warning("OIDC sign-in refused: %s", exc)
            return self._refused("the answer from the identity provider could not be trusted.")

    @property
    def failure_url(self):
        return reverse("login")

    def login_failure(self):
        if not self.request.user.is_authenticated:
            messages.error(self.request, f"Sign-in with {settings.OIDC_PROVIDER_NAME} failed.")
        return super().login_failure()

    def _refused(self, reason: str):
        messages.error(self.request, f"Sign-in with {settings.OIDC_PROVIDER_NAME} failed: {reason}")
        return HttpResponseRedirect(reverse("login"))


oidc_authenticate = login_not_required(OIDCAuthenticateView.as_view())
oidc_callback = login_not_required(OIDCCallbackView.as_view())


@login_not_required
@require_POST
def logout(request):
    """End our session and, when the provider offers it, the provider's session too."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    end_session = ""
    if id_token and oidc.enabled():
        try:
            end_session = oidc.setting("OIDC_OP_END_SESSION_ENDPOINT", "")
        except (requests.RequestException, ImproperlyConfigured):
            log.warning("OIDC logout: the provider's end_session_endpoint is unknown")
    if not end_session:
        return redirect("login")
    query = urlencode({
        "id_token_hint": id_token,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        "client_id": settings.OIDC_RP_CLIENT_ID,
    })
    # The content security policy lets forms post only to us, and browsers apply that to the
    # redirect after the post too: a page of ours sends the browser on to the provider.
    request.session["oidc_logout_url"] = f"{end_session}?{query}"
    return redirect("accounts:signed_out")


@login_not_required
def signed_out(request):
    url = request.session.pop("oidc_logout_url", "")
    if not url:
        return redirect("login")
    return render(request, "accounts/signed_out.html", {
        "url": url, "provider_name": settings.OIDC_PROVIDER_NAME,
    })


# --- invitations --------------------------------------------------------------------------


def _require_inviter(request) -> None:
    if not is_ops_lead(request.user):
        raise PermissionDenied("Only ops leads invite people.")


def _pending_invitation(request, pk: int) -> Invitation:
    _require_inviter(request)
    invitation = Invitation.objects.pending().filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such pending invitation.")
    return invitation


def invite(request):
    _require_inviter(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(by=request.user, **form.cleaned_data)
        except InvitationError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if not mail_leaves_the_server():
                messages.warning(request, (
                    "E-mail is not set up on this server (EMAIL_URL), so the invitation was "
                    "written to the server's output: copy the link from there and pass it on."))
            return redirect("accounts:invite")
    pending = list(
        Invitation.objects.pending().select_related("team", "invited_by").order_by("-sent_at")
    )
    return render(request, "accounts/invite.html", {
        "form": form, "pending": pending, "local_login": settings.LOCAL_LOGIN,
        "expiry_days": settings.INVITATION_EXPIRY_DAYS,
    })


@require_POST
def invite_resend(request, pk: int):
    invitation = _pending_invitation(request, pk)
    try:
        invitation_resend(invitation=invitation)
    except InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"A new link went to {invitation.email}; the old one is void.")
    return redirect("accounts:invite")


@require_POST
def invite_cancel(request, pk: int):
    invitation = _pending_invitation(request, pk)
    invitation_cancel(invitation=invitation)
    messages.success(request, f"The invitation for {invitation.email} is cancelled.")
    return redirect("accounts:invite")


@login_not_required
def accept(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    returning = invitation_returning_user(invitation)
    form = AcceptInvitationForm(
        request.POST or None, initial={"username": invitation.email.split("@")[0]}
    )
    if returning:
        del form.fields["username"]
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                username=form.cleaned_data.get("username", ""),
                password=form.cleaned_data["password1"],
            )
        except InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            auth.login(request, user, backend="accounts.backends.LocalPasswordBackend")
            messages.success(request, f"Welcome to OpsReview, {user.get_full_name()}.")
            return redirect("home")
    return render(request, "accounts/accept.html", {
        "form": form, "invitation": invitation, "returning": returning,
    })
