"""``{% load fragments %}`` then
``{% shared_fragment "coe-body" document viewer %}…{% endshared_fragment %}``: the enclosed part
of a document's page drawn once for everyone with the same ``viewer`` key, until the document or
anything shared changes (opsreview/fragments.py). Any further arguments are part of the key too
(a section's key, a page number). A ``viewer`` of None shares nothing: the part is drawn for
this request alone (an editor's forms, a form posted with errors).

The part is drawn with a random stand-in for the CSRF token (``csrf_token`` in the context,
which ``{% csrf_token %}`` and the Jinja2 partials' ``csrf_input`` use), replaced on the way out
by the token of the request at hand, so no one's token is kept or shown to someone else.
"""

from __future__ import annotations

import hashlib
import secrets

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from opsreview import fragments

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, document, vary):
        self.nodelist, self.name, self.document, self.vary = nodelist, name, document, vary

    def render(self, context):
        values = [v.resolve(context) for v in self.vary]
        if not fragments.enabled() or values[0] is None:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        document = self.document.resolve(context)
        vary = repr(values).encode()
        key = (f"fragments:part:{timezone.localdate().isoformat()}:{name}:{document.pk}:"
               f"{hashlib.blake2b(vary, digest_size=16).hexdigest()}")
        request = context.get("request")
        # The versions are read once per request, however many parts the page shares.
        known = getattr(request, "fragment_versions", {}) if request is not None else {}
        if document.pk not in known:
            known[document.pk] = fragments.versions(document.pk)
            if request is not None:
                request.fragment_versions = known
        shared, version = known[document.pk]
        entry = cache.get(key)
        hit = entry is not None and entry[:2] == (shared, version)
        if request is not None:  # counted for the benchmark's hit rate (tests/bench/cpu.py)
            request.shared_fragments = getattr(request, "shared_fragments", "") + "+-"[not hit]
        if hit:
            stand_in, html = entry[2], entry[3]
        else:
            stand_in = secrets.token_hex(16)
            with context.push(csrf_token=stand_in):
                html = self.nodelist.render(context)
            if shared is not None and version is not None:
                cache.set(key, (shared, version, stand_in, html), settings.FRAGMENT_CACHE_SECONDS)
        token = context.get("csrf_token")
        return html.replace(stand_in, str(token) if token else "")


@register.tag
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes a name, the document and the viewer (None: not shared).")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, parser.compile_filter(bits[1]),
                              parser.compile_filter(bits[2]),
                              [parser.compile_filter(b) for b in bits[3:]])
