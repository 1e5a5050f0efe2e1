"""Service tags: one spelling per tag, whatever the page, the import or the API was given.

Tags follow Backstage's rule for `metadata.tags` (lower-case letters, digits and ``: + #``,
words joined by single hyphens, at most 63 characters), so a tag imported from Backstage and
the same tag typed on the service page are one tag. Typed tags are lower-cased and their spaces
and underscores become hyphens; anything else outside the rule is refused with a message.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from catalog.models import ServiceTag

MAX_LENGTH = 63
TAG_RE = re.compile(r"^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$")


def normalise_tag(text: str) -> str:
    """"Customer Facing" → "customer-facing"; ValidationError for what cannot be a tag."""
    tag = re.sub(r"[\s_]+", "-", text.strip().lower())
    if len(tag) > MAX_LENGTH:
        raise ValidationError(f"Tag “{text[:80]}” is longer than {MAX_LENGTH} characters.")
    if not TAG_RE.match(tag):
        raise ValidationError(
            f"Tag “{text[:80]}” may hold only letters, digits, “:”, “+” and “#”, in words "
            "joined by single hyphens.")
    return tag


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, normalised, each once, in the order given."""
    tags: dict[str, None] = {}
    errors = []
    for raw in text.split(","):
        if not raw.strip():
            continue
        try:
            tags.setdefault(normalise_tag(raw))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError(errors)
    return list(tags)


def tags_for(slugs: list[str]) -> list[ServiceTag]:
    """The tag rows for normalised `slugs`, created where missing (two queries at most)."""
    if not slugs:
        return []
    existing = {t.slug: t for t in ServiceTag.objects.filter(slug__in=slugs)}
    missing = [ServiceTag(slug=s) for s in slugs if s not in existing]
    if missing:
        # Another request may create the same tag meanwhile: ignore_conflicts, then read back.
        ServiceTag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.slug: t for t in ServiceTag.objects.filter(slug__in=slugs)}
    return [existing[s] for s in slugs]
