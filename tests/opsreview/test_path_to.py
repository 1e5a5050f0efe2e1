"""path_to(name, *args) is reverse(name, args=args), only faster: the same path for every route
of the project that takes arguments, also under a URL prefix; odd arguments fall back."""

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix

from opsreview.links import path_to


def sample(param, converters) -> str:
    converter = type(converters.get(param)).__name__
    return {"IntConverter": "42", "SlugConverter": "checkout-api",
            "UUIDConverter": "12345678-1234-1234-1234-123456789abc"}.get(converter, "COE-0007")


def namespaced():
    """Every route name with its namespace, as templates write it."""
    resolver = get_resolver()
    found = []
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        for name, params, converters in routes_with_arguments_of(sub):
            found.append((f"{namespace}:{name}", [sample(p, converters) for p in params]))
    return found


def routes_with_arguments_of(resolver):
    for name, entries in resolver.reverse_dict.lists():
        if isinstance(name, str):
            for possibility, _pattern, _defaults, converters in entries:
                for _result, params in possibility:
                    if params:
                        yield name, params, converters


@pytest.mark.parametrize("prefix", ["/", "/ops/"])
def test_every_route_gives_the_path_reverse_gives(prefix):
    set_script_prefix(prefix)
    compared = 0
    try:
        for name, args in namespaced():
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:  # a regular-expression route our samples do not fit
                continue
            assert path_to(name, *args) == expected, name
            compared += 1
    finally:
        set_script_prefix("/")
    assert compared > 40


def test_arguments_a_path_would_quote_are_reversed_the_usual_way():
    assert path_to("postmortems:detail", "COE 1") == reverse("postmortems:detail",
                                                               args=["COE 1"]) == "/coe/COE%201/"
