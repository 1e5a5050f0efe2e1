"""Reads shared by every document kind."""

from __future__ import annotations

# The visibility rule lives in reviews.visibility; this name stays for the callers that read
# documents through selectors.
from reviews.visibility import visible_documents

__all__ = ["visible_documents"]
