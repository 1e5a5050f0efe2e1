"""The upload page of the catalog import: preview first, then apply what was previewed."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.forms import CatalogImportForm
from catalog.importing import (
    Action,
    Entity,
    ImportRefused,
    catalog_import_confirm,
    catalog_import_preview,
    pending_preview,
)
from catalog.models import CatalogImport
from reviews.permissions import can_manage_org


def _require_ops_lead(user) -> None:
    if not can_manage_org(user):
        raise PermissionDenied("Only ops leads and administrators import the catalog.")


def _page(request, form, outcome=None, status=200):
    plan = outcome.plan if outcome else None
    sections = [
        {"entity": entity, "counts": {a: len(plan.of(entity, a)) for a in Action},
         "changed": [c for c in plan.of(entity) if c.action != Action.UNCHANGED],
         "unchanged": plan.of(entity, Action.UNCHANGED)}
        for entity in Entity
    ] if plan else []
    recent = list(CatalogImport.objects.filter(status=CatalogImport.Status.APPLIED)
                  .select_related("created_by")[:10])
    return render(request, "catalog/import.html", {
        "form": form, "outcome": outcome, "plan": plan, "sections": sections, "recent": recent,
        "max_mb": settings.CATALOG_IMPORT_MAX_BYTES // 1_048_576,
    }, status=status)


def catalog_import(request):
    _require_ops_lead(request.user)
    if request.method != "POST":
        return _page(request, CatalogImportForm())
    form = CatalogImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    outcome = catalog_import_preview(files=form.cleaned_data["files"], by=request.user)
    return _page(request, CatalogImportForm(), outcome, status=400 if outcome.plan.blocked else 200)


@require_POST
def catalog_import_apply(request):
    _require_ops_lead(request.user)
    record = pending_preview(digest=request.POST.get("digest", ""), by=request.user)
    if record is None:
        messages.error(request, "That preview has expired or was already applied. "
                                "Upload the files again.")
        return redirect("catalog:import")
    try:
        outcome = catalog_import_confirm(record=record)
    except ImportRefused:
        messages.error(request, "The catalog changed while importing; nothing was changed. "
                                "Upload the files again.")
        return redirect("catalog:import")
    if outcome.stale:
        messages.warning(request, "The catalog changed since this preview. Here is the new "
                                  "preview: check it, then apply it.")
        return _page(request, CatalogImportForm(), outcome, status=409)
    counts = outcome.plan.counts()
    created = sum(counts[e][Action.CREATE] for e in Entity)
    updated = sum(counts[e][Action.UPDATE] for e in Entity)
    messages.success(request, f"Catalog imported: {created} created, {updated} updated.")
    return redirect("catalog:import")
