"""What every printed page (ORR, COE, weekly report) starts from."""

from __future__ import annotations

from django.utils import timezone


def print_base_context(title: str, meta: str) -> dict:
    return {"doc_title": title, "doc_meta": meta, "generated_at": timezone.now()}
