from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from actions.forms import ActionItemForm
from catalog.models import Service
from opsreview.pagecache import keeps_remembered
from opsreview.prepared import Prepared
from postmortems import forms, selectors, services
from postmortems.models import ContributingFactor, Postmortem, Tag
from reviews import gates, permissions
from reviews.access import (
    ASSIGNMENTS_OF,
    base_revision_posted,
    get_answer_for_edit,
    get_document_for_user,
)
from reviews.forms import AnswerForm, DecisionForm
from reviews.messages import answer_save_response, decide_with_message, submit_with_message
from reviews.models import Kind
from reviews.services import missing_approvals


def get_postmortem_for_user(request, code: str, action: str = "view") -> Postmortem:
    """Load a COE and apply the permission matrix: 404 if unseen, 403 if not allowed."""
    return get_document_for_user(request, code, action, queryset=_POSTMORTEM_BY_CODE)


# Compiled once per process (opsreview.prepared): every COE page starts with it.
_POSTMORTEM_BY_CODE = Prepared(
    lambda code: Postmortem.objects.select_related("service__team", "author",
                                                   "version__questionnaire")
    .filter(code=code)[:2],
    related={
        "assignments": ASSIGNMENTS_OF,
        "tags": Prepared(lambda pk: Tag.objects.filter(postmortems=pk)),
        "affected_services": Prepared(lambda pk: Service.objects.filter(
            affected_by_postmortems=pk)),
    },
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form) -> str:
    return "; ".join(" ".join(errors) for errors in form.errors.values())


def _back(postmortem: Postmortem, anchor: str = ""):
    return redirect(f"{postmortem.get_absolute_url()}#{anchor}" if anchor else postmortem)


def postmortem_list(request):
    form = forms.FilterForm(request.GET, user=request.user)
    form.is_valid()  # a filter that does not parse is left out of cleaned_data and named
    filters = selectors.ListFilters(**form.cleaned_data)
    page = Paginator(selectors.postmortem_rows(request.user, filters), 50).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "postmortems/postmortem_list.html", {
        "form": form, "page": page, "postmortems": selectors.with_tag_names(list(page.object_list)),
        "labels": selectors.LIST_LABELS,
        "query": query.urlencode(), "can_create": bool(permissions.roles(request.user).team_ids),
    })


def postmortem_create(request):
    if not permissions.roles(request.user).team_ids:
        raise PermissionDenied("Only members of a service team write postmortems.")
    service = Service.objects.filter(slug=request.GET.get("service", "")).first()
    form = forms.PostmortemForm(request.POST or None, user=request.user,
                                initial={"service": service})
    if request.method == "POST" and form.is_valid():
        try:
            postmortem = services.postmortem_create(
                service=form.cleaned_data["service"], by=request.user, **form.facts())
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"{postmortem.code} started. Write the timeline, dive "
                                      "deep on the contributing factors, then submit.")
            return redirect(postmortem)
    return render(request, "postmortems/postmortem_form.html", {"form": form})


def postmortem_edit(request, code):
    postmortem = get_postmortem_for_user(request, code, "edit")
    form = forms.PostmortemForm(request.POST or None, postmortem=postmortem, user=request.user,
                                initial=forms.PostmortemForm.initial_for(postmortem))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.postmortem_update(
                postmortem=postmortem, by=request.user,
                base_revision=form.cleaned_data["revision"], **form.facts())
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Saved: " + ", ".join(changed) if changed else
                             "Nothing changed.")
            return _back(postmortem, "incident")
    return render(request, "postmortems/postmortem_form.html", {
        "form": form, "postmortem": postmortem, "tab": "postmortem"})


def _attach_forms(data, bound: dict) -> None:
    """Per-factor forms, each with its own ids; the one just posted keeps its input."""
    for node in data.nodes:
        pk = node.factor.pk
        node.why_form = bound.get(("why", pk)) or forms.FactorForm(
            auto_id=f"id_why{pk}_%s",
            initial={"category": ContributingFactor.Category.TOOLING} if node.needs_why else None)
        node.accept_form = bound.get(("accept", pk)) or forms.AcceptFactorForm(
            auto_id=f"id_accept{pk}_%s")


