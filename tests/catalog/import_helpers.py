"""Small helpers shared by the catalog import tests."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.importing import DiskFile, catalog_import_run
from catalog.models import Membership, Service, ServiceLink, Team

DATA = Path(__file__).resolve().parent / "data"
BACKSTAGE = DATA / "backstage"


def backstage_files() -> list[DiskFile]:
    return [DiskFile(p) for p in sorted(BACKSTAGE.rglob("*.yaml"))]


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def run(name: str, text: str, **kwargs):
    return catalog_import_run(files=[upload(name, text)], **kwargs)


def snapshot() -> tuple:
    """Every catalog row that an import may touch, with its update time."""
    return (
        sorted(Team.objects.values_list("slug", "name", "description", "email", "source_key",
                                        "updated_at")),
        sorted(Service.objects.values_list("slug", "name", "team__slug", "tier", "lifecycle",
                                           "oncall_contact", "source_key", "updated_at")),
        sorted(get_user_model().objects.values_list("username", "email", "first_name",
                                                    "last_name")),
        sorted(Membership.objects.values_list("team__slug", "user__username", "role")),
        sorted(ServiceLink.objects.values_list("service__slug", "kind", "label", "url")),
    )
