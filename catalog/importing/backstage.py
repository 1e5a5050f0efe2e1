"""Read Backstage descriptor files (``catalog-info.yaml``, one or many documents per file).

Kinds read: Group → team, User → person, Component and System → service. Every other kind is
reported as skipped. The YAML is read with PyYAML's safe loader only, and a document that
reuses an anchor through an alias is refused: aliases are how "billion laughs" bombs grow a few
hundred bytes into gigabytes, and descriptor files have no need for them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from catalog.importing.records import (
    Owner,
    Parsed,
    PersonRecord,
    Problem,
    ServiceRecord,
    Skipped,
    TeamRecord,
)
from catalog.models import ServiceLink
from catalog.tags import normalise_tag

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Backstage's rule for metadata.name: alphanumerics separated by single - _ or .
NAME_RE = re.compile(r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$")
SLUG_MAX = 60
SERVICE_KINDS = {"component", "system"}
# Annotations that carry a link, with the label the service page shows.
LINK_ANNOTATIONS = {
    "backstage.io/source-location": "repository",
    "opsreview.io/runbook": "runbook",
    "opsreview.io/dashboard": "dashboard",
}
# metadata.links entries whose type (or title) says which of the service's links they are.
LINK_TYPES = {"repository": "repository", "repo": "repository", "source": "repository",
              "runbook": "runbook", "dashboard": "dashboard", "oncall": "oncall",
              "on-call": "oncall", "on call": "oncall"}
_url = URLValidator(schemes=["http", "https"])


class _Refused(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _walk(node, lines: dict, path: tuple = ()) -> None:
    """Refuse reused nodes (aliases) and note the line of every mapping key.

    The composer hands an alias back as the very node object it points at, so a node met twice
    is an alias. Walking by identity stays linear however deep a bomb nests.
    """
    seen: set[int] = set()
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        if id(current) in seen:
            raise _Refused(current.start_mark.line + 1,
                           "YAML aliases (*name) are not accepted: the anchor defined here is "
                           "reused. Write the values out in full.")
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if id(key) in seen:
                    raise _Refused(key.start_mark.line + 1, "YAML aliases are not accepted.")
                seen.add(id(key))
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                if len(where) < 4:
                    lines.setdefault((*where, name), key.start_mark.line + 1)
                stack.append((value, (*where, name)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, where) for item in current.value)


def _documents(text: str, source: str):
    """Yield (first line, line map, data) per document; raise _Refused on bad YAML."""
    loader = Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict = {}
            _walk(node, lines)
            yield node.start_mark.line + 1, lines, loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context or 'not valid YAML'}"
        if exc.context and exc.context_mark and exc.problem:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise _Refused(mark.line + 1 if mark else None, message) from None
    except yaml.YAMLError as exc:
        raise _Refused(None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


class _Doc:
    """One descriptor with typed accessors that record a problem on the wrong type."""

    def __init__(self, data: dict, lines: dict, first_line: int, source: str, out: Parsed):
        self.data, self.lines, self.first_line = data, lines, first_line
        self.source, self.out = source, out
        self.ok = True

    def line(self, *path: str) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.first_line) if path else self.first_line

    def problem(self, path: tuple, message: str) -> None:
        self.ok = False
        problem = Problem(self.source, self.line(*path), message)
        if problem not in self.out.problems:  # a field read twice is reported once
            self.out.problems.append(problem)

    def get(self, *path: str):
        value = self.data
        for i, part in enumerate(path):
            if value is None:
                return None
            if not isinstance(value, dict):
                self.problem(path[:i], f"{'.'.join(path[:i])} must be a mapping")
                return None
            value = value.get(part)
        return value

    def text(self, *path: str, required: bool = False, max_length: int = 5000) -> str | None:
        value = self.get(*path)
        name = ".".join(path)
        if value is None:
            if required:
                self.problem(path, f"{name} is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, f"{name} must be text, not {_type(value)}")
            return None
        value = str(value).strip()
        if len(value) > max_length:
            self.problem(path, f"{name} is longer than {max_length} characters")
            return None
        return value

    def strings(self, *path: str) -> list[str]:
        value = self.get(*path)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, f"{'.'.join(path)} must be a list of text")
            return []
        return [v.strip() for v in value]

    def mapping(self, *path: str) -> dict:
        value = self.get(*path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"{'.'.join(path)} must be a mapping, not {_type(value)}")
            return {}
        return value


def _type(value) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), "a value")


def parse_ref(ref: str, default_kind: str) -> tuple[str, str, str]:
    """An entity reference "[kind:][namespace/]name" as (kind, namespace, name), lower case."""
    kind, _, rest = ref.rpartition(":") if ":" in ref else ("", "", ref)
    namespace, _, name = rest.rpartition("/") if "/" in rest else ("", "", rest)
    return ((kind or default_kind).lower(), (namespace or "default").lower(), name.lower())


def entity_key(kind: str, namespace: str, name: str) -> str:
    return f"{kind}:{namespace}/{name}".lower()


def slug_for(name: str) -> str:
    return re.sub(r"[_.]", "-", name.lower())


def _tier(doc: _Doc) -> int | None:
    annotation = settings.CATALOG_TIER_ANNOTATION
    annotations = doc.mapping("metadata", "annotations")
    value = annotations.get(annotation) if annotation else None
    path: tuple = ("metadata", "annotations", annotation)
    if value is None and settings.CATALOG_TIER_TAG_PREFIX:
        prefix = settings.CATALOG_TIER_TAG_PREFIX.lower()
        tags = [t.lower() for t in doc.strings("metadata", "tags")]
        value = next((t[len(prefix):] for t in tags if t.startswith(prefix)), None)
        path = ("metadata", "tags")
    if value is None:
        return None
    if str(value).strip() in {"1", "2", "3"}:
        return int(value)
    doc.problem(path, f"tier {value!r} is not 1, 2 or 3")
    return None


def _tags(doc: _Doc) -> list[str] | None:
    """metadata.tags, normalised; None when the descriptor has no tags list at all."""
    if doc.get("metadata", "tags") is None:
        return None
    tags: dict[str, None] = {}
    for text in doc.strings("metadata", "tags"):
        try:
            tags.setdefault(normalise_tag(text))
        except ValidationError as exc:
            doc.problem(("metadata", "tags"), exc.messages[0])
    return list(tags)


def _links(doc: _Doc) -> list[tuple[str, str, str]]:
    """(kind, label, url) per link: at most one of each kind but "other", http(s) only."""
    links: list[tuple[str, str, str]] = []
    annotations = doc.mapping("metadata", "annotations")
    for annotation, kind in LINK_ANNOTATIONS.items():
        value = annotations.get(annotation)
        if isinstance(value, str) and value.strip():
            # Backstage location values carry a type prefix: "url:https://…".
            links.append((kind, ServiceLink.Kind(kind).label,
                          value.strip().removeprefix("url:")))
    slug = annotations.get("github.com/project-slug")
    if isinstance(slug, str) and slug.strip():
        links.append(("repository", "Repository", f"https://github.com/{slug.strip()}"))
    raw = doc.get("metadata", "links")
    if raw is not None and not isinstance(raw, list):
        doc.problem(("metadata", "links"), "metadata.links must be a list")
        raw = []
    for item in raw or []:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            doc.problem(("metadata", "links"), "every entry of metadata.links needs a url")
            continue
        url = item["url"].strip()
        label = str(item.get("title") or item.get("type") or urlsplit(url).hostname or url)
        kind = LINK_TYPES.get(str(item.get("type") or label).strip().lower(), "other")
        links.append((kind, label[:80], url))
    checked, kinds, urls = [], set(), set()
    for kind, label, url in links:
        try:
            _url(url)
        except ValidationError:
            doc.problem(("metadata",), f"link {label!r} is not an http(s) address: {url!r}")
            continue
        if url in urls or len(url) > 500:
            continue
        if kind in kinds:
            kind = "other"  # a second runbook is just another link
        urls.add(url)
        kinds.add(kind)
        checked.append((kind, label, url))
    return checked


def _oncall(doc: _Doc) -> str | None:
    annotations = doc.mapping("metadata", "annotations")
    for annotation, template in (("opsreview.io/oncall", "{}"),
                                 ("pagerduty.com/service-id", "PagerDuty service {}"),
                                 ("opsgenie.com/team", "Opsgenie team {}")):
        value = annotations.get(annotation)
        if isinstance(value, str) and value.strip():
            return template.format(value.strip())[:200]
    return None


def _read_group(doc: _Doc, key: str, name: str, out: Parsed) -> None:
    members = []
    for ref in doc.strings("spec", "members"):
        kind, _, member = parse_ref(ref, "user")
        if kind != "user":
            doc.problem(("spec", "members"), f"member {ref!r} is not a user")
        members.append(member)
    display = doc.text("spec", "profile", "displayName", max_length=120)
    email = doc.text("spec", "profile", "email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            doc.problem(("spec", "profile", "email"), f"{email!r} is not an e-mail address")
    team = TeamRecord(
        key=key, slug=slug_for(name), source=doc.source, line=doc.first_line,
        name=display or doc.text("metadata", "title", max_length=120) or name,
        description=doc.text("metadata", "description"), email=email, members=members,
    )
    if doc.ok:
        out.teams.append(team)


def _read_user(doc: _Doc, name: str, out: Parsed) -> None:
    email = doc.text("spec", "profile", "email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            doc.problem(("spec", "profile", "email"), f"{email!r} is not an e-mail address")
    display = doc.text("spec", "profile", "displayName", max_length=300)
    first, _, last = (display or "").partition(" ")
    groups = [entity_key(*parse_ref(ref, "group")) for ref in doc.strings("spec", "memberOf")]
    person = PersonRecord(
        username=name, source=doc.source, line=doc.first_line, email=email,
        first_name=first[:150] if display else None, last_name=last[:150] if display else None,
        groups=groups,
    )
    if doc.ok:
        out.people.append(person)


def _read_service(doc: _Doc, key: str, name: str, out: Parsed) -> None:
    owner_text = doc.text("spec", "owner", required=True, max_length=255)
    owner = None
    if owner_text:
        kind, namespace, team = parse_ref(owner_text, "group")
        if kind != "group":
            doc.problem(("spec", "owner"), f"owner {owner_text!r} is not a group: OpsReview "
                                           "services are owned by teams")
        owner = Owner(text=owner_text, key=entity_key(kind, namespace, team), slug=slug_for(team),
                      line=doc.line("spec", "owner"))
    service = ServiceRecord(
        key=key, slug=slug_for(name), source=doc.source, line=doc.first_line, owner=owner,
        name=doc.text("metadata", "title", max_length=120) or name,
        description=doc.text("metadata", "description"),
        lifecycle=doc.text("spec", "lifecycle", max_length=40),
        tier=_tier(doc), oncall_contact=_oncall(doc), links=_links(doc), tags=_tags(doc),
    )
    if doc.ok:
        out.services.append(service)


def _read_document(doc: _Doc, out: Parsed) -> None:
    if not isinstance(doc.data, dict):
        doc.problem((), f"a descriptor must be a mapping, not {_type(doc.data)}")
        return
    kind = doc.text("kind", required=True, max_length=40)
    name = doc.text("metadata", "name", required=True, max_length=63)
    namespace = doc.text("metadata", "namespace", max_length=63) or "default"
    if not doc.ok:
        return
    if not NAME_RE.match(name):
        doc.problem(("metadata", "name"), f"metadata.name {name!r} is not a valid entity name "
                                          "(letters and digits separated by - _ or .)")
        return
    lowered = kind.lower()
    if lowered not in SERVICE_KINDS | {"group", "user"}:
        out.skipped.append(Skipped(doc.source, doc.first_line, kind, name))
        return
    if lowered != "user" and len(slug_for(name)) > SLUG_MAX:
        doc.problem(("metadata", "name"), f"metadata.name is longer than {SLUG_MAX} characters")
        return
    out.families.add(lowered)
    key = entity_key(lowered, namespace, name)
    if lowered == "group":
        _read_group(doc, key, name, out)
    elif lowered == "user":
        _read_user(doc, name, out)
    else:
        _read_service(doc, key, name, out)


def read_backstage(text: str, source: str) -> Parsed:
    out = Parsed()
    try:
        for first_line, lines, data in _documents(text, source):
            if data is not None:
                _read_document(_Doc(data, lines, first_line, source, out), out)
    except _Refused as refused:
        # A file that is not valid YAML contributes nothing, not the documents before the error.
        return Parsed(problems=[Problem(source, refused.line, refused.message)])
    return out
