"""A service's readiness history: all its ORRs and their milestones, and any two compared.

Two points of the history (an ORR as it is now, or a milestone frozen inside one) are compared
per question by its stable key, so last year's review and this year's line up even when the
questionnaire version changed in between; questions only one side asks are shown as added or
removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from catalog.models import Service
from orr.models import Milestone, ReadinessReview
from orr.services import snapshot
from reviews.visibility import visible_documents

COMPARED = ("text", "choice", "risk", "na_reason", "accepted_risk", "actions")


@dataclass
class Point:
    key: str  # "r<review pk>" or "m<milestone pk>"
    label: str
    review: ReadinessReview
    milestone: Milestone | None = None


@dataclass
class ServiceHistory:
    reviews: list[ReadinessReview]
    points: list[Point] = field(default_factory=list)

    def point(self, key: str) -> Point | None:
        return next((p for p in self.points if p.key == key), None)


def service_history(service: Service, user) -> ServiceHistory:
    """The ORRs of `service` that `user` may see, newest first, each with its milestones: two
    queries however long the history."""
    reviews = list(
        visible_documents(user, ReadinessReview.objects.filter(service=service))
        .select_related("author", "version")
        .prefetch_related(Prefetch(
            "milestones", queryset=Milestone.objects.defer("snapshot").order_by("created_at")))
        .order_by("-created_at", "-pk")
    )
    history = ServiceHistory(reviews)
    for review in reviews:
        state = review.get_state_display().lower()
        history.points.append(Point(
            f"r{review.pk}", f"{review.code} ({state}, v{review.version.number})", review))
        for m in review.milestones.all():
            history.points.append(Point(
                f"m{m.pk}", f"{review.code} milestone “{m.name}” ({m.created_at:%d %b %Y})",
                review, m))
    return history


def point_snapshot(point: Point) -> dict:
    if point.milestone is not None:
        return Milestone.objects.values_list("snapshot", flat=True).get(pk=point.milestone.pk)
    return snapshot(point.review)


@dataclass
class KeyDiff:
    key: str
    question: str
    section: str
    before: dict | None
    after: dict | None
    reworded: bool = False

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


@dataclass
class Comparison:
    diffs: list[KeyDiff]
    unchanged: int

    @property
    def added(self) -> list[KeyDiff]:
        return [d for d in self.diffs if d.status == "added"]

    @property
    def removed(self) -> list[KeyDiff]:
        return [d for d in self.diffs if d.status == "removed"]

    @property
    def changed(self) -> list[KeyDiff]:
        return [d for d in self.diffs if d.status == "changed"]


def compare(before: dict, after: dict) -> Comparison:
    """Per question key: what the answer was and is. Only the answer counts as a change; a
    question reworded in a newer version with the same answer is unchanged."""
    a, b = before["answers"], after["answers"]
    diffs, unchanged = [], 0
    for key in list(a) + [k for k in b if k not in a]:
        x, y = a.get(key), b.get(key)
        ref = y or x
        if x and y and all(x.get(f) == y.get(f) for f in COMPARED):
            unchanged += 1
            continue
        diffs.append(KeyDiff(key, ref["question"], ref["section"], x, y,
                             reworded=bool(x and y and x["question"] != y["question"])))
    return Comparison(diffs, unchanged)
