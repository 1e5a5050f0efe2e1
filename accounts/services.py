"""Sign-in workflows: people from the identity provider, their synced roles, invitations."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Identity, Invitation, hash_token
from accounts.rules import parse_rules
from catalog.models import OrgEvent, Team
from catalog.services import (
    membership_remove,
    membership_set,
    ops_lead_set,
    org_log,
    person_reactivate,
)
from opsreview.links import site_url

log = logging.getLogger(__name__)
User = get_user_model()


class SignInRefused(Exception):
    """The provider vouched for someone we must not sign in; the message is for the page."""


# --- identity provider --------------------------------------------------------------------


@transaction.atomic
def identity_sync_roles(*, identity: Identity, groups: list[str]) -> None:
    """Make the person's team roles and ops lead flag what the group rules say.

    Only what the rules gave earlier is taken away: a membership granted by hand (not in
    identity.managed_team_ids) is never removed; when a rule now covers it, it becomes managed.
    Groups naming a team that does not exist are ignored (teams are made in OpsReview).
    """
    grants = parse_rules(settings.OIDC_GROUP_RULES).grants(groups)
    user = identity.user
    teams = {t.slug: t for t in Team.objects.filter(slug__in=grants.teams)}
    wanted = {teams[slug].pk: (teams[slug], role) for slug, role in grants.teams.items()
              if slug in teams}
    # Each change goes through the catalog's own functions, so it is in the organisation's
    # audit log like a change made by hand; the actor is empty: the identity provider made it.
    for team, role in wanted.values():
        membership_set(team=team, person=user, role=role, by=None)
    dropped = set(identity.managed_team_ids) - set(wanted)
    for team in Team.objects.filter(pk__in=dropped):
        membership_remove(team=team, person=user, by=None)
    if grants.ops_lead:
        ops_lead_set(person=user, ops_lead=True, by=None)
    elif identity.managed_ops_lead:
        ops_lead_set(person=user, ops_lead=False, by=None)
    identity.managed_team_ids = sorted(wanted)
    identity.managed_ops_lead = grants.ops_lead
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["managed_team_ids", "managed_ops_lead", "last_login_at"])
    if hasattr(user, "_opsreview_roles"):
        del user._opsreview_roles


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name) or ""
    return value.strip() if isinstance(value, str) else ""


def _groups(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_CLAIM_GROUPS) or []
    if isinstance(value, str):  # some providers send one group as a plain string
        value = [value]
    return [str(g) for g in value if isinstance(g, str | int)]


@transaction.atomic
def identity_sign_in(*, issuer: str, claims: dict) -> AbstractBaseUser:
    """The user for verified claims: found by (issuer, subject), else linked or created.

    A first sign-in links to an existing local account of the same username when that account
    is not a superuser and not linked to another identity; otherwise a new user is made.
    """
    subject = _claim(claims, "sub")
    username = _claim(claims, settings.OIDC_CLAIM_USERNAME) or _claim(
        claims, settings.OIDC_CLAIM_EMAIL
    )
    if not subject or not username:
        raise SignInRefused("The identity provider sent no subject or username for you.")
    identity = (
        Identity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User(username=username[:150])
            user.set_unusable_password()
        elif user.is_superuser or Identity.objects.filter(user=user).exists():
            log.warning("OIDC sign-in refused: username %r is taken", username)
            raise SignInRefused(
                f"The username {username} already belongs to another account; ask an admin."
            )
    else:
        user = identity.user
    user.email = _claim(claims, settings.OIDC_CLAIM_EMAIL) or user.email
    full_name = _claim(claims, settings.OIDC_CLAIM_NAME)
    if full_name:
        user.first_name, _, user.last_name = full_name.partition(" ")
        user.first_name, user.last_name = user.first_name[:150], user.last_name[:150]
    linked = identity is None and user.pk is not None
    user.save()
    if identity is None:
        identity = Identity.objects.create(user=user, issuer=issuer, subject=subject)
        org_log(by=None, verb=OrgEvent.Verb.SIGN_IN_CHANGED, person=user, issuer=issuer,
                message=f"{user.get_username()} signs in through {settings.OIDC_PROVIDER_NAME}"
                + (" (their existing account)" if linked else " (account created)"))
    identity_sync_roles(identity=identity, groups=_groups(claims))
    return user


# --- invitations --------------------------------------------------------------------------


class InvitationError(Exception):
    """The invitation cannot be made or used; the message is for the page."""


def _send_invitation(invitation: Invitation, token: str) -> None:
    """Sent inside the transaction: when the mail server refuses, nothing is saved and the
    ops lead is told; a link mailed for a row that then fails to commit leads nowhere."""
    link = site_url() + Invitation.accept_path(token)
    inviter = invitation.invited_by
    who = (inviter.get_full_name() or inviter.username) if inviter else "An ops lead"
    team = f" to the {invitation.team} team" if invitation.team else ""
    body = (
        f"Hello {invitation.name},\n\n{who} invited you{team} in OpsReview.\n"
        f"Choose your password here (the link works once, until "
        f"{invitation.expires_at:%d %b %Y %H:%M} UTC):\n\n{link}\n"
    )
    try:
        send_mail("[OpsReview] You are invited", body, None, [invitation.email])
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Invitation e-mail to %s failed: %r", invitation.email, exc)
        raise InvitationError(
            f"The e-mail to {invitation.email} could not be sent ({exc}); try again later."
        ) from exc


def mail_leaves_the_server() -> bool:
    """False while e-mail is only written to the server's output (no EMAIL_URL set, as on a
    fresh `make run`): then the invitation link must be taken from there."""
    return settings.EMAIL_BACKEND not in (
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    )


def _unclaimed():
    """Accounts nobody has used yet: made by the catalog import (no password, never signed
    in). An invitation is how such a person gets a password; the account, its username and its
    memberships are kept."""
    return User.objects.filter(is_active=True, last_login__isnull=True,
                               password__startswith=UNUSABLE_PASSWORD_PREFIX)


def check_can_invite(email: str) -> None:
    if not settings.LOCAL_LOGIN:
        raise InvitationError(
            "Local sign-in is off (LOCAL_LOGIN=0): people sign in through the identity provider."
        )
    if User.objects.filter(email__iexact=email, is_active=True).exclude(
        pk__in=_unclaimed().values("pk")
    ).exists():
        raise InvitationError(f"{email} already has an account.")
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise InvitationError(f"{email} already has a pending invitation; resend it instead.")


@transaction.atomic
def invitation_create(
    *, email: str, name: str, team: Team | None, role: str, by: AbstractBaseUser
) -> Invitation:
    email = email.strip().lower()
    check_can_invite(email)
    invitation = Invitation(email=email, name=name.strip(), team=team, role=role, invited_by=by)
    token = invitation.new_token()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # the same address invited twice at the same moment
        raise InvitationError(f"{email} already has a pending invitation.") from exc
    _send_invitation(invitation, token)
    team = f" to {team.name} as {invitation.get_role_display().lower()}" if team else ""
    org_log(by=by, verb=OrgEvent.Verb.PERSON_INVITED, team=invitation.team,
            message=f"{email} invited{team}")
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> None:
    """A new link (the old one stops working) with a new expiry date, sent again."""
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send_invitation(invitation, token)


def invitation_cancel(*, invitation: Invitation) -> None:
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation a link points to, or None (unknown, used, cancelled, expired)."""
    return Invitation.objects.usable().select_related("team").filter(
        token_hash=hash_token(token)
    ).first()


