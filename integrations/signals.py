"""What the outbound webhooks tell the apps above them, as Django signals.

The outbound side sits below `reviews` (whose services emit events into it) and so below
`notifications`: it never imports `notifications`, and the pause notice reaches the
subscription's creator through this signal, which `notifications` subscribes to when it is ready.
"""

from __future__ import annotations

from django.dispatch import Signal

# A failing subscription was paused (sent once, by the worker whose conditional update paused it,
# inside that transaction). Sent with sender=Subscription and subscription=, days= (how long its
# deliveries had failed: WEBHOOK_PAUSE_AFTER_DAYS).
webhook_paused = Signal()
