from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

# Backoff between attempts: 30 s, 1 min, 2 min … capped at 6 h, each with jitter; eight retries
# span about a day, after which the delivery is marked failed (and can be redelivered by hand).
MAX_RETRIES = 8
# Without a broker (the embedded default runs tasks in the request) there is nobody to wait for
# a retry: a few attempts in place, then the delivery is failed and can be redelivered by hand.
EAGER_ATTEMPTS = 3


def backoff(retries: int) -> int:
    first = getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 30)
    base = min(first * 2**retries, 6 * 3600)
    return base // 2 + random.randint(0, base // 2)


@shared_task(bind=True, max_retries=MAX_RETRIES, time_limit=60, soft_time_limit=50,
             acks_late=True)
def send_delivery_task(self, delivery_id: int) -> bool:
    from integrations.models import Delivery
    from integrations.webhooks import delivery_attempt, delivery_give_up

    delivery = (Delivery.objects.select_related("subscription__team", "subscription__created_by")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.status == Delivery.Status.DELIVERED:
        # At least once, not more than needed: a duplicate message finds it delivered.
        return True
    if delivery.subscription.paused_at is not None:
        return False
    if delivery_attempt(delivery):
        return True
    if self.request.is_eager:
        for _ in range(EAGER_ATTEMPTS - 1):
            if delivery_attempt(delivery):
                return True
        delivery_give_up(delivery)
        return False
    if self.request.retries >= MAX_RETRIES:
        delivery_give_up(delivery)
        return False
    raise self.retry(countdown=backoff(self.request.retries))



@shared_task(time_limit=120)
def sweep_deliveries_task() -> int:
    from integrations.webhooks import deliveries_sweep

    return len(deliveries_sweep())
