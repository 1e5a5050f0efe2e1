"""Uploaded files in, records out: size cap, text decoding and the choice of reader."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from django.conf import settings

from catalog.importing.backstage import read_backstage
from catalog.importing.csv_services import read_csv
from catalog.importing.records import Parsed, Problem

MAX_FILES = 100  # Django refuses more files in one request by default, too


class SourceFile(Protocol):
    """What an upload and a file on disk both offer (Django's UploadedFile has all three)."""

    name: str
    size: int

    def read(self, size: int = -1) -> bytes: ...


class DiskFile:
    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)
        self.size = path.stat().st_size

    def read(self, size: int = -1) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)


def read_sources(files: list[SourceFile]) -> tuple[Parsed, str]:
    """Read every file into one set of records; return it with the digest of the upload.

    A file over ``CATALOG_IMPORT_MAX_BYTES`` is refused before a byte of it is read.
    """
    parsed = Parsed()
    digest = hashlib.sha256()
    if len(files) > MAX_FILES:
        parsed.problems.append(Problem("upload", None, f"at most {MAX_FILES} files at once"))
        return parsed, digest.hexdigest()
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    for upload in files:
        name = Path(upload.name).name if not isinstance(upload, DiskFile) else upload.name
        if upload.size > limit:
            parsed.problems.append(Problem(
                name, None, f"the file is {upload.size / 1_048_576:.1f} MB; the limit is "
                            f"{limit / 1_048_576:.0f} MB per file"))
            continue
        data = upload.read(limit + 1)  # a file that lied about its size stops at the cap
        if len(data) > limit:
            parsed.problems.append(Problem(name, None, f"the file is over the {limit} byte limit"))
            continue
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            parsed.problems.append(Problem(name, None, f"not UTF-8 text (byte {exc.start})"))
            continue
        reader = read_csv if name.lower().endswith(".csv") else read_backstage
        parsed.extend(reader(text, name))
    return parsed, digest.hexdigest()

