"""The OpenAPI document: served without a token, valid, and true to the answers."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from orr.models import ApiToken


@pytest.fixture
def spec(client, db) -> dict:
    response = client.get(reverse("api:openapi"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    return response.json()


def test_the_document_is_valid_openapi(spec):
    validate(spec)  # raises on any error
    assert spec["openapi"].startswith("3.0")


def test_every_api_route_is_described(spec):
    api = get_resolver().url_patterns
    routes = {
        "/api/v1/" + str(p.pattern).replace("<slug:", "{").replace("<str:", "{")
        .replace("<int:pk>", "{id}").replace(">", "}")
        for include in api if str(include.pattern) == "api/v1/"
        for p in include.url_patterns if str(p.pattern) not in ("openapi.json", "^")
    }
    assert routes == set(spec["paths"])


def test_every_operation_needs_the_bearer_token(spec):
    assert spec["components"]["securitySchemes"]["token"] == {"type": "http",
                                                              "scheme": "bearer"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"token": []}], f"{method} {path}"
            assert "401" in operation["responses"]


def _resolved(spec, schema: dict) -> dict:
    """The schema with its component references written out (they do not nest deeply)."""
    if "$ref" in schema:
        return _resolved(spec, spec["components"]["schemas"][schema["$ref"].split("/")[-1]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return {**_resolved(spec, schema["allOf"][0]),
                **{k: v for k, v in schema.items() if k != "allOf"}}
    out = dict(schema)
    if "properties" in schema:
        out["properties"] = {k: _resolved(spec, v) for k, v in schema["properties"].items()}
    if "items" in schema:
        out["items"] = _resolved(spec, schema["items"])
    return out


def _response_schema(spec, path: str, method: str = "get", code: str = "200") -> dict:
    content = spec["paths"][path][method]["responses"][code]["content"]["application/json"]
    return _resolved(spec, content["schema"])


def test_the_readiness_answer_matches_its_description(client, spec, checkout):
    _, raw = ApiToken.issue(name="pipeline")
    answer = client.get(reverse("api:readiness", args=[checkout.slug]),
                        HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    schema = _response_schema(spec, "/api/v1/services/{slug}/readiness/")
    assert set(schema["required"]) == set(answer)
    OAS30Validator(schema).validate(answer)
    error = _response_schema(spec, "/api/v1/services/{slug}/readiness/", code="404")
    OAS30Validator(error).validate(client.get(
        reverse("api:readiness", args=["nope"]), HTTP_AUTHORIZATION=f"Bearer {raw}").json())


def test_list_and_detail_answers_match_their_descriptions(client, grant, spec, ready_review,
                                                         author):
    from tests.postmortems.conftest import add_action, make_coe

    coe = make_coe(ready_review.service, author)
    add_action(coe)
    api = grant(client, author)
    for path, url in [
        ("/api/v1/services/", reverse("api:services")),
        ("/api/v1/teams/", reverse("api:teams")),
        ("/api/v1/orrs/", reverse("api:orrs")),
        ("/api/v1/orrs/{code}/", reverse("api:orr", args=[ready_review.code])),
        ("/api/v1/coes/", reverse("api:coes")),
        ("/api/v1/coes/{code}/", reverse("api:coe", args=[coe.code])),
        ("/api/v1/action-items/", reverse("api:action_items")),
    ]:
        OAS30Validator(_response_schema(spec, path)).validate(api.get(url).json())
