"""Targeted re-review: after publishing, ask the affected services only what is new or changed.

The minimum this loop needs (the periodic-review campaigns with carry-forward fold it in once
they land): for every service whose latest ORR is approved on an earlier version, a new ORR on
the published version is started, every answer whose question is unchanged is carried from the
approved ORR, and the new or changed questions are left to answer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from learning.models import ReReviewItem, TargetedReReview
from learning.whatif import what_if
from orr import carry
from orr import services as orr_services
from orr.models import ReadinessReview
from reviews.events import Verb
from reviews.models import Answer, Evidence, QuestionnaireVersion, State

CARRIED = ("text", "choice", "risk", "na_reason")


@transaction.atomic
def start(version: QuestionnaireVersion, *, by) -> TargetedReReview:
    if version.status != QuestionnaireVersion.Status.PUBLISHED:
        raise ValidationError("Publish the version first; a re-review asks a published version.")
    if version.questionnaire.latest_published() != version:
        raise ValidationError(f"{version} is not the current published version.")
    result = what_if(version)
    asked_keys = [q.key for q in result.added] + [q.key for q in result.changed]
    if not asked_keys:
        raise ValidationError(f"{version} adds or changes no question; nothing to re-review.")
    rereview = TargetedReReview.objects.create(version=version, started_by=by)
    for row in result.rows:
        source = row.document
        if source.state != State.APPROVED or source.version_id == version.pk:
            continue
        review = orr_services.orr_start(
            service=source.service, by=by, trigger=ReadinessReview.Trigger.MAJOR_CHANGE,
            title=f"{source.service.name} — re-review for v{version.number}")
        carried = _carry(source, review, skip=set(asked_keys))
        review.log(by, Verb.STARTED, f"Targeted re-review for v{version.number}: "
                                     f"{len(asked_keys)} question(s) to answer, {carried} carried "
                                     f"from {source.code}")
        ReReviewItem.objects.create(rereview=rereview, review=review, source=source,
                                    asked=asked_keys, carried=carried)
    return rereview


def _carry(source, review, *, skip: set[str]) -> int:
    """`orr_start` carried every answer from the last approved ORR (`orr.carry`); a targeted
    re-review asks the new and changed questions afresh and takes the unchanged ones as they
    were (confirmed: nobody has to confirm what was not asked)."""
    if review.carried_from_id != source.pk:
        carry.carry_forward(review=review, source=source)
    asked = review.answers.filter(question__key__in=skip)
    Evidence.objects.filter(answer__in=asked).delete()
    asked.update(**{name: "" for name in CARRIED}, carried_from=None,
                 carry_state=Answer.Carry.NONE)
    kept = review.answers.exclude(question__key__in=skip).filter(
        carry_state=Answer.Carry.CARRIED)
    blank = kept.filter(text="", choice="", risk="")
    # An answer left blank last time is not carried: it is asked like a new one.
    blank.update(carried_from=None, carry_state=Answer.Carry.NONE)
    return kept.update(carry_state=Answer.Carry.CONFIRMED)
