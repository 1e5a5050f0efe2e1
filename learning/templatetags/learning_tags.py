"""The COE page's "similar factors" panel, rendered by the learning app (postmortems sits below
it and does not import it; the template names the tag library by string)."""

from __future__ import annotations

from collections import defaultdict

from django import template
from django.utils import timezone

from actions.models import ActionItem
from learning.proposals import origins_of_section
from learning.similarity import similar_for_postmortem
from opsreview.templatetags.dates import MONTHS
from opsreview.templatetags.jinja import jinja

register = template.Library()


@register.simple_tag(takes_context=True)
def similar_factors(context, postmortem):
    """The panel, drawn by the Jinja2 partial ``jinja_templates/learning/_similar.html``."""
    # The three closest per factor: more reads as a wall of text, and costs the page.
    matches = similar_for_postmortem(postmortem, context["request"].user, limit=3)
    by_factor = defaultdict(list)
    statuses = dict(ActionItem.Status.choices)
    for m in matches:
        by_factor[m.factor.pk].append(m)
        for item in m.actions:
            # What {{ status display|lower }} {{ closed_at|date:"j M" }} wrote, without
            # Django's choice and date formatters for every item.
            item.state_label = str(statuses.get(item.status, item.status)).lower()
            if item.closed_at:
                closed = timezone.localtime(item.closed_at)
                item.state_label += f" {closed.day} {MONTHS[closed.month]}"
    groups = []
    for found in by_factor.values():
        codes = sorted({m.other.code for m in found})
        groups.append({"factor": found[0].factor, "matches": found, "codes": codes,
                       "recurred": any(m.recurred_after_fix for m in found)})
    return jinja(context, "learning/_similar.html", groups=groups)


@register.simple_tag(takes_context=True)
def section_origins(context, section) -> dict:
    """Question key → the accepted or merged COE proposals behind that question of `section`
    ("Added in v2 after COE-0010" under the question), in one query for the whole section.

    The ORR section editor's question cards show them (`orr` sits below `learning` and does not
    import it; its template names this library by string and hands the result to the cards).
    The tag reads only `section.pk`, so no version is loaded."""
    request = context.get("request")
    return Origins(origins_of_section(section.pk, getattr(request, "user", None)))


class Origins(dict):
    """Question key → proposals; its repr names what a card shows of them (which proposal,
    and whether its COE may be named), so the section's shared cards are kept apart for
    readers who may see different COEs (``{% shared_fragment %}`` keys on it)."""

    def __repr__(self) -> str:
        return repr(sorted((key, [(p.pk, p.source_visible) for p in proposals])
                           for key, proposals in self.items()))
