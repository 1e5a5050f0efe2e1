"""Pages of the learning loop; thin: the rules are in learning.proposals/whatif/lens and
reviews.lint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learning import editor, proposals
from learning import rereview as rereview_services
from learning.forms import DecideForm, LensUploadForm, ProposalForm, QuestionEditForm
from learning.lens import LensError, export_lens, import_lens, parse_lens
from learning.models import Proposal, TargetedReReview
from learning.whatif import what_if
from postmortems.models import ContributingFactor, Lesson, Postmortem
from reviews.access import get_document_for_user
from reviews.lint import errors, lint
from reviews.models import Kind, Question, QuestionnaireVersion, Section
from reviews.permissions import is_ops_lead


def _require_ops_lead(request) -> None:
    if not is_ops_lead(request.user):
        raise PermissionDenied("Only ops leads edit and publish questionnaires.")


def _version(kind: str, number: int) -> QuestionnaireVersion:
    if kind not in Kind.values:
        raise Http404("No such questionnaire.")
    return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"),
                             questionnaire__kind=kind, number=number)


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def propose(request, code):
    postmortem = get_document_for_user(
        request, code, "view", queryset=Postmortem.objects.select_related("service__team"))
    if not proposals.may_propose(request.user, postmortem):
        raise PermissionDenied("Questions are proposed from an approved COE.")
    factor = lesson = None
    source_id = request.GET.get("factor") or request.POST.get("factor")
    if source_id:
        factor = get_object_or_404(ContributingFactor, pk=source_id, postmortem=postmortem)
    else:
        source_id = request.GET.get("lesson") or request.POST.get("lesson")
        lesson = get_object_or_404(Lesson, pk=source_id or 0, postmortem=postmortem)
    source = factor or lesson
    form = ProposalForm(request.POST or None, sections=proposals.section_choices(),
                        initial={"guidance": source.text})
    if request.method == "POST" and form.is_valid():
        try:
            proposals.propose(postmortem=postmortem, by=request.user, factor=factor,
                              lesson=lesson, **form.proposal_fields())
        except ValidationError as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, "Question proposed; the ops leads will decide on it.")
            return redirect(reverse("learning:proposals"))
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/propose.html", {
        "postmortem": postmortem, "factor": factor, "lesson": lesson, "source": source,
        "form": form}, status=status)


def proposal_queue(request):
    rows = proposals.mark_visible(list(proposals.queue(request.user)), request.user)
    questionnaire = proposals.orr_questionnaire()
    draft = questionnaire.versions.filter(status="draft").order_by("-number").first()
    published = questionnaire.latest_published()
    return render(request, "learning/proposals.html", {
        "proposals": rows, "ops_lead": is_ops_lead(request.user), "draft": draft,
        "published": published,
        "open_count": sum(1 for p in rows if p.status == Proposal.Status.OPEN),
    })


@require_POST
def proposal_decide(request, pk):
    _require_ops_lead(request)
    proposal = get_object_or_404(Proposal.objects.select_related("postmortem", "proposer"),
                                 pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept, merge or decline.")
        return redirect("learning:proposals")
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            question = proposals.accept(proposal, by=request.user, key=data["key"])
            messages.success(request, f"Accepted as {question.key!r} into draft "
                                      f"v{question.section.version.number}.")
        elif data["decision"] == "merge":
            proposals.merge(proposal, by=request.user, into_key=data["into_key"])
            messages.success(request, f"Merged into {data['into_key']!r}.")
        else:
            proposals.decline(proposal, by=request.user, reason=data["reason"])
            messages.success(request, "Declined; the proposer sees your reason.")
    except ValidationError as exc:
        messages.error(request, _message(exc))
    return redirect(reverse("learning:proposals") + f"#proposal-{proposal.pk}")


def version_page(request, kind, number):
    version = _version(kind, number)
    sections = list(version.sections.order_by("order").prefetch_related("questions"))
    keys = [q.key for s in sections for q in s.questions.all()]
    origin = proposals.provenance(version.questionnaire_id, keys, request.user)
    findings = lint(version) if version.status == "draft" else []
    for section in sections:
        section.rows = [(q, origin.get(q.key, [])) for q in section.questions.all()]
    return render(request, "learning/version.html", {
        "version": version, "sections": sections, "findings": findings,
        "lint_errors": errors(findings), "can_edit": is_ops_lead(request.user),
        "upload": LensUploadForm(),
    })


def whatif_page(request, kind, number):
    _require_ops_lead(request)
    version = _version(kind, number)
    return render(request, "learning/whatif.html", {"version": version,
                                                     "result": what_if(version)})


@require_POST
def publish(request, kind, number):
    _require_ops_lead(request)
    version = _version(kind, number)
    try:
        version.publish()
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Published {version}.")
    return redirect("learning:version", kind=kind, number=number)


def lens_export(request, kind, number):
    version = _version(kind, number)
    exported = export_lens(version)
    response = HttpResponse(exported.dumps(), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-v{version.number}-lens.json"')
    if exported.notes:
        # Also said in the lens description; the header lets a script see it.
        response["X-Lens-Shortened"] = str(len(exported.notes))
    return response


def _latest_page(kind: str) -> str:
    latest = QuestionnaireVersion.objects.filter(questionnaire__kind=kind).order_by(
        "-number").values_list("number", flat=True).first()
    if latest is None:
        return reverse("learning:proposals")
    return reverse("learning:version", kwargs={"kind": kind, "number": latest})


@require_POST
def lens_import(request, kind):
    _require_ops_lead(request)
    if kind not in Kind.values:
        raise Http404("No such questionnaire.")
    form = LensUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a lens JSON file to import.")
        return redirect(_latest_page(kind))
    upload = form.cleaned_data["file"]
    try:
        if upload.size > 500 * 1024:
            raise LensError(["the file is larger than 500 KB, the most a lens may be"])
        version = import_lens(parse_lens(upload.read()), kind=kind)
    except LensError as exc:
        messages.error(request, f"{upload.name} was not imported: " + "; ".join(exc.problems[:8]))
        return redirect(_latest_page(kind))
    messages.success(request, f"Imported {upload.name} as draft {version}.")
    return redirect("learning:version", kind=kind, number=version.number)


# --- the draft editor (ops leads) -----------------------------------------------------------


def _draft_for_edit(request, kind, number) -> QuestionnaireVersion:
    _require_ops_lead(request)
    return _version(kind, number)


def _back(version, anchor: str = ""):
    url = reverse("learning:version", kwargs={"kind": version.questionnaire.kind,
                                              "number": version.number})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def question_edit(request, kind, number, key=None, section_key=None):
    """Add (`section_key`) or edit (`key`) a question of a draft version."""
    version = _draft_for_edit(request, kind, number)
    question = None
    if key is not None:
        question = get_object_or_404(Question.objects.select_related("section"),
                                     section__version=version, key=key)
        section = question.section
    else:
        section = get_object_or_404(Section, version=version, key=section_key)
    form = QuestionEditForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                question = editor.question_add(section, **form.question_fields())
                messages.success(request, f"Added {question.key!r}.")
            else:
                old = question.key
                question = editor.question_change(
                    question, meaning_changed=form.cleaned_data["meaning"] == "changed",
                    **form.question_fields())
                messages.success(request, f"Saved {question.key!r}" + (
                    f" (new key; {old!r} is retired)." if question.key != old else "."))
        except ValidationError as exc:
            form.add_error(None, _message(exc))
        else:
            return _back(version, f"q-{question.key}")
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/question_form.html", {
        "version": version, "section": section, "question": question, "form": form,
        "locked": version.is_locked}, status=status)


@require_POST
def question_action(request, kind, number, key):
    version = _draft_for_edit(request, kind, number)
    question = get_object_or_404(Question.objects.select_related("section__version"),
                                 section__version=version, key=key)
    action = request.POST.get("action")
    try:
        if action == "retire":
            editor.question_retire(question)
            messages.success(request, f"Retired {key!r}; the key is never used again.")
            return _back(version, f"s-{question.section.key}")
        if action in ("up", "down"):
            editor.question_move(question, step=-1 if action == "up" else 1)
        elif action == "move":
            target = get_object_or_404(Section, version=version, key=request.POST.get("section"))
            editor.question_move(question, to_section=target)
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as exc:
        messages.error(request, _message(exc))
    return _back(version, f"q-{key}")


@require_POST
def section_action(request, kind, number):
    version = _draft_for_edit(request, kind, number)
    action = request.POST.get("action")
    try:
        if action == "add":
            title = request.POST.get("title", "").strip()
            if not title:
                raise ValidationError("A section needs a title.")
            section = editor.section_add(version, title=title,
                                         guidance=request.POST.get("guidance", ""))
            return _back(version, f"s-{section.key}")
        section = get_object_or_404(Section, version=version, key=request.POST.get("section"))
        if action in ("up", "down"):
            editor.section_move(section, step=-1 if action == "up" else 1)
        elif action == "retire":
            editor.section_retire(section)
        elif action == "rename":
            section.title = request.POST.get("title", section.title)[:200]
            section.guidance = request.POST.get("guidance", section.guidance)
            section.save()
    except ValidationError as exc:
        messages.error(request, _message(exc))
    return _back(version)


@require_POST
def new_draft(request, kind, number):
    """Copy a published version into a new draft to edit (the published one stays locked)."""
    version = _draft_for_edit(request, kind, number)
    existing = version.questionnaire.versions.filter(status="draft").order_by("-number").first()
    if existing is not None:
        messages.info(request, f"Draft v{existing.number} already exists; edit that one.")
        return _back(existing)
    return _back(version.copy_as_draft())


# --- targeted re-review ---------------------------------------------------------------------


@require_POST
def rereview_start(request, kind, number):
    _require_ops_lead(request)
    version = _version(kind, number)
    try:
        rereview = rereview_services.start(version, by=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("learning:whatif", kind=kind, number=number)
    messages.success(request, f"Started {rereview.items.count()} targeted re-review(s).")
    return redirect("learning:rereview", pk=rereview.pk)


def rereview_page(request, pk):
    _require_ops_lead(request)
    rereview = get_object_or_404(TargetedReReview.objects.select_related("version__questionnaire"),
                                 pk=pk)
    items = list(rereview.items.select_related("review__service", "source"))
    keys = {key for item in items for key in item.asked}
    questions = {q.key: q for q in rereview.version.questions().filter(key__in=keys)}
    origin = proposals.provenance(rereview.version.questionnaire_id, keys, request.user)
    asked = [(questions[k], origin.get(k, [])) for k in sorted(keys) if k in questions]
    return render(request, "learning/rereview.html", {
        "rereview": rereview, "items": items, "asked": asked})