def _render_detail(request, postmortem: Postmortem, status: int = 200, bound=None):
    """The COE page; `bound` holds a posted form that failed, so it shows its input and errors."""
    bound = bound or {}
    user = request.user
    can_edit = permissions.can_edit(user, postmortem)
    can_decide = permissions.can_decide(user, postmortem)
    # Those who only read it see the same page: its parts are drawn once for all of them and
    # kept until the COE or anything shared changes (opsreview/fragments.py), so what they
    # show is read only when they are drawn. The similar factors (which COEs each reader may
    # see) are drawn for every request.
    reader = not (can_edit or can_decide or bound)
    data = SimpleLazyObject(lambda: selectors.page_data(postmortem, editing=can_edit))
    # The page draws the forms only for those who may use them: no form is built for a reader.
    page_forms = {}
    if can_edit:
        _attach_forms(data, bound)
        page_forms.update(
            timeline_form=bound.get("timeline") or forms.TimelineEventForm(postmortem=postmortem),
            factor_form=bound.get("factor") or forms.FactorForm(),
            lesson_form=bound.get("lesson") or forms.LessonForm())
    if can_decide:
        page_forms["decision_form"] = bound.get("decision") or DecisionForm(document=postmortem)
    return render(request, "postmortems/postmortem_detail.html", {
        "postmortem": postmortem, "data": data, "tab": "postmortem",
        "gate_results": SimpleLazyObject(lambda: gates.evaluate(postmortem)),
        "missing_approvals": SimpleLazyObject(lambda: missing_approvals(postmortem))
        if postmortem.state == "in_review" else None,
        "can_edit": can_edit,
        "can_decide": can_decide,
        "shared_view": "reader" if reader else None,
        **page_forms,
    }, status=status)


def postmortem_detail(request, code):
    return _render_detail(request, get_postmortem_for_user(request, code))


def postmortem_history(request, code):
    postmortem = get_postmortem_for_user(request, code)
    events = list(postmortem.events.select_related("actor"))
    return render(request, "reviews/history.html", {
        "postmortem": postmortem, "document": postmortem,
        "header_template": "postmortems/_header.html", "events": events, "tab": "history"})


@keeps_remembered
@require_POST
def answer_save(request, code, pk):
    """Autosave endpoint, with the JSON contract of the ORR's (see static/js/answers.js)."""
    answer = get_answer_for_edit(request, Kind.COE, code, pk, base_revision_posted(request, pk))
    form = AnswerForm(request.POST, question=answer.question, prefix=f"q{answer.pk}")
    return answer_save_response(request, answer, form,
                                back=_back(answer.document, f"q{answer.pk}"))


@require_POST
def timeline_add(request, code):
    postmortem = get_postmortem_for_user(request, code, "edit")
    form = forms.TimelineEventForm(request.POST, postmortem=postmortem,
                                   events=postmortem.timeline.all())
    if not form.is_valid():
        messages.error(request, "Event not added: " + _form_errors(form))
        return _render_detail(request, postmortem, 400, {"timeline": form})
    services.timeline_add(postmortem=postmortem, by=request.user, **form.cleaned_data)
    messages.success(request, "Timeline event added.")
    return _back(postmortem, "timeline")


