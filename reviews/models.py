"""What ORRs and COEs share: versioned questionnaires, answers, workflow, decisions, event log."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from opsreview import fragments
from opsreview.links import path_to
from reviews.events import Verb


class PublishedVersionLocked(ValidationError):
    """Raised by every code path that would change a published questionnaire version."""

    def __init__(self, version: QuestionnaireVersion | None = None):
        label = f"{version}" if version else "This questionnaire version"
        super().__init__(
            f"{label} is {getattr(version, 'status', 'published')} and can never be edited. "
            "Copy it to a new draft version, edit the copy, and publish that.",
            code="published_version_locked",
        )


class Kind(models.TextChoices):
    ORR = "orr", "Operational readiness review"
    COE = "coe", "Correction of errors (postmortem)"


class Questionnaire(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.name

    def latest_published(self) -> QuestionnaireVersion | None:
        return (
            self.versions.filter(status=QuestionnaireVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )


class VersionQuerySet(models.QuerySet):
    """Bulk updates and deletes must not slip past the published-version lock."""

    def update(self, **kwargs):
        if self.exclude(status="draft").exists() and set(kwargs) - {"status"}:
            raise PublishedVersionLocked()
        if kwargs.get("status") == "draft" and self.exclude(status="draft").exists():
            raise PublishedVersionLocked()
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status="draft").exists():
            raise PublishedVersionLocked()
        return super().delete()


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    changelog = models.TextField(blank=True, max_length=20000)
    guidance = models.TextField(
        blank=True, max_length=50000, help_text="How and when to use this questionnaire."
    )
    # Digest of the YAML the version was loaded from: reloading a changed file as the same
    # version is refused.
    source_digest = models.CharField(max_length=64, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    def save(self, *args, **kwargs):
        if self.pk:
            frozen = ("number", "guidance", "changelog", "questionnaire_id", "published_at")
            stored = QuestionnaireVersion.objects.filter(pk=self.pk).values(
                "status", *frozen
            ).first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = self.status == self.Status.DRAFT or any(
                    stored[name] != getattr(self, name) for name in frozen
                )
                if changed:
                    raise PublishedVersionLocked(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise PublishedVersionLocked(self)
        return super().delete(*args, **kwargs)

    @transaction.atomic
    def publish(self, *, lint: bool = True) -> None:
        """Publish the draft; refused while the lint (`reviews.lint`) finds an error.

        Every path asks the lint, the YAML loader included (the shipped v1 files pass it);
        `lint=False` is left for a data repair from the shell.
        """
        if self.status != self.Status.DRAFT:
            raise ValidationError(f"{self} is already {self.status}.")
        if not Question.objects.filter(section__version=self).exists():
            raise ValidationError(f"{self} has no questions; there is nothing to publish.")
        if lint:
            from reviews.lint import errors
            from reviews.lint import lint as run_lint

            found = errors(run_lint(self))
            if found:
                raise ValidationError(
                    [f"{self} cannot be published: the lint found {len(found)} error(s)."]
                    + [str(finding) for finding in found[:20]],
                    code="lint_errors",
                )
        self.status = self.Status.PUBLISHED
        self.published_at = timezone.now()
        super().save(update_fields=["status", "published_at"])

    def retire(self) -> None:
        if self.status != self.Status.PUBLISHED:
            raise ValidationError(
                f"Only a published version can be retired; {self} is {self.status}."
            )
        self.status = self.Status.RETIRED
        super().save(update_fields=["status"])

    @transaction.atomic
    def copy_as_draft(self, *, changelog: str = "") -> QuestionnaireVersion:
        """A new draft version with the same sections and questions, ready to edit."""
        number = (self.questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        copy = QuestionnaireVersion.objects.create(
            questionnaire=self.questionnaire,
            number=number,
            guidance=self.guidance,
            changelog=changelog or f"Copied from version {self.number}.",
        )
        for section in self.sections.prefetch_related("questions"):
            questions = list(section.questions.all())
            section.pk = None
            section.version = copy
            section.save()
            for question in questions:
                question.pk = None
                question.section = section
                question.save()
        return copy

    def questions(self) -> models.QuerySet[Question]:
        return Question.objects.filter(section__version=self).select_related("section")


class LockedQuerySet(models.QuerySet):
    """Bulk updates and deletes must not slip past the published-version lock."""

    version_path = ""

    def _refuse_if_locked(self) -> None:
        locked = self.exclude(**{f"{self.version_path}status": QuestionnaireVersion.Status.DRAFT})
        if locked.exists():
            raise PublishedVersionLocked()

    def update(self, **kwargs):
        self._refuse_if_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()


class SectionQuerySet(LockedQuerySet):
    version_path = "version__"


class QuestionQuerySet(LockedQuerySet):
    version_path = "section__version__"


class Section(models.Model):
    class Widget(models.TextChoices):
        QUESTIONS = "questions", "Questions"
        METADATA = "metadata", "Document fields"
        TIMELINE = "timeline", "Timeline"
        FACTORS = "factors", "Contributing factors"
        LESSONS = "lessons", "Lessons learned"
        ACTIONS = "actions", "Action items"

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(max_length=60)
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, max_length=20000)
    widget = models.CharField(max_length=20, choices=Widget.choices, default=Widget.QUESTIONS)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_section_key"),
            models.UniqueConstraint(fields=["version", "order"], name="unique_section_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def _locked(self) -> bool:
        status = (
            QuestionnaireVersion.objects.filter(pk=self.version_id)
            .values_list("status", flat=True)
            .first()
        )
        return status is not None and status != QuestionnaireVersion.Status.DRAFT

    def save(self, *args, **kwargs):
        if self._locked():
            raise PublishedVersionLocked(self.version)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._locked():
            raise PublishedVersionLocked(self.version)
        return super().delete(*args, **kwargs)


class Question(models.Model):
    class AnswerKind(models.TextChoices):
        MARKDOWN = "markdown", "Text (Markdown)"
        CHOICE = "choice", "Choice"
        YES_NO = "yes_no", "Yes / no"
        NUMBER = "number", "Number"
        DATETIME = "datetime", "Date and time"
        LIST = "list", "List"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    # Stable across versions: answers move to a new version by this key.
    key = models.SlugField(max_length=80)
    order = models.PositiveIntegerField()
    text = models.TextField(max_length=2000)
    help = models.TextField(blank=True, max_length=5000)
    kind = models.CharField(max_length=20, choices=AnswerKind.choices, default=AnswerKind.MARKDOWN)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)
    # Risk rules, e.g. {"no": "high"}: a yes/no or choice answer that suggests a risk rating.
    risk_rules = models.JSONField(default=dict, blank=True)
    # For COE metadata: the document field this question is answered by.
    binds = models.CharField(max_length=40, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="unique_question_key"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def _locked(self) -> bool:
        status = (
            Section.objects.filter(pk=self.section_id)
            .values_list("version__status", flat=True)
            .first()
        )
        return status is not None and status != QuestionnaireVersion.Status.DRAFT

    def clean(self):
        if self.section_id:
            duplicate = Question.objects.filter(
                section__version_id=self.section.version_id, key=self.key
            ).exclude(pk=self.pk)
            if duplicate.exists():
                raise ValidationError({"key": "Question keys must be unique within a version."})

    def save(self, *args, **kwargs):
        if self._locked():
            raise PublishedVersionLocked(self.section.version)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._locked():
            raise PublishedVersionLocked(self.section.version)
        return super().delete(*args, **kwargs)

    def suggested_risk(self, value: str) -> str:
        return self.risk_rules.get(str(value).lower(), "")


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)


class DocumentQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def in_review(self):
        return self.filter(state=State.IN_REVIEW)

    def open(self):
        return self.exclude(state=State.APPROVED)

    def authored_by(self, user):
        return self.filter(author=user)

    def for_team(self, team):
        return self.filter(service__team=team)


class Document(models.Model):
    """A review document: the shared part of an ORR and a COE (multi-table inheritance)."""

    code = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, editable=False)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(max_length=200)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="documents"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_documents"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ReviewerAssignment", through_fields=("document", "user"),
        related_name="review_documents",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Incremented on every submission; decisions count only within their round.
    review_round = models.PositiveIntegerField(default=0)
    # Optimistic concurrency for the document's own fields.
    revision = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["service", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def get_absolute_url(self) -> str:
        return path_to("orr:detail" if self.kind == Kind.ORR else "postmortems:detail", self.code)

    def assign_code(self, prefix: str) -> None:
        self.code = f"{prefix}-{self.pk:04d}"
        Document.objects.filter(pk=self.pk).update(code=self.code)

    def save(self, *args, gates_checked: bool = False, **kwargs):
        # Whatever the path (admin, shell, a careless service), a document only reaches
        # in-review or approved with its gates passing. The services that move the state
        # evaluate the gates once themselves and say so with `gates_checked`.
        guarded = (not gates_checked and self.pk
                   and self.state in (State.IN_REVIEW, State.APPROVED))
        update_fields = kwargs.get("update_fields")
        if guarded and (update_fields is None or "state" in update_fields):
            stored = Document.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored != self.state:
                from reviews import gates

                gates.enforce(self)
        super().save(*args, **kwargs)

    def soft_delete(self, *, by) -> None:
        """Deleting keeps the row: it disappears from every page and can be restored."""
        self.deleted_at = timezone.now()
        Document.objects.filter(pk=self.pk).update(deleted_at=self.deleted_at)
        self.log(by, Verb.DELETED, "Moved to the trash")

    def restore(self, *, by) -> None:
        self.deleted_at = None
        Document.objects.filter(pk=self.pk).update(deleted_at=None)
        self.log(by, Verb.RESTORED, "Restored from the trash")

    def log(self, actor, verb: str, message: str = "", **data) -> Event:
        return Event.objects.create(
            document_id=self.pk, actor=actor, verb=verb, message=message[:500], data=data
        )


class ReviewerAssignment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="unique_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} reviews document {self.document_id}"


class AnswerRules:
    """When an answer counts as answered and as a gap: for the model and for the plain rows
    of the ORR overview (orr/progress.py), which have the same `text`, `choice` and `risk`."""

    __slots__ = ()

    @property
    def is_answered(self) -> bool:
        return bool(self.text.strip() or self.choice)

    @property
    def is_gap(self) -> bool:
        return self.risk in ("high", "medium")  # Answer.Risk.HIGH, Answer.Risk.MEDIUM


class Answer(AnswerRules, models.Model):
    class Risk(models.TextChoices):
        UNRATED = "", "Not rated"
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        NONE = "none", "None"
        NOT_APPLICABLE = "na", "Not applicable"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True, max_length=100_000)
    choice = models.CharField(max_length=200, blank=True)
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True, default="")
    na_reason = models.TextField(blank=True, max_length=2000)
    # Bumped on every save: a save based on an older revision is a conflict, never an overwrite.
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Carry(models.TextChoices):
        NONE = "", "Not carried"
        CARRIED = "carried", "Carried, not yet confirmed"
        CONFIRMED = "confirmed", "Confirmed unchanged"
        CHANGED = "changed", "Changed"

    # A periodic review starts from the last approved one: the answer it was carried from
    # (matched by question key) and whether someone confirmed or changed it since.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    carry_state = models.CharField(max_length=10, choices=Carry.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "question"], name="unique_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} / {self.question.key}"

    def save_if_current(self, *, base_revision: int, by, **fields) -> bool:
        """Save only if nobody saved since `base_revision`; True on success."""
        now = timezone.now()
        updated = Answer.objects.filter(pk=self.pk, revision=base_revision).update(
            revision=F("revision") + 1, updated_by=by, updated_at=now, **fields
        )
        if updated:
            for name, value in fields.items():
                setattr(self, name, value)
            self.revision = base_revision + 1
            self.updated_by, self.updated_at = by, now
        return bool(updated)

    def save_with_history(self, *, base_revision: int, by, fields: dict, message: str,
                          new_data: dict, burst_id: int | None = None,
                          burst_data: dict | None = None) -> bool:
        """`save_if_current` and its history row in one statement on PostgreSQL.

        The row is a new "answer saved" event (`new_data`), or, when `burst_id` names the
        person's own row recording `base_revision`, that row extended to this save
        (`burst_data`): see `Event` for why that keeps the log an audit trail. Nothing is
        written when the answer moved on since `base_revision`. No model signal is sent (an
        autosave changes nothing a remembered answer shows); the document's shared page parts
        are forgotten here (opsreview/fragments.py). True when saved.
        """
        now = timezone.now()
        if connection.vendor == "postgresql":
            saved = self._save_with_history_sql(base_revision, by, fields, message, new_data,
                                                burst_id, burst_data, now)
        else:
            with transaction.atomic():
                saved = bool(Answer.objects.filter(pk=self.pk, revision=base_revision).update(
                    revision=F("revision") + 1, updated_by=by, updated_at=now, **fields))
                if saved and not (burst_id and Event.objects.extend_answer_save(
                        burst_id, base_revision, burst_data)):
                    Event.objects.bulk_create([Event(
                        document_id=self.document_id, actor=by, verb=Verb.ANSWER_SAVED,
                        message=message[:500], data=new_data, at=now)])
        if saved:
            fragments.touch_document(self.document_id)
            for name, value in fields.items():
                setattr(self, name, value)
            self.revision = base_revision + 1
            self.updated_by, self.updated_at = by, now
        return saved

    def _save_with_history_sql(self, base_revision, by, fields, message, new_data, burst_id,
                               burst_data, now) -> bool:
        answer_table, event_table = Answer._meta.db_table, Event._meta.db_table
        columns = [Answer._meta.get_field(name).column for name in fields]
        sets = "".join(f", {connection.ops.quote_name(c)} = %s" for c in columns)
        sql = f"""
            WITH a AS (
                UPDATE {answer_table} SET revision = revision + 1, updated_by_id = %s,
                    updated_at = %s{sets}
                WHERE id = %s AND revision = %s RETURNING id
            ), c AS (
                UPDATE {event_table} SET data = %s::jsonb
                WHERE id = %s AND verb = %s AND (data ->> 'revision')::int = %s
                    AND EXISTS (SELECT 1 FROM a)
                RETURNING id
            ), i AS (
                INSERT INTO {event_table} (document_id, actor_id, verb, message, data, at)
                SELECT %s, %s, %s, %s, %s::jsonb, %s
                WHERE EXISTS (SELECT 1 FROM a) AND NOT EXISTS (SELECT 1 FROM c)
                RETURNING id
            )
            SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM c) + (SELECT count(*) FROM i)
        """
        params = [by.pk, now, *fields.values(), self.pk, base_revision,
                  json.dumps(burst_data or {}), burst_id, Verb.ANSWER_SAVED, base_revision,
                  self.document_id, by.pk, Verb.ANSWER_SAVED, message[:500],
                  json.dumps(new_data), now]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            saved, logged = cursor.fetchone()
        return bool(saved and logged)


class Evidence(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    label = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.label


class AcceptedRisk(models.Model):
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="accepted_risk")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=5000)
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Accepted until {self.expires_on}"

    def is_expired(self, today=None) -> bool:
        return self.expires_on < (today or timezone.localdate())


class Comment(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=20000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on answer {self.answer_id}"


class Decision(models.Model):
    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    reason = models.TextField(max_length=20000)
    flagged_answers = models.ManyToManyField(Answer, blank=True, related_name="flagged_by")
    # Decisions count towards approval only within the review round they were made in.
    round = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} by {self.reviewer}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The event log is append-only.")

    def extend_answer_save(self, pk: int, base_revision: int, data: dict) -> bool:
        """The one change the log allows (see `Event`): the latest "answer saved" row of an
        answer, recording `base_revision`, extended to the next save by the same person."""
        rows = self.filter(pk=pk, verb=Verb.ANSWER_SAVED, data__revision=base_revision)
        return bool(models.QuerySet.update(rows, data=data))

    def delete(self):
        raise PermissionError("The event log is append-only.")


class Event(models.Model):
    """Append-only log of who did what to a document, and when.

    One exception, for autosave (every few seconds while someone types): rapid saves of one
    answer by one person share one "answer saved" row. A save extends the row only while that
    row records the very revision the save is based on (so it is still the latest save of the
    answer: nobody, the person included, saved it in between) and is at most a minute old
    (`reviews.access.COALESCE_SECONDS`); it then records the text from before the first of
    those saves and after the last, the latest revision, how many saves and when the last was.
    Its time stays the first save's. Any other row, and every row once older, never changes.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("The event log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The event log is append-only.")


# The event-log verbs that move a document to a state (reviews.services writes them).
STATE_OF_VERB = {
    Verb.SUBMITTED: State.IN_REVIEW,
    Verb.REQUEST_CHANGES: State.CHANGES_REQUESTED,
    Verb.APPROVED_FINAL: State.APPROVED,
}


def states_at(document_ids: list[int], moment: dt.datetime) -> dict[int, str]:
    """Each document's workflow state just before `moment`, replayed from the append-only event
    log; a document absent from the answer was a draft then (or did not exist yet)."""
    events = Event.objects.filter(
        document_id__in=document_ids, verb__in=list(STATE_OF_VERB), at__lt=moment
    ).order_by("at", "pk").values_list("document_id", "verb")
    return {document_id: STATE_OF_VERB[verb] for document_id, verb in events}


class AnswerFlag(models.Model):
    """A reviewer's "needs change" on one answer, made on the answer's card during a review
    round; a "request changes" decision gathers the reviewer's flags of its round."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="flags")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    round = models.PositiveIntegerField()
    comment = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "reviewer", "round"],
                                    name="unique_answer_flag"),
        ]

    def __str__(self) -> str:
        return f"Needs change: answer {self.answer_id} (round {self.round})"
