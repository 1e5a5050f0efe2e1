"""The COE page's "similar factors" panel, rendered by the learning app (postmortems sits below
it and does not import it; the template names the tag library by string)."""

from __future__ import annotations

from collections import defaultdict

from django import template

from learning.proposals import provenance
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


@register.inclusion_tag("learning/_origin.html", takes_context=True)
def question_origin(context, question):
    """ "Added in v2 after COE-0010" under a question; one query per page (cached on the
    request), so a section of twenty questions costs no more than one."""
    request = context.get("request")
    version = question.section.version
    cache = getattr(request, "_question_origin", None) if request is not None else None
    if cache is None or cache[0] != version.questionnaire_id:
        from learning.models import Proposal

        keys = Proposal.objects.filter(version__questionnaire_id=version.questionnaire_id) \
            .values_list("question_key", flat=True)
        cache = (version.questionnaire_id,
                 provenance(version.questionnaire_id, list(keys),
                            request.user if request is not None else None))
        if request is not None:
            request._question_origin = cache
    return {"origin": cache[1].get(question.key, [])}
