"""The provider's claims and a small control API the tests use to set up people and the client.

The control API answers only requests carrying the secret the fixture generated.
"""

import hmac
import json
import os

from django.contrib.auth.models import Group, User
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "email_verified": True,
            "name": user.get_full_name(),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }


def _allowed(request) -> bool:
    given = request.headers.get("X-Control-Secret", "")
    return hmac.compare_digest(given, os.environ["PROVIDER_CONTROL_SECRET"])


@csrf_exempt
@require_POST
def control_user(request):
    """Create or update a person: username, password, email, first/last name, groups."""
    if not _allowed(request):
        return HttpResponseForbidden()
    data = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=data["username"])
    user.email = data.get("email", "")
    user.first_name = data.get("first_name", "")
    user.last_name = data.get("last_name", "")
    if "password" in data:
        user.set_password(data["password"])
    user.save()
    user.groups.set([Group.objects.get_or_create(name=n)[0] for n in data.get("groups", [])])
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
@require_POST
def control_client(request):
    """Register (or re-register) the confidential client with its redirect URIs."""
    if not _allowed(request):
        return HttpResponseForbidden()
    data = json.loads(request.body)
    Application = get_application_model()
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        name="OpsReview",
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        hash_client_secret=True,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        post_logout_redirect_uris=" ".join(data.get("post_logout_redirect_uris", [])),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return JsonResponse({"client_id": data["client_id"]})
