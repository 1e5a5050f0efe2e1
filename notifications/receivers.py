"""Whom the events of the apps below tell what: the review workflow (`reviews.signals`) and the
outbound webhooks (`integrations.signals`). Connected in `NotificationsConfig.ready`; each runs in
the sender's transaction, so the bell entry commits with the change and the e-mail waits for the
commit (`notify`)."""

from __future__ import annotations

from notifications.services import notify


def on_reviewer_assigned(sender, *, document, reviewer, by, **kwargs) -> None:
    notify(user=reviewer, verb="reviewer_assigned", actor=by, url=document.get_absolute_url(),
           message=f"{by.get_username()} asked you to review {document.code} {document.title}")


def on_document_decided(sender, *, document, decision, reviewer, **kwargs) -> None:
    notify(user=document.author, verb="decision", actor=reviewer, url=document.get_absolute_url(),
           message=f"{reviewer.get_username()}: {decision.get_verdict_display().lower()} on "
                   f"{document.code} — {decision.reason[:200]}")


def on_webhook_paused(sender, *, subscription, days, **kwargs) -> None:
    notify(user=subscription.created_by, verb="webhook_paused",
           url=f"/integrations/{subscription.team.slug}/",
           message=f"Webhook to {subscription.url[:200]} paused: its deliveries have "
                   f"failed for {days} days. Fix the receiver and resume it.")
