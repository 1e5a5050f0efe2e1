"""What an ORR prints (orr/print.html): the PDF export of a readiness review."""

from __future__ import annotations

from django.db.models import Prefetch

from actions.models import ActionItem
from orr.carry import carry_summary
from orr.models import ReadinessReview
from reviews.printing import print_base_context

PRINT_TEMPLATE = "orr/print.html"


def orr_print_context(review: ReadinessReview) -> dict:
    """Everything orr/print.html shows: every section, question, answer and what hangs off it."""
    answers = list(
        review.answers.select_related("question__section", "accepted_risk__accepted_by")
        .prefetch_related(
            "evidence",
            Prefetch("action_items",
                     queryset=ActionItem.objects.select_related("owner").order_by("due_date")),
        )
        .order_by("question__section__order", "question__order")
    )
    by_section: dict[int, list] = {}
    for answer in answers:
        by_section.setdefault(answer.question.section_id, []).append(answer)
    sections = [
        {"section": s, "answers": by_section.get(s.pk, [])}
        for s in review.version.sections.order_by("order")
    ]
    for row in sections:
        row["answered"] = sum(a.is_answered for a in row["answers"])
        row["gaps"] = sum(a.is_gap for a in row["answers"])
    milestone = review.milestones.order_by("-created_at", "-pk").first()
    return {
        **print_base_context(
            review.title,
            f"{review.code} · {review.get_state_display()} · {review.version}",
        ),
        "review": review,
        "sections": sections,
        "answered": sum(a.is_answered for a in answers),
        "total": len(answers),
        "risks": {risk: sum(a.risk == risk for a in answers) for risk in ("high", "medium")},
        "accepted": [a for a in answers if hasattr(a, "accepted_risk")],
        "actions": [item for a in answers for item in a.action_items.all()],
        "decisions": list(review.decisions.select_related("reviewer")),
        "milestone": milestone,
        # Appendix: what changed since the approved ORR this one was carried from.
        "carry": carry_summary(review),
    }
