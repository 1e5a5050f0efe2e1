"""The COE page's "similar factors" panel, rendered by the learning app (postmortems sits below
it and does not import it; the template names the tag library by string)."""

from __future__ import annotations

from collections import defaultdict

from django import template

from learning.similarity import similar_for_postmortem

register = template.Library()


@register.inclusion_tag("learning/_similar.html", takes_context=True)
def similar_factors(context, postmortem):
    matches = similar_for_postmortem(postmortem, context["request"].user)
    by_factor = defaultdict(list)
    for m in matches:
        by_factor[m.factor.pk].append(m)
    groups = []
    for found in by_factor.values():
        codes = sorted({m.other.code for m in found})
        groups.append({"factor": found[0].factor, "matches": found, "codes": codes,
                       "recurred": any(m.recurred_after_fix for m in found)})
    return {"groups": groups, "postmortem": postmortem}
