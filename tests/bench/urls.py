"""The app's URLs plus a bare view: the baseline every page is compared with.

The bare view runs in the same process, behind the same middleware, and returns a static body of
the size asked for, so "page vs bare" measures what the page's own work costs (queries,
templates), not the server, the network or the load generator.
"""

from functools import lru_cache

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from opsreview.urls import urlpatterns as app_urlpatterns


@lru_cache(maxsize=64)
def _body(size: int) -> bytes:
    line = b"<p>" + b"x" * 72 + b"</p>\n"
    return (line * (size // len(line) + 1))[:size]


@login_not_required
def bare(request, size: int):
    return HttpResponse(_body(min(size, 10_000_000)), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("__bench__/bare/<int:size>/", bare, name="bench_bare"),
    *app_urlpatterns,
]