def invitation_returning_user(invitation: Invitation) -> AbstractBaseUser | None:
    """The account an invitation brings back or lets its person claim, if the address has one:
    a deactivated one, or an unclaimed one (imported from the catalog, never signed in)."""
    inactive = User.objects.filter(is_active=False)
    return (inactive | _unclaimed()).filter(email__iexact=invitation.email).first()


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> AbstractBaseUser:
    """Claim the invitation (once), create or activate the user, add the team membership.

    A returning (deactivated) account keeps its username; username is used for new ones only.
    """
    invitation = invitation_for_token(token)
    now = timezone.now()
    claimed = invitation and Invitation.objects.usable().filter(pk=invitation.pk).update(
        accepted_at=now
    )
    if not claimed:
        raise InvitationError("This invitation link is not valid any more.")
    user = invitation_returning_user(invitation)
    if user is None:
        if User.objects.filter(username__iexact=username).exists():
            raise InvitationError(f"The username {username} is taken; choose another.")
        user = User(username=username, email=invitation.email)
    elif not user.is_active:
        person_reactivate(person=user, by=invitation.invited_by)
    if invitation.name or not user.get_full_name():
        user.first_name, _, user.last_name = invitation.name.partition(" ")
    user.set_password(password)
    user.save()
    if invitation.team_id:
        membership_set(team=invitation.team, person=user, role=invitation.role,
                       by=invitation.invited_by)
    Invitation.objects.filter(pk=invitation.pk).update(user=user)
    return user