@require_POST
def timeline_delete(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    event = get_object_or_404(postmortem.timeline.all(), pk=pk)
    event.postmortem = postmortem
    services.timeline_delete(event=event, by=request.user)
    messages.success(request, "Timeline event deleted.")
    return _back(postmortem, "timeline")


def _get_factor(postmortem, pk) -> ContributingFactor:
    factor = get_object_or_404(postmortem.factors.all(), pk=pk)
    factor.postmortem = postmortem
    return factor


@require_POST
def factor_add(request, code, pk=None):
    """A root factor, or (with `pk`) the answer to "why?" under that factor."""
    postmortem = get_postmortem_for_user(request, code, "edit")
    parent = _get_factor(postmortem, pk) if pk else None
    form = forms.FactorForm(request.POST, auto_id=f"id_why{pk}_%s" if pk else "id_%s")
    if not form.is_valid():
        messages.error(request, "Factor not added: " + _form_errors(form))
        return _render_detail(request, postmortem, 400, {("why", pk) if pk else "factor": form})
    factor = services.factor_add(postmortem=postmortem, by=request.user, parent=parent,
                                 **form.cleaned_data)
    messages.success(request, "Contributing factor added.")
    return _back(postmortem, f"factor-{factor.pk}")


@require_POST
def factor_delete(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    factor = _get_factor(postmortem, pk)
    try:
        services.factor_delete(factor=factor, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(postmortem, f"factor-{pk}")
    messages.success(request, "Contributing factor deleted.")
    return _back(postmortem, "contributing-factors")


@require_POST
def factor_accept(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    factor = _get_factor(postmortem, pk)
    form = forms.AcceptFactorForm(request.POST, auto_id=f"id_accept{pk}_%s")
    if not form.is_valid():
        messages.error(request, "Not accepted: " + _form_errors(form))
        return _render_detail(request, postmortem, 400, {("accept", pk): form})
    try:
        services.factor_accept(factor=factor, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Factor accepted without an action item.")
    return _back(postmortem, f"factor-{pk}")


@require_POST
def factor_not_blame(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    factor = _get_factor(postmortem, pk)
    form = forms.NotBlameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not marked: " + _form_errors(form))
        return _back(postmortem, f"factor-{pk}")
    try:
        services.factor_mark_not_blame(factor=factor, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Marked as not blame; reviewers see your reason.")
    return _back(postmortem, f"factor-{pk}")


@require_POST
def lesson_add(request, code):
    postmortem = get_postmortem_for_user(request, code, "edit")
    form = forms.LessonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Lesson not added: " + _form_errors(form))
        return _render_detail(request, postmortem, 400, {"lesson": form})
    lesson = services.lesson_add(postmortem=postmortem, by=request.user, **form.cleaned_data)
    messages.success(request, "Lesson added.")
    return _back(postmortem, f"lesson-{lesson.pk}")


@require_POST
def lesson_delete(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    lesson = get_object_or_404(postmortem.lessons.all(), pk=pk)
    lesson.postmortem = postmortem
    services.lesson_delete(lesson=lesson, by=request.user)
    messages.success(request, "Lesson deleted.")
    return _back(postmortem, "lessons")


@require_POST
def lesson_link(request, code, pk):
    postmortem = get_postmortem_for_user(request, code, "edit")
    lesson = get_object_or_404(postmortem.lessons.all(), pk=pk)
    lesson.postmortem = postmortem
    items = list(postmortem.action_items.values_list("pk", "title"))
    form = forms.LinkActionForm(request.POST, choices=items)
    if form.is_valid():
        item = postmortem.action_items.get(pk=form.cleaned_data["item"])
        services.lesson_link_action(lesson=lesson, item=item, by=request.user)
        messages.success(request, "Action item linked to the lesson.")
    else:
        messages.error(request, "Choose an action item of this postmortem.")
    return _back(postmortem, f"lesson-{pk}")


def action_new(request, code):
    """An action item from a factor (?factor=) or a lesson (?lesson=), or on its own."""
    postmortem = get_postmortem_for_user(request, code, "edit")
    source = request.POST if request.method == "POST" else request.GET
    factor = _get_factor(postmortem, source["factor"]) if source.get("factor") else None
    lesson = (get_object_or_404(postmortem.lessons.all(), pk=source["lesson"])
              if source.get("lesson") else None)
    form = ActionItemForm(request.POST or None, team=postmortem.service.team)
    if request.method == "POST" and form.is_valid():
        item = services.action_add(postmortem=postmortem, by=request.user, factor=factor,
                                   lesson=lesson, **form.cleaned_data)
        messages.success(request, f"Action item “{item.title}” created.")
        anchor = f"factor-{factor.pk}" if factor else f"lesson-{lesson.pk}" if lesson \
            else "action-items"
        return _back(postmortem, anchor)
    return render(request, "postmortems/action_form.html", {
        "postmortem": postmortem, "form": form, "factor": factor, "lesson": lesson,
        "tab": "postmortem"})


@require_POST
def postmortem_submit(request, code):
    postmortem = get_postmortem_for_user(request, code, "submit")
    submit_with_message(request, postmortem,
                        success=f"{postmortem.code} submitted to the committee.")
    return redirect(postmortem)


@require_POST
def postmortem_decide(request, code):
    postmortem = get_postmortem_for_user(request, code, "decide")
    form = DecisionForm(request.POST, document=postmortem)
    if not form.is_valid():
        messages.error(request, "A decision needs a verdict and a reason.")
        return _render_detail(request, postmortem, 400, {"decision": form})
    decide_with_message(request, postmortem, form)
    return redirect(postmortem)

