"""REST API v1: thin views over the apps' selectors, forms and services.

Every view asks `api.permissions` what the token may see and do; writes go through the same
forms and service functions as the pages, so the same rules apply.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.forms import ActionItemForm
from actions.models import ActionItem
from actions.services import item_set_status
from api import permissions as access
from api import serializers as s
from api.authentication import MISSING, raw_token
from api.pagination import DueDateCursor
from catalog.models import Service, Team
from opsreview import pagecache
from opsreview.links import site_url
from orr import readiness
from orr import services as orr_services
from orr.models import ApiToken, ReadinessReview
from postmortems import forms as pm_forms
from postmortems import selectors as pm_selectors
from postmortems import services as pm_services
from postmortems.models import Postmortem
from reviews import gates, permissions
from reviews.models import Answer

ERRORS = {
    401: OpenApiResponse(s.ErrorSerializer, description="Missing, unknown or revoked token"),
    403: OpenApiResponse(s.ErrorSerializer, description="The token lacks the scope, or the "
                         "token's person may not do this"),
    404: OpenApiResponse(s.ErrorSerializer, description="No such resource, or not visible"),
}
BAD_INPUT = {400: OpenApiResponse(s.ErrorSerializer, description="Bad input; nothing changed")}
BAD_FILTER = {400: OpenApiResponse(s.ErrorSerializer, description="A filter that does not parse")}


class ApiView:
    """Reads need the `read` scope; a view's writes need its `write_scope`."""

    write_scope: str | None = None

    def required_scope(self, request) -> str:
        # A view without writes answers them 405 after this check, whatever the token.
        if request.method in SAFE_METHODS or self.write_scope is None:
            return access.READ
        return self.write_scope


def _filters(request, serializer_class) -> dict:
    # A plain dict: a QueryDict would read a missing boolean as an unticked checkbox.
    filters = serializer_class(data=request.query_params.dict())
    filters.is_valid(raise_exception=True)
    return {k: v for k, v in filters.validated_data.items() if v not in (None, "")}


def _form_errors(form) -> ValidationError:
    return ValidationError({name: list(errors) for name, errors in form.errors.items()})


# --- catalog ----------------------------------------------------------------------------------

@extend_schema(tags=["catalog"], responses={200: s.TeamSerializer, **ERRORS})
class TeamList(ApiView, generics.ListAPIView):
    serializer_class = s.TeamSerializer

    def get_queryset(self):
        return _teams(self.request)


@extend_schema(tags=["catalog"], responses={200: s.TeamSerializer, **ERRORS})
class TeamDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = s.TeamSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _teams(self.request)


def _teams(request):
    services = Prefetch("services", access.services(request, Service.objects.order_by("slug")))
    return access.teams(request, Team.objects.prefetch_related(services))


class _ServiceReadiness:
    """Services are shown with their readiness, computed for a whole page at once."""

    def get_queryset(self):
        services = access.services(self.request, Service.objects.select_related("team")
                                   .prefetch_related("tags"))
        team = _filters(self.request, s.ServiceFilterSerializer).get("team")
        return services.filter(team__slug=team) if team else services

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else []
        rows = rows if isinstance(rows, list | tuple) else [rows]
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["readiness"] = readiness.readiness_for_services(rows)
        return s.ServiceSerializer(*args, **kwargs)


