from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.models import Service
from opsreview import fragments
from opsreview.pagecache import keeps_remembered
from opsreview.paging import page_of
from opsreview.prepared import Prepared, PreparedList, PreparedShapes, sliced_or_counted
from orr import carry, forms, progress, selectors, services
from orr import gates as orr_gates
from orr.models import Milestone, ReadinessReview
from reviews import flags, gates, permissions
from reviews import forms as shared_forms
from reviews.access import (
    ASSIGNMENTS_OF,
    base_revision_posted,
    get_answer_for_edit,
    get_document_for_user,
)
from reviews.messages import answer_save_response, decide_with_message, submit_with_message
from reviews.models import (
    Answer,
    AnswerFlag,
    Decision,
    Kind,
    Section,
    State,
)
from reviews.services import (
    document_assign_reviewer,
    missing_approvals,
)
from reviews.visibility import StandInViewer, viewer_shape, visible_documents


def get_review_for_user(request, code: str, action: str = "view") -> ReadinessReview:
    """Load an ORR and apply the permission matrix: 404 if unseen, 403 if not allowed."""
    return get_document_for_user(request, code, action, queryset=_REVIEW_BY_CODE)


# Compiled once per process (opsreview.prepared): every ORR page starts with it.
_REVIEW_BY_CODE = Prepared(
    lambda code: ReadinessReview.objects.select_related(
        "service__team", "author", "version__questionnaire", "carried_from"
    ).filter(code=code)[:2],
    related={"assignments": ASSIGNMENTS_OF},
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _review_rows(shape):
    """The ORR list for one kind of viewer, with or without a state (see PreparedList)."""
    (viewer, by_state), bounds = shape

    def build(user_id, *args):
        seen_by, args = StandInViewer.taking(viewer, user_id, args)
        reviews = (
            visible_documents(seen_by, ReadinessReview.objects.all())
            .select_related("service__team").order_by("-created_at", "-pk")
            # What a row shows (jinja_templates/orr/_review_rows.html), not the whole document.
            .only("code", "kind", "title", "state", "updated_at", "service__name",
                  "service__team__name")
        )
        if by_state:
            reviews = reviews.filter(state=args[0])
        return sliced_or_counted(reviews, bounds)
    return build


# Prepared (opsreview.prepared): one compiled SQL per kind of viewer, state filter and page.
_REVIEW_ROWS = PreparedShapes(_review_rows)


def review_list(request):
    state = request.GET.get("state", "")
    viewer, viewer_args = viewer_shape(request.user)
    page = page_of(request, PreparedList(_REVIEW_ROWS, (viewer, bool(state)), *viewer_args,
                                         *([state] if state else [])))
    return render(request, "orr/review_list.html", {
        "page": page, "state": state, "states": State.choices,
        "state_labels": dict(State.choices),
    })


@require_POST
def review_start(request, slug):
    service = get_object_or_404(Service, slug=slug)
    if not permissions.in_team(request.user, service.team_id):
        raise PermissionDenied("Only a member of the owning team can start its ORR.")
    form = forms.StartReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why this review is run.")
        return redirect(service)
    try:
        review = services.orr_start(service=service, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(service)
    messages.success(request, f"{review.code} started. Answer the nine sections, then submit.")
    return redirect("orr:detail", review.code)


def _section_counts(version_id, review_id):
    answered = Q(questions__answers__choice__gt="") | Q(questions__answers__text__regex=r"\S")
    gaps = Q(questions__answers__risk__in=[Answer.Risk.HIGH, Answer.Risk.MEDIUM])
    # The filter before annotate() restricts the join (and so the counts) to this ORR's answers;
    # filtering inside each Count instead joined every answer of every ORR of the version.
    return (
        Section.objects.filter(version_id=version_id, questions__answers__document_id=review_id)
        .annotate(total=Count("questions__answers"),
                  answered=Count("questions__answers", filter=answered),
                  gaps=Count("questions__answers", filter=gaps))
        .order_by("order")
    )


# Prepared (opsreview.prepared): every section page draws the sidebar.
_SECTION_COUNTS = Prepared(_section_counts)


def _section_progress(review) -> list[dict]:
    """The sidebar's rows (`_sections_with_progress` without the answers): one aggregate query
    over this ORR's answers only, instead of loading every answer."""
    sections = _SECTION_COUNTS(review.version_id, review.pk)
    return [
        {"section": s, "total": s.total, "answered": s.answered, "gaps": s.gaps,
         "percent": round(100 * s.answered / s.total)}
        for s in sections
    ]


def review_detail(request, code):
    review = get_review_for_user(request, code)
    user = request.user
    can_decide = permissions.can_decide(user, review)
    can_edit = permissions.can_edit(user, review)
    # Those who only read it see the same page: its part is drawn once for all of them and
    # kept until the ORR or anything shared changes (opsreview/fragments.py), so what it shows
    # is read only when it is drawn.
    shown = fragments.lazy_values(lambda: _overview(review, user, can_edit, can_decide), (
        "sections", "answered", "total", "gaps", "gate_results", "decisions",
        "missing_approvals", "milestones", "my_flags", "newer_version", "carry",
        "approval_rule", "has_approval"))
    return render(request, "orr/review_detail.html", {
        "review": review,
        "can_edit": can_edit,
        "can_decide": can_decide,
        "shared_view": None if can_edit or can_decide else "reader",
        "assign_form": shared_forms.AssignReviewerForm(document=review) if can_edit else None,
        "decision_form": (shared_forms.DecisionForm(document=review, flags_on_cards=True)
                          if can_decide else None),
        "milestone_form": forms.MilestoneForm(),
        "tab": "overview",
        **shown,
    })


def _overview(review, user, can_edit: bool, can_decide: bool) -> dict:
    """What the ORR overview shows, in a fixed number of queries."""
    sections, answers = progress.sections_with_progress(review)
    review.gate_answers = answers  # the gates below count these instead of querying again
    decisions = _DECISIONS(review.pk)
    _group_flagged(review, decisions, answers)
    return {
        "sections": sections,
        "answered": sum(r["answered"] for r in sections),
        "total": sum(r["total"] for r in sections),
        "gaps": [a for a in answers if a.is_gap],
        "gate_results": gates.evaluate(review),
        "decisions": decisions,
        "missing_approvals": missing_approvals(review) if review.state == "in_review" else None,
        "milestones": _MILESTONES(review.pk),
        "my_flags": flags.grouped_by_section(flags.flags_of(review, user)) if can_decide else [],
        # Offered to the editors of a draft only.
        "newer_version": (services.newer_version(review)
                          if can_edit and review.state == State.DRAFT else None),
        "carry": carry.carry_summary(review),
        "approval_rule": orr_gates.approval_rule(review),
        "has_approval": any(d.verdict == "approve" and d.round == review.review_round
                            for d in decisions),
    }


# Compiled once per process (opsreview.prepared), each taking the ORR's id.
_DECISIONS = Prepared(lambda pk: Decision.objects.filter(document_id=pk).select_related("reviewer"))
_MILESTONES = Prepared(lambda pk: Milestone.objects.filter(review_id=pk))


def _group_flagged(review, decisions, answers) -> None:
    """Each decision's flagged answers (of those the page loaded) grouped by section, with the
    reviewer's comment."""
    flagged = defaultdict(list)
    if decisions:
        for decision_id, answer_id in Decision.flagged_answers.through.objects.filter(
                decision__document=review).values_list("decision_id", "answer_id"):
            flagged[decision_id].append(answer_id)
    comments = {
        (f.answer_id, f.reviewer_id, f.round): f.comment
        for f in AnswerFlag.objects.filter(answer__document=review)
    } if flagged else {}
    by_pk = {a.pk: a for a in answers}
    for d in decisions:
        groups: list = []
        for a in sorted((by_pk[pk] for pk in flagged[d.pk] if pk in by_pk),
                        key=lambda a: (a.section.order, a.question_order)):
            if not groups or groups[-1][0] != a.section:
                groups.append((a.section, []))
            groups[-1][1].append((a, comments.get((a.pk, d.reviewer_id, d.round), "")))
        d.flag_groups = groups


def section_edit(request, code, key):
    review = get_review_for_user(request, code)
    sections = _section_progress(review)
    index = next((i for i, r in enumerate(sections) if r["section"].key == key), None)
    if index is None:
        raise Http404("No such section.")
    section = sections[index]["section"]
    # Since the last approval: each answer changed, confirmed, carried or new; the reviewer
    # may look at the changed and new ones only.
    carried = review.carried_from_id is not None
    only_changed = carried and request.GET.get("changed") == "1"
    can_decide = permissions.can_decide(request.user, review)
    can_edit = permissions.can_edit(request.user, review)
    # As on the overview: readers share the drawn cards, read only when they are drawn.
    shown = fragments.lazy_values(
        lambda: _section_rows(request, review, section, carried, only_changed, can_edit),
        ("rows", "to_confirm"))
    return render(request, "orr/section_edit.html", {
        "review": review,
        "section": section,
        "sections": sections,
        "can_edit": can_edit,
        "prev": sections[index - 1]["section"] if index > 0 else None,
        "next": sections[index + 1]["section"] if index + 1 < len(sections) else None,
        "tab": "sections",
        "carried": carried,
        "only_changed": only_changed,
        "can_decide": can_decide,
        "shared_view": None if can_edit or can_decide else "reader",
        **shown,
    })


def _section_rows(request, review, section, carried: bool, only_changed: bool,
                  can_edit: bool) -> dict:
    """The question cards of one section, and how many carried answers wait for a look."""
    answers = selectors.section_answers(review, section)
    changes = {a.pk: carry.change_of(a) for a in answers} if carried else {}
    if only_changed:
        answers = [a for a in answers if changes[a.pk] in ("changed", "new")]
    gap_forms = _GapForms(request, review) if can_edit else None
    rows = [
        {
            "answer": a,
            "editor": shared_forms.AnswerInputs.of(a),
            "flagged": a.flagged,
            "conflict": request.session.pop(f"conflict-{a.pk}", None),
            "change": changes.get(a.pk, ""),
            "flags": a.round_flags,
            "my_flag": next((f for f in a.round_flags if f.reviewer_id == request.user.pk), None),
            "open_items": carry.open_items(a) if carried else [],
            "valid_risk": carry.valid_risk(a) if carried else None,
            **(gap_forms.for_answer(a) if gap_forms else {}),
        }
        for a in answers
    ]
    return {"rows": rows, "to_confirm": sum(s == "carried" for s in changes.values())}


class _GapForms:
    """The action item and accepted-risk forms of the section's gaps. Each answer's forms get
    their own ids, so labels stay unique on the page; only gaps get them (building them for
    every answer was most of the page's cost), and the owner list is read once per page, not
    once per gap."""

    def __init__(self, request, review):
        self.request, self.review = request, review
        self._owners = None

    def owners(self, field) -> list:
        """The owner field's choices, read from the first gap's form for every gap."""
        if self._owners is None:
            self._owners = [("", field.empty_label)] + [
                (user.pk, field.label_from_instance(user)) for user in field.queryset]
        return self._owners

    def for_answer(self, answer) -> dict:
        kept = self.request.session.pop(f"action-{answer.pk}", None)
        if not (answer.is_gap or kept):
            return {}
        auto_id = f"id_{answer.pk}_%s"
        action_form = forms.GapActionForm(kept, team=self.review.service.team, auto_id=auto_id)
        owner = action_form.fields["owner"]
        owner.choices = self.owners(owner)
        return {"action_form": action_form, "accept_form": forms.AcceptRiskForm(auto_id=auto_id)}


def _get_answer(review, pk) -> Answer:
    return get_object_or_404(review.answers.select_related("question__section"), pk=pk)


def _back_to(review, answer):
    url = reverse("orr:section", args=[review.code, answer.question.section.key])
    return redirect(f"{url}#q{answer.pk}")


@keeps_remembered
@require_POST
def answer_save(request, code, pk):
    """Autosave: one query loads the answer with what the permission check and the history
    need, one statement saves it (see docs/performance.md)."""
    answer = get_answer_for_edit(request, Kind.ORR, code, pk, base_revision_posted(request, pk))
    form = shared_forms.AnswerForm(
        request.POST, question=answer.question, prefix=f"q{answer.pk}"
    )
    return answer_save_response(request, answer, form, back=_back_to(answer.document, answer))


@require_POST
def answer_comment(request, code, pk):
    review = get_review_for_user(request, code, "comment")
    answer = _get_answer(review, pk)
    form = shared_forms.CommentForm(request.POST)
    if form.is_valid():
        answer.document = review
        services.answer_comment(answer=answer, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment added.")
    else:
        messages.error(request, "A comment needs text.")
    return _back_to(review, answer)


@require_POST
def answer_evidence(request, code, pk):
    review = get_review_for_user(request, code, "edit")
    answer = _get_answer(review, pk)
    form = shared_forms.EvidenceForm(request.POST)
    if form.is_valid():
        answer.document = review
        services.answer_add_evidence(answer=answer, by=request.user, **form.cleaned_data)
        messages.success(request, "Evidence link added.")
    else:
        messages.error(request, "Evidence needs a label and a valid URL.")
    return _back_to(review, answer)


@require_POST
def answer_action(request, code, pk):
    review = get_review_for_user(request, code, "edit")
    answer = _get_answer(review, pk)
    form = forms.GapActionForm(request.POST, team=review.service.team)
    if form.is_valid():
        services.gap_add_action(answer=answer, by=request.user, **form.cleaned_data)
        messages.success(request, "Action item created.")
    else:
        request.session[f"action-{answer.pk}"] = request.POST.dict()
        messages.error(request, "Action item not created: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return _back_to(review, answer)


@require_POST
def answer_accept_risk(request, code, pk):
    review = get_review_for_user(request, code, "edit")
    answer = _get_answer(review, pk)
    form = forms.AcceptRiskForm(request.POST)
    if form.is_valid():
        services.gap_accept_risk(answer=answer, by=request.user, **form.cleaned_data)
        messages.success(request, "Risk accepted.")
    else:
        messages.error(request, "Risk not accepted: " + "; ".join(
            " ".join(v) for v in form.errors.values()))
    return _back_to(review, answer)


@require_POST
def answer_confirm(request, code, pk):
    review = get_review_for_user(request, code, "edit")
    answer = _get_answer(review, pk)
    answer.document = review
    try:
        carry.answer_confirm(answer=answer, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back_to(review, answer)


@require_POST
def section_confirm(request, code, key):
    review = get_review_for_user(request, code, "edit")
    section = get_object_or_404(review.version.sections, key=key)
    try:
        done = carry.section_confirm(review=review, section=section, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{done} carried answer(s) confirmed unchanged.")
    return redirect("orr:section", review.code, section.key)


@require_POST
def answer_keep_risk(request, code, pk):
    review = get_review_for_user(request, code, "edit")
    answer = _get_answer(review, pk)
    answer.document = review
    try:
        services.keep_accepted_risk(answer=answer, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Risk accepted again, as last time.")
    return _back_to(review, answer)


@require_POST
def answer_flag(request, code, pk):
    """A reviewer's "needs change" toggle on an answer card (remove=1 takes it back)."""
    review = get_review_for_user(request, code, "decide")
    answer = _get_answer(review, pk)
    answer.document = review
    try:
        if request.POST.get("remove"):
            flags.answer_unflag(answer=answer, reviewer=request.user)
            messages.success(request, "Flag removed.")
        else:
            flags.answer_flag(answer=answer, reviewer=request.user,
                              comment=request.POST.get("comment", ""))
            messages.success(request, "Flagged: needs change. It goes with your decision.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    url = reverse("orr:section", args=[review.code, answer.question.section.key])
    query = "?changed=1" if request.POST.get("changed") == "1" else ""
    return redirect(f"{url}{query}#q{answer.pk}")


@require_POST
def review_assign(request, code):
    review = get_review_for_user(request, code, "edit")
    form = shared_forms.AssignReviewerForm(request.POST, document=review)
    if form.is_valid():
        document_assign_reviewer(document=review, reviewer=form.cleaned_data["reviewer"],
                                 by=request.user)
        messages.success(request, "Reviewer assigned.")
    else:
        messages.error(request, "Choose a reviewer (a team reviewer other than the author).")
    return redirect(review)


@require_POST
def review_submit(request, code):
    review = get_review_for_user(request, code, "submit")
    submit_with_message(request, review, success=f"{review.code} submitted for review.")
    return redirect(review)


@require_POST
def review_decide(request, code):
    review = get_review_for_user(request, code, "decide")
    form = shared_forms.DecisionForm(request.POST, document=review, flags_on_cards=True)
    if form.is_valid():
        flagged = []
        if form.cleaned_data["verdict"] == "request_changes":
            flagged = [f.answer for f in flags.flags_of(review, request.user)]
        decide_with_message(request, review, form, flagged=flagged)
    else:
        messages.error(request, "A decision needs a verdict and a reason.")
    return redirect(review)


@require_POST
def milestone_create(request, code):
    review = get_review_for_user(request, code, "view")
    if not (permissions.in_team(request.user, review.service.team_id)
            or review.author_id == request.user.pk):
        raise PermissionDenied("Only the owning team saves milestones.")
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        services.milestone_save(review=review, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, "Milestone saved.")
    else:
        messages.error(request, "A milestone needs a name.")
    return redirect(review)


def milestone_diff(request, code):
    review = get_review_for_user(request, code)
    milestones = list(review.milestones.all())
    by_id = {str(m.pk): m for m in milestones}
    a, b = by_id.get(request.GET.get("a", "")), by_id.get(request.GET.get("b", ""))
    if a is None and len(milestones) >= 2:
        a, b = milestones[-2], milestones[-1]
    diff = services.milestone_diff(a, b) if a and b else []
    return render(request, "orr/milestone_diff.html", {
        "review": review, "milestones": milestones, "a": a, "b": b, "diff": diff,
        "tab": "milestones",
    })


def review_upgrade(request, code):
    review = get_review_for_user(request, code, "edit")
    target = services.newer_version(review)
    if target is None:
        messages.info(request, "This review is on the latest questionnaire version.")
        return redirect(review)
    plan = services.upgrade_plan(review, target)
    if request.method == "POST":
        try:
            services.orr_upgrade(review=review, target=target, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Moved to {target}. {len(plan.added)} new question(s).")
        return redirect(review)
    return render(request, "orr/upgrade.html", {"review": review, "plan": plan, "tab": "overview"})


def review_history(request, code):
    review = get_review_for_user(request, code)
    events = list(review.events.select_related("actor"))
    return render(request, "reviews/history.html", {
        "review": review, "document": review, "header_template": "orr/_header.html",
        "events": events, "tab": "history"})


