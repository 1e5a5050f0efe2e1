"""API tokens, self-service: reviewers and ops leads issue, list and revoke them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from opsreview.links import site_url
from opsreview.paging import page_of
from orr.forms import TokenForm
from orr.models import ApiToken
from orr.tokens import token_issue, token_revoke
from reviews.permissions import can_issue_tokens, can_manage_token, is_ops_lead

NEW_SECRET = "new_api_token_secret"


@never_cache
def token_list(request):
    if not can_issue_tokens(request.user):
        raise PermissionDenied("Reviewers and ops leads issue API tokens.")
    tokens = ApiToken.objects.select_related("created_by").prefetch_related("teams")
    if not is_ops_lead(request.user):
        tokens = tokens.filter(created_by=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = token_issue(by=request.user, name=form.cleaned_data["name"],
                                 expires_at=form.expires_at(), scopes=form.cleaned_data["scopes"],
                                 teams=list(form.cleaned_data["teams"]))
        # Shown once, on the next page only: the session forgets it as soon as it is read.
        request.session[NEW_SECRET] = {"id": token.pk, "raw": raw}
        return redirect("tokens:list")
    new = request.session.pop(NEW_SECRET, None)
    return render(request, "orr/tokens.html", {
        "form": form, "page": page_of(request, tokens), "new": new,
        "all_leads": is_ops_lead(request.user), "site_url": site_url(request),
    })


@require_POST
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if not can_manage_token(request.user, token):
        raise Http404("No such token.")
    token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” is revoked; it stops working now.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("tokens:list")
