"""Import an existing service catalog (Backstage descriptors or a CSV of services).

parse (``sources``, ``backstage``, ``csv_services``) → plan (``planning``) → apply
(``applying``). See docs/catalog-import.md.
"""

from catalog.importing.applying import (
    ImportRefused,
    Outcome,
    catalog_import_confirm,
    catalog_import_preview,
    catalog_import_run,
    pending_preview,
)
from catalog.importing.planning import Action, Entity, Plan, plan_import
from catalog.importing.sources import DiskFile, read_sources
from catalog.importing.summary import summary_lines

__all__ = [
    "Action", "DiskFile", "Entity", "ImportRefused", "Outcome", "Plan", "catalog_import_confirm",
    "catalog_import_preview", "catalog_import_run", "pending_preview", "plan_import",
    "read_sources", "summary_lines",
]
