"""The address the app is served on, for links in e-mails and API answers.

SITE_URL wins when it is set (production sets it; `make run` passes its HOST and PORT). Without
it, a link made while answering a request uses the address that request came in on, so an app
started on another port never sends people to the default one. Work done outside any request
(a Celery worker, a command) falls back to the default address.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
_request_base: ContextVar[str | None] = ContextVar("request_base", default=None)


def site_url(request=None) -> str:
    """The base of absolute links, without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return _request_base.get() or DEFAULT_SITE_URL


class RequestBaseMiddleware:
    """Remembers, for the length of a request, the address it came in on (see site_url)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        token = _request_base.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)
