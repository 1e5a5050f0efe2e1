"""Backups: every team, service, questionnaire version, document and action item, and the
files attached to postmortems.

A backup is a zip archive: ``data.json`` (Django's serialisation, users and groups referred to
by their natural keys), ``media/<name>`` for every attachment file, and ``MANIFEST.json`` with
the SHA-256 of each of them. A bare ``.json`` (the older format, or standard output) holds the
rows only.

A restore is not a raw fixture load. It refuses:

- an archive whose files do not match its manifest, or whose names leave the archive;
- a backup that grants superuser or staff rights (a backup never carries them: export leaves
  them out; create administrators with ``createsuperuser``);
- any object that breaks the app's rules (the model's choices, lengths and clean());
- a database that already has documents or questionnaires; and one that has users, unless
  asked to merge (``--merge``): users and groups are then matched by their natural keys
  (username, name) and existing ones are kept exactly as they are, never overwritten; any
  other row whose primary key is taken is refused;
- attachment rows whose file is not in the archive.

Rows are saved "raw" (as loaddata does) once all of them passed, so the published-version lock
and the append-only log do not refuse the restore itself.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import posixpath
import zipfile
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction

from postmortems.models import Attachment
from reviews.models import Document, Questionnaire

# Order matters: what others refer to comes first, so a restore can check as it goes.
MODELS = [
    "auth.group",
    "auth.user",
    "catalog",
    "reviews",
    "orr",
    "postmortems",
    "actions",
]
FORMAT = 1
DATA = "data.json"
MANIFEST = "MANIFEST.json"
MEDIA = "media/"
# Attachments are at most a few MB; anything far larger in an archive is not ours.
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
PRIVILEGE_FIELDS = ("is_superuser", "is_staff")


class ImportRefused(Exception):
    pass


# --- export ----------------------------------------------------------------------------------


def export_rows() -> str:
    """Every row as JSON; users without superuser/staff flags or permissions."""
    rows = []
    for model in _export_models():
        queryset = model._default_manager.order_by(model._meta.pk.name)
        rows += serializers.serialize("python", queryset, use_natural_foreign_keys=True)
    for row in rows:
        if row["model"] == "auth.user":
            for name in PRIVILEGE_FIELDS:
                row["fields"][name] = False
            row["fields"]["user_permissions"] = []
    return json.dumps(rows, indent=1, ensure_ascii=False, cls=ExactEncoder)


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's cuts them to milliseconds,
    so a restored row would differ from the one backed up)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _export_models() -> list[type[models.Model]]:
    """The models of MODELS, those referred to first (the order dumpdata uses)."""
    chosen: dict = {}
    for label in MODELS:
        if "." in label:
            model = apps.get_model(label)
            chosen.setdefault(model._meta.app_config, []).append(model)
        else:
            chosen[apps.get_app_config(label)] = None
    return [model for model in serializers.sort_dependencies(chosen.items(), allow_cycles=True)
            if model._meta.managed and not model._meta.proxy]


def export_data(stream: io.TextIOBase) -> None:
    """The rows only (no files), e.g. to standard output."""
    stream.write(export_rows())


def export_archive(path: str | Path) -> dict[str, str]:
    """Rows and attachment files in a zip archive with a checksum manifest; the manifest."""
    files: dict[str, bytes] = {DATA: export_rows().encode()}
    for name in Attachment.objects.order_by("pk").values_list("file", flat=True):
        if name and default_storage.exists(name):
            with default_storage.open(name, "rb") as f:
                files[MEDIA + name] = f.read()
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps({"format": FORMAT, "sha256": manifest}, indent=1))
        for name, data in files.items():
            archive.writestr(name, data)
    return manifest


# --- import ----------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    parts = name.split("/")
    return (not name.startswith("/") and "\\" not in name and "\x00" not in name
            and all(p not in ("", ".", "..") for p in parts))


def read_archive(path: str | Path) -> tuple[str, dict[str, bytes]]:
    """data.json and the media files of an archive whose every file matches its manifest."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"Not a backup archive: {exc}") from exc
    with archive:
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        bad = [name for name in infos if not _safe_member(name)]
        if bad:
            raise ImportRefused(f"Unsafe file names in the archive: {bad[:5]}")
        if MANIFEST not in infos or DATA not in infos:
            raise ImportRefused(f"The archive lacks {MANIFEST} or {DATA}.")
        try:
            manifest = json.loads(archive.read(MANIFEST))["sha256"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ImportRefused(f"Unreadable manifest: {exc}") from exc
        listed, present = set(manifest), set(infos) - {MANIFEST}
        if listed != present:
            raise ImportRefused(
                f"The archive's files do not match its manifest: missing "
                f"{sorted(listed - present)[:5]}, not listed {sorted(present - listed)[:5]}.")
        contents = {}
        for name in sorted(present):
            if infos[name].file_size > MAX_MEMBER_BYTES:
                raise ImportRefused(f"{name} is too large for a backup.")
            data = archive.read(name)
            if hashlib.sha256(data).hexdigest() != manifest[name]:
                raise ImportRefused(f"{name} does not match its checksum in the manifest.")
            contents[name] = data
    media = {name[len(MEDIA):]: data for name, data in contents.items()
             if name.startswith(MEDIA)}
    unknown = set(contents) - {DATA} - {MEDIA + n for n in media}
    if unknown:
        raise ImportRefused(f"Unexpected files in the archive: {sorted(unknown)[:5]}")
    return contents[DATA].decode(), media


def _check_lengths(obj: models.Model) -> None:
    """max_length of text fields too (Django checks it in forms only, the app's rule)."""
    for field in obj._meta.local_concrete_fields:
        value = getattr(obj, field.attname, None)
        if field.max_length and isinstance(value, str) and len(value) > field.max_length:
            raise ValidationError(
                {field.name: f"{len(value):,} characters; at most {field.max_length:,}."})


def _validate(obj: models.Model) -> None:
    """The model's own rules: choices, blanks, lengths and clean(). References are checked
    once everything is in (they may point forward)."""
    # A multi-table child's row holds its own fields; its parent's come in the parent's row.
    own = {f.name for f in obj._meta.local_concrete_fields if not f.is_relation}
    relations = [f.name for f in obj._meta.fields if f.name not in own]
    _check_lengths(obj)
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def _describe(obj: models.Model) -> str:
    return f"{obj._meta.label} pk={obj.pk}"


@transaction.atomic
def import_data(path: str | Path, *, merge: bool = False) -> dict[str, int]:
    """Restore a backup (archive or bare JSON); counts of what was added, per model."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        data, media = read_archive(path)
    else:
        data, media = path.read_text(encoding="utf-8"), {}
    if Document.objects.exists() or Questionnaire.objects.exists():
        raise ImportRefused(
            "The database already holds questionnaires or documents; import into an empty, "
            "migrated database."
        )
    User = get_user_model()
    if User.objects.exists() and not merge:
        raise ImportRefused(
            "The database already has users; a restore would overwrite them. Import into an "
            "empty database, or pass --merge to keep existing users and groups (matched by "
            "username and name) and add the others."
        )
    try:
        rows = json.loads(data)
    except ValueError as exc:
        raise ImportRefused(f"Not a backup: {exc}") from exc
    granted = [r.get("fields", {}).get("username") for r in rows
               if isinstance(r, dict) and r.get("model") == "auth.user"
               and any(r.get("fields", {}).get(f) for f in PRIVILEGE_FIELDS)]
    if granted:
        raise ImportRefused(f"The backup grants superuser or staff rights to {granted[:5]}; "
                            f"a backup never carries them. Refused.")
    _check_files(media)
    added: dict[str, int] = {}
    deferred = []
    try:
        for item in serializers.deserialize("json", data, handle_forward_references=True):
            obj = item.object
            if isinstance(obj, User | Group):
                key = {"username": obj.username} if isinstance(obj, User) else {"name": obj.name}
                if type(obj).objects.filter(**key).exists():
                    continue  # merging: the existing one stays exactly as it is
                if merge:
                    obj.pk = None  # a new row; others refer to it by its natural key
                if isinstance(obj, User):
                    item.m2m_data.pop("user_permissions", None)
            elif type(obj)._base_manager.filter(pk=obj.pk).exists():
                raise ImportRefused(f"{_describe(obj)} already exists; a restore never "
                                    f"overwrites a row.")
            if isinstance(obj, Attachment) and obj.file.name not in media:
                raise ImportRefused(f"The file of {_describe(obj)} ({obj.file.name}) is not in "
                                    f"the backup; restore from an archive made by export_data.")
            try:
                _validate(obj)
            except ValidationError as exc:
                raise ImportRefused(f"{_describe(obj)} breaks the app's rules: "
                                    f"{'; '.join(exc.messages)[:500]}") from exc
            item.save()
            if item.deferred_fields:
                deferred.append(item)
            added[obj._meta.label] = added.get(obj._meta.label, 0) + 1
        for item in deferred:
            item.save_deferred_fields()
        connection.check_constraints()
    except (serializers.base.DeserializationError, ValidationError, LookupError,
            IntegrityError, ObjectDoesNotExist) as exc:
        raise ImportRefused(f"The backup does not fit this database: {exc}"[:1000]) from exc
    _restore_files(media)
    return added


def _check_files(media: dict[str, bytes]) -> None:
    """Before anything is written: every name safe, no file overwritten with other contents."""
    for name, data in media.items():
        if posixpath.normpath(name) != name or not _safe_member(name):
            raise ImportRefused(f"Unsafe file name: {name}")
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as f:
                if f.read() != data:
                    raise ImportRefused(f"{name} exists with other contents; not overwritten.")


def _restore_files(media: dict[str, bytes]) -> None:
    for name, data in media.items():
        if default_storage.exists(name):
            continue  # the same contents (_check_files)
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            default_storage.delete(saved)
            raise ImportRefused(f"{name} could not be restored under its own name.")
