from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from notifications.models import EmailOptOut, Notification
from notifications.services import KINDS, redact_unseen


def notification_list(request):
    notifications = redact_unseen(list(Notification.objects.filter(user=request.user)[:100]),
                                  request.user)
    opted_out = set(EmailOptOut.objects.filter(user=request.user).values_list("verb", flat=True))
    return render(request, "notifications/list.html", {
        "notifications": notifications,
        "kinds": [(verb, label, verb not in opted_out) for verb, label in KINDS.items()],
    })


@require_POST
def notifications_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now())
    return redirect("notifications:list")


@require_POST
def notification_settings(request):
    wanted = set(request.POST.getlist("email"))
    EmailOptOut.objects.filter(user=request.user).delete()
    EmailOptOut.objects.bulk_create(
        EmailOptOut(user=request.user, verb=verb) for verb in KINDS if verb not in wanted
    )
    messages.success(request, "E-mail settings saved.")
    return redirect("notifications:list")
