"""What the review workflow tells the apps above it, as Django signals sent by `reviews.services`.

`reviews` sits below `notifications` and never imports it: the services send these inside their
transaction, and `notifications` (among any others) subscribes when it is ready. A receiver runs
synchronously in the sender's transaction, so what it writes commits or rolls back with the
change itself; a receiver that fails makes the service fail, as a direct call would.
"""

from __future__ import annotations

from django.dispatch import Signal

# A reviewer was newly assigned to a document. Sent with sender=Document and
# document=, reviewer=, by= (who assigned them).
reviewer_assigned = Signal()

# A reviewer recorded a decision on a document (before the document's state moves on). Sent with
# sender=Document and document=, decision= (a saved reviews.models.Decision), reviewer=.
document_decided = Signal()
