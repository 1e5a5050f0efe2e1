"""Login lock-outs: who is locked out now, and unlocking them from the app.

django-axes locks a username+address pair out after AXES_FAILURE_LIMIT failures for
AXES_COOLOFF_TIME hours. Ops leads and admins see the current lock-outs and lift one.
"""

from __future__ import annotations

import datetime as dt
import logging

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reviews.roles import is_ops_lead

log = logging.getLogger(__name__)


def active_lockouts():
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since,
    ).order_by("-attempt_time").only("username", "ip_address", "attempt_time",
                                     "failures_since_start")


def unlock(attempt: AccessAttempt, by) -> int:
    removed = reset(ip=attempt.ip_address, username=attempt.username)
    log.info("login lock-out of %r from %s lifted by %s", attempt.username, attempt.ip_address,
             by.get_username())
    return removed


def _require_ops_lead(user) -> None:
    if not is_ops_lead(user):
        raise PermissionDenied("Only ops leads and admins unlock logins.")


def lockout_list(request):
    _require_ops_lead(request.user)
    return render(request, "registration/lockouts.html", {
        "lockouts": active_lockouts()[:200], "cooloff_hours": settings.AXES_COOLOFF_TIME,
    })


@require_POST
def lockout_unlock(request, pk):
    _require_ops_lead(request.user)
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    unlock(attempt, request.user)
    messages.success(request, f"{attempt.username} can sign in again from {attempt.ip_address}.")
    return redirect("lockouts")