class ServiceList(ApiView, _ServiceReadiness, generics.ListAPIView):
    serializer_class = s.ServiceSerializer

    @extend_schema(tags=["catalog"], parameters=[s.ServiceFilterSerializer],
                   responses={200: s.ServiceSerializer(many=True), **BAD_FILTER, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["catalog"], responses={200: s.ServiceSerializer, **ERRORS})
class ServiceDetail(ApiView, _ServiceReadiness, generics.RetrieveAPIView):
    serializer_class = s.ServiceSerializer
    lookup_field = "slug"


# --- ORRs -------------------------------------------------------------------------------------

def _document_filters(qs, filters: dict):
    if "state" in filters:
        qs = qs.filter(state=filters["state"])
    if "team" in filters:
        qs = qs.filter(service__team__slug=filters["team"])
    if "service" in filters:
        qs = qs.filter(service__slug=filters["service"])
    return qs


class OrrList(ApiView, generics.ListAPIView):
    serializer_class = s.OrrSerializer

    @extend_schema(tags=["orrs"], parameters=[s.DocumentFilterSerializer],
                   responses={200: s.OrrSerializer(many=True), **BAD_FILTER, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = ReadinessReview.objects.select_related("service__team", "author")
        qs = access.documents(self.request, qs)
        return _document_filters(qs, _filters(self.request, s.DocumentFilterSerializer))


class OrrDetail(ApiView, APIView):
    @extend_schema(tags=["orrs"], responses={200: s.OrrDetailSerializer, **ERRORS})
    def get(self, request, code):
        review = access.get_document(request, code, queryset=(
            ReadinessReview.objects.select_related("service__team", "author", "version")
            .prefetch_related("assignments__user")))
        review.api_answers = list(
            Answer.objects.filter(document=review)
            .select_related("question__section", "updated_by")
            .order_by("question__section__order", "question__order"))
        review.api_gates = gates.evaluate(review)
        review.api_readiness = readiness.readiness(review.service)
        return Response(s.OrrDetailSerializer(review).data)


RETIRED = "The service “{slug}” is retired; it has no readiness."


class OrrReadiness(ApiView, APIView):
    """The readiness of the service an ORR belongs to (same answer as the service's)."""

    @extend_schema(tags=["orrs"], responses={200: s.ReadinessSerializer, **ERRORS})
    def get(self, request, code):
        review = access.get_document(request, code, queryset=(
            ReadinessReview.objects.select_related("service__team").prefetch_related(
                "assignments")))
        if review.service.is_retired:
            raise NotFound(RETIRED.format(slug=review.service.slug))
        return Response(readiness.readiness_payload(review.service, site_url(request)))


# --- COEs -------------------------------------------------------------------------------------

class CoeList(ApiView, generics.ListAPIView):
    serializer_class = s.CoeSerializer
    write_scope = access.INTAKE

    def get_queryset(self):
        filters = _filters(self.request, s.CoeFilterSerializer)
        qs = Postmortem.objects.select_related("service__team", "author").prefetch_related("tags")
        qs = _document_filters(access.documents(self.request, qs), filters)
        if "severity" in filters:
            qs = qs.filter(severity=filters["severity"])
        return pm_selectors.search(qs, filters.get("q", ""))

    @extend_schema(tags=["coes"], parameters=[s.CoeFilterSerializer],
                   responses={200: s.CoeSerializer(many=True), **BAD_FILTER, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["coes"], request=s.CoeCreateSerializer,
                   responses={201: s.CoeDetailSerializer, **BAD_INPUT, **ERRORS})
    def post(self, request):
        """Open a COE draft, with the New postmortem page's rules."""
        user = request.user
        if not permissions.roles(user).team_ids:
            raise PermissionDenied("Only members of a service team write postmortems.")
        data = s.CoeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = pm_forms.PostmortemForm(_coe_form_data(data.validated_data), user=user)
        if not form.is_valid():
            raise _form_errors(form)
        service = form.cleaned_data["service"]
        access.check_service(request, service)
        postmortem = pm_services.postmortem_create(service=service, by=user, **form.facts())
        return Response(_coe_detail(postmortem), status=status.HTTP_201_CREATED)


def _pks(model, field: str, values: list[str], name: str) -> list[int]:
    """The primary keys of the rows named by `field`; 400 naming the unknown ones (a name is
    never read as a primary key)."""
    found = dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "pk"))
    unknown = [v for v in values if v not in found]
    if unknown:
        raise ValidationError({name: [f"Unknown: {', '.join(unknown)}."]})
    return [found[v] for v in values]


def _coe_form_data(data: dict) -> dict:
    return {
        **{k: data[k] for k in ("title", "incident_start", "incident_tz", "severity",
                                "customers_affected", "customers_description")},
        "service": _pks(Service, "slug", [data["service"]], "service")[0],
        "restricted": "on" if data["restricted"] else "",
        "tags": ", ".join(data["tags"]),
        "affected_services": _pks(Service, "slug", data["affected_services"],
                                  "affected_services"),
        "committee": _pks(get_user_model(), "username", data["committee"], "committee"),
    }


def _coe_detail(postmortem: Postmortem) -> dict:
    postmortem = (
        Postmortem.objects.select_related("service__team", "author")
        .prefetch_related("tags", "affected_services", "assignments__user", "timeline",
                          "factors", "lessons", "action_items")
        .get(pk=postmortem.pk)
    )
    postmortem.api_gates = gates.evaluate(postmortem)
    return s.CoeDetailSerializer(postmortem).data


class CoeDetail(ApiView, APIView):
    @extend_schema(tags=["coes"], responses={200: s.CoeDetailSerializer, **ERRORS})
    def get(self, request, code):
        postmortem = access.get_document(request, code, queryset=(
            Postmortem.objects.select_related("service__team").prefetch_related("assignments")))
        return Response(_coe_detail(postmortem))


# --- action items -----------------------------------------------------------------------------

class ActionItemList(ApiView, generics.ListAPIView):
    serializer_class = s.ActionItemSerializer
    write_scope = access.WRITE_ACTION_ITEMS

    pagination_class = DueDateCursor

    def get_queryset(self):
        f = _filters(self.request, s.ActionItemFilterSerializer)
        items = _items(self.request)
        state = f.get("state")
        if state == "open":
            items = items.open()
        elif state:
            items = items.filter(status=state)
        if f.get("overdue") is True:
            items = items.overdue()
        elif f.get("overdue") is False:
            items = items.exclude(pk__in=ActionItem.objects.overdue().values("pk"))
        for name, lookup in (("team", "team__slug"), ("service", "document__service__slug"),
                             ("owner", "owner__username"), ("priority", "priority")):
            if name in f:
                items = items.filter(**{lookup: f[name]})
        return items

    @extend_schema(tags=["action-items"], parameters=[s.ActionItemFilterSerializer],
                   responses={200: s.ActionItemSerializer(many=True), **BAD_FILTER, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["action-items"], request=s.ActionItemCreateSerializer,
                   responses={201: s.ActionItemSerializer, **BAD_INPUT, **ERRORS})
    def post(self, request):
        """Create an action item for an ORR gap or a COE, with the pages' rules."""
        data = s.ActionItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        document = _editable_document(request, data["document"])
        form = ActionItemForm(_item_form_data(data), team=document.service.team)
        if not form.is_valid():
            raise _form_errors(form)
        item = _create_item(request, document, data, form.cleaned_data)
        item = _items(request).get(pk=item.pk)
        return Response(s.ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


def _editable_document(request, code: str):
    """The ORR or COE the item is for; an unknown code is a 404 like a hidden one."""
    return access.get_document(request, code, "edit")


def _item_form_data(data: dict) -> dict:
    owner = _pks(get_user_model(), "username", [data["owner"]], "owner")[0]
    due = data.get("due_date")
    return {
        "title": data["title"], "owner": owner, "priority": data["priority"],
        "due_date": due.isoformat() if isinstance(due, dt.date) else "",
        "backlog_url": data["backlog_url"], "description": data["description"],
    }


def _create_item(request, document, data: dict, fields: dict) -> ActionItem:
    if isinstance(document, ReadinessReview):
        if "answer" not in data:
            raise ValidationError({"answer": ["An ORR action item addresses one answer (a gap)."]})
        answer = document.answers.filter(pk=data["answer"]).first()
        if answer is None:
            raise ValidationError({"answer": ["No such answer in this ORR."]})
        return orr_services.gap_add_action(answer=answer, by=request.user, **fields)
    factor = lesson = None
    if "factor" in data:
        factor = document.factors.filter(pk=data["factor"]).first()
        if factor is None:
            raise ValidationError({"factor": ["No such contributing factor in this COE."]})
    if "lesson" in data:
        lesson = document.lessons.filter(pk=data["lesson"]).first()
        if lesson is None:
            raise ValidationError({"lesson": ["No such lesson in this COE."]})
    return pm_services.action_add(postmortem=document, by=request.user, factor=factor,
                                  lesson=lesson, **fields)


def _items(request):
    items = ActionItem.objects.select_related("owner", "team", "document__service")
    return access.action_items(request, items)


class ActionItemDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = s.ActionItemSerializer

    def get_queryset(self):
        return _items(self.request)

    @extend_schema(tags=["action-items"], responses={200: s.ActionItemSerializer, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ActionItemStatus(ApiView, APIView):
    write_scope = access.WRITE_ACTION_ITEMS

    @extend_schema(tags=["action-items"], request=s.ActionItemStatusSerializer,
                   responses={200: s.ActionItemSerializer, **BAD_INPUT, **ERRORS})
    def post(self, request, pk):
        """Change the status, as the item's page does (closing needs a note)."""
        item = get_object_or_404(_items(request), pk=pk)
        access.check_change_item(request, item)
        data = s.ActionItemStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item_set_status(item=item, by=request.user, **data.validated_data)
        return Response(s.ActionItemSerializer(item).data)


# --- readiness: the deploy pipeline's question -----------------------------------------------

class ServiceReadiness(APIView):
    """Whether the service's ORR is approved and current.

    Authenticated here rather than by the API's authentication class: the whole answer for a
    token and service is remembered until the next write (revoking the token is one) or the
    ORR's expiry, so a pipeline asking every few seconds costs no query.
    """

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(tags=["catalog"], auth=[{"token": []}],
                   responses={200: s.ReadinessSerializer, **ERRORS})
    def get(self, request, slug):
        raw = raw_token(request)
        base = site_url(request)
        answer = raw and pagecache.remembered(
            f"readiness:{ApiToken.hash(raw)}:{slug}:{base}", lambda: _readiness(raw, slug, base),
            until=_expiry)
        if not answer:
            return Response({"error": MISSING}, status=401,
                            headers={"WWW-Authenticate": 'Bearer realm="api"'})
        code, body, _ = answer
        return Response(body, status=code)


def _readiness(raw: str, slug: str, base: str) -> tuple[int, dict, str | None] | None:
    """(status, body, token expiry) of the readiness answer; None when the token is not a live
    one. A service outside the token's teams is answered as unknown, a retired one as gone (404)."""
    token = ApiToken.authenticate(raw)
    if token is None:
        return None
    expiry = token.expires_at.isoformat() if token.expires_at else None
    if not access.token_allows(token, access.READ):
        return 403, {"error": "This token may not read readiness."}, expiry
    service = Service.objects.filter(slug=slug).select_related("team").first()
    if service is None or not access.token_covers_service(token, service):
        return 404, {"error": f"No service “{slug}”."}, expiry
    if service.is_retired:
        # Never "ready": a pipeline gating on 200 + "ready" must not deploy a retired service.
        return 404, {"error": RETIRED.format(slug=slug)}, expiry
    return 200, readiness.readiness_payload(service, base), expiry


def _expiry(answer: tuple[int, dict, str | None]) -> dt.datetime | None:
    """A ready service turns expired, and a token stops working, by the clock alone: keep the
    answer no longer than the earlier of the two."""
    moments = [dt.datetime.fromisoformat(m) for m in (answer[1].get("expires_at"), answer[2]) if m]
    return min(moments) if moments else None
