from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from catalog.models import OrgEvent
from catalog.services import org_log
from integrations.events import EventType, emit
from opsreview.workdays import next_working_day
from reviews.events import Verb
from reviews.models import Document
from reviews.services import document_assign_reviewer, document_unassign_reviewer
from reviews.visibility import visible_documents
from wording import has_blocking, lint


def default_due_date(priority: str, today: dt.date | None = None) -> dt.date:
    """Due date by priority (weeks from today), moved off the weekend."""
    weeks = settings.ACTION_DUE_WEEKS.get(priority, 8)
    return next_working_day((today or timezone.localdate()) + dt.timedelta(weeks=weeks))


def vague_title_problem(title: str) -> str | None:
    """What is wrong with a title that blames or names no checkable change (the wording
    package's blocking findings for an action), or None when it is specific enough."""
    findings = lint(title, field="action")
    if has_blocking(findings):
        f = next(f for f in findings if f.severity == "block")
        return f"{f.message} Try: {f.suggestion}"
    return None


def check_action_title(title: str) -> None:
    """The rule every action item's title keeps, however the item is made (page, API,
    integration): raises ValidationError on `title` with the problem."""
    problem = vague_title_problem(title)
    if problem:
        raise ValidationError({"title": problem})


def action_item_create(*, title: str, owner, team, priority: str, due_date: dt.date, created_by,
                       document=None, source_answer=None, backlog_url: str = "",
                       description: str = "") -> ActionItem:
    """A new action item, once its title passes `check_action_title`. The callers (an ORR gap,
    a COE) log it in their document's history and tell the owner."""
    check_action_title(title)
    return ActionItem.objects.create(
        title=title, description=description, owner=owner, team=team, priority=priority,
        due_date=due_date, backlog_url=backlog_url, document=document,
        source_answer=source_answer, created_by=created_by,
    )


def item_set_status(*, item, by, status: str, note: str = "") -> None:
    """Change an item's status; the change is recorded in its document's history."""
    with transaction.atomic():
        before = item.status
        item.set_status(status, note=note)
        if item.document_id and before != status:
            item.document.log(by, Verb.ACTION_STATUS, f"Action item “{item.title[:80]}”: "
                              f"{before} → {status}", action=item.pk, note=note[:300])
        if before in item.OPEN_STATUSES and not item.is_open:
            emit(EventType.ACTION_ITEM_CLOSED, item, note=note[:300])


def person_open_work(person, *, viewer) -> tuple[list, list, int]:
    """What a person still has to do, as `viewer` may see it: open action items they own,
    reviews assigned to them on documents not yet approved, and how many such items and reviews
    belong to documents hidden from `viewer` (restricted COEs). Listed when they leave, for
    handing over.
    """
    from actions.selectors import visible_items

    owned = ActionItem.objects.open().owned_by(person)
    items = list(visible_items(viewer, owned.select_related("team", "document")))
    pending = Document.objects.alive().open().filter(assignments__user=person)
    reviews = list(visible_documents(viewer, pending).select_related("service", "author")
                   .order_by("code"))
    return items, reviews, pending.count() - len(reviews) + owned.count() - len(items)


@transaction.atomic
def work_reassign(*, person, to, by) -> tuple[int, list[str], int]:
    """Hand a person's open action items and pending reviews to someone else in one step.

    Returns how many things moved, the codes of reviews that could not move (the new reviewer
    wrote them) and how many stayed because `by` may not see them (restricted COEs: their
    team or an administrator hands those over). Each document records the change in its
    own history.
    """
    if to.pk == person.pk:
        raise ValueError("Reassign to someone else.")
    items, reviews, hidden = person_open_work(person, viewer=by)
    for item in items:
        item.owner = to
        item.revision += 1
        item.save(update_fields=["owner", "revision"])
        if item.document_id:
            item.document.log(by, Verb.ACTION_OWNER, f"Action item “{item.title[:80]}”: owner "
                              f"{person.get_username()} → {to.get_username()}", action=item.pk)
    skipped = []
    for document in reviews:
        if document.author_id == to.pk:
            skipped.append(document.code)
            continue
        document_assign_reviewer(document=document, reviewer=to, by=by)
        document_unassign_reviewer(document=document, reviewer=person, by=by)
    moved = len(items) + len(reviews) - len(skipped)
    org_log(by=by, verb=OrgEvent.Verb.WORK_REASSIGNED, person=person,
            message=f"{len(items)} action item(s) and {len(reviews) - len(skipped)} review(s) of "
                    f"{person.get_username()} handed to {to.get_username()}",
            to=to.get_username(), action_items=[i.pk for i in items],
            reviews=[d.code for d in reviews if d.code not in skipped], skipped=skipped,
            hidden=hidden)
    return moved, skipped, hidden
