"""The verbs of the document event log (`reviews.models.Event.verb`), one enum instead of free
strings: the history pages, the backup and the weekly report (which reads the state changes out
of the log) all name the same members. Values are the strings stored in the log."""

from __future__ import annotations

from django.db import models


class Verb(models.TextChoices):
    STARTED = "started", "Started"
    FACTS_CHANGED = "facts_changed", "Facts changed"
    UPGRADED = "upgraded", "Moved to a newer questionnaire"
    ANSWER_SAVED = "answer_saved", "Answer saved"
    COMMENTED = "commented", "Commented"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    ANSWER_CONFIRMED = "answer_confirmed", "Carried answer confirmed"
    REVIEWER_ASSIGNED = "reviewer_assigned", "Reviewer assigned"
    REVIEWER_REMOVED = "reviewer_removed", "Reviewer removed"
    SUBMITTED = "submitted", "Submitted"
    # A reviewer's decision is logged under its verdict (reviews.models.Decision.Verdict).
    APPROVE = "approve", "Approved"
    REQUEST_CHANGES = "request_changes", "Changes requested"
    APPROVED_FINAL = "approved_final", "Approval complete"
    MILESTONE = "milestone", "Milestone"
    RISK_ACCEPTED = "risk_accepted", "Risk accepted"
    ACTION_ADDED = "action_added", "Action item added"
    ACTION_STATUS = "action_status", "Action item status"
    ACTION_OWNER = "action_owner", "Action item handed over"
    TIMELINE_ADDED = "timeline_added", "Timeline event added"
    TIMELINE_DELETED = "timeline_deleted", "Timeline event deleted"
    FACTOR_ADDED = "factor_added", "Contributing factor added"
    FACTOR_DELETED = "factor_deleted", "Contributing factor deleted"
    FACTOR_ACCEPTED = "factor_accepted", "Contributing factor accepted"
    LESSON_ADDED = "lesson_added", "Lesson added"
    LESSON_DELETED = "lesson_deleted", "Lesson deleted"
    LESSON_LINKED = "lesson_linked", "Lesson linked"
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    ATTACHMENT_DELETED = "attachment_deleted", "Attachment deleted"
    DRAFTED_FROM_INCIDENT = "drafted_from_incident", "Drafted from a pager incident"
    DELETED = "deleted", "Moved to the trash"
    RESTORED = "restored", "Restored"
