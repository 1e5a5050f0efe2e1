"""Request-level security: who the client really is behind a proxy, and private caching.

Behind a reverse proxy every request comes from the proxy's address. The proxy says who the
client is (X-Forwarded-For) and whether it spoke HTTPS (X-Forwarded-Proto); anyone can send
those headers, so they are believed only from an address listed in TRUSTED_PROXIES and
removed from every other request. From a trusted proxy, REMOTE_ADDR becomes the client's
address: the login lock-out, the logs and anything else that reads it see the real client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as DjangoLoginRequiredMiddleware,
)
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.csrf import csrf_failure as django_csrf_failure

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def forwarded_client(remote_addr: str, forwarded_for: str) -> str:
    """The first address, from the right, that is not one of our proxies."""
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote_addr  # a garbled chain: fall back to the proxy itself
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote_addr


class TrustedProxyMiddleware:
    """First in the chain: believe forwarding headers only from TRUSTED_PROXIES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "")
        if settings.TRUSTED_PROXIES and is_trusted_proxy(remote):
            meta["opsreview.proxy_addr"] = remote
            meta["REMOTE_ADDR"] = forwarded_client(remote, meta.get("HTTP_X_FORWARDED_FOR", ""))
        else:
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address for the login lock-out (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR", "")


class PrivateCacheMiddleware:
    """A page shown to a signed-in person is never kept by a shared cache on the way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)  # replaces a "public", keeps the rest
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body above MAX_REQUEST_BYTES by its Content-Length, before anything
    reads it (the CSRF check would otherwise receive a 200 MB upload in full to find its
    token). The reverse proxy should refuse such bodies even earlier (deploy/Caddyfile)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request, length, settings.MAX_REQUEST_BYTES)
        if wants_json(request) and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # An autosave carries text, never a file: Django would refuse it with an HTML 400.
            return JsonResponse({"error": "too_large", "message": too_long_message()}, status=413)
        return self.get_response(request)


def too_long_message() -> str:
    from opsreview.rendering import MAX_MARKDOWN_CHARS

    return (f"Too long to save: an answer holds at most {MAX_MARKDOWN_CHARS:,} characters. "
            f"Shorten it (or link to a longer document); your text is kept here.")


def too_large(request, length: int, limit: int):
    message = (f"The request is {length / 1048576:.1f} MB; the limit is "
               f"{settings.UPLOAD_MAX_BYTES / 1048576:.0f} MB per file.")
    if wants_json(request):
        return JsonResponse({"error": "too_large", "message": message}, status=413)
    html = render_to_string("413.html", {"message": message,
                                         "back": request.headers.get("Referer", "")})
    response = HttpResponse(html, status=413)
    response["Connection"] = "close"  # the unread body must not be taken as the next request
    return response


# --- JSON endpoints answer JSON, whatever goes wrong --------------------------------------------
# The autosave (static/js/answers.js) asks with "Accept: application/json". A redirect to the
# login page or Django's HTML error pages would read to it as "offline", and it would retry for
# ever without telling anyone why.


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's, except that a JSON request from a signed-out browser gets a 401 to act on."""

    def handle_no_permission(self, request, view_func):
        if wants_json(request):
            return JsonResponse({
                "error": "signed_out",
                "message": "You are signed out. Sign in again in a new tab; your text is kept "
                           "here and saved once you are back.",
                "login_url": resolve_url(settings.LOGIN_URL),
            }, status=401)
        return super().handle_no_permission(request, view_func)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON for JSON requests, Django's page for the others."""
    if wants_json(request):
        return JsonResponse({
            "error": "csrf",
            "message": "Your sign-in changed (signed out, or signed in again elsewhere). Sign in "
                       "again in a new tab; your text is kept here and saved once you are back.",
            "login_url": resolve_url(settings.LOGIN_URL),
        }, status=403)
    return django_csrf_failure(request, reason=reason)
