"""Metadata filters on search: issuer, type, date range, source glob. ``matches`` checks a
chunk's record; ``chroma_where`` is the part Chroma can apply itself."""

from __future__ import annotations

import fnmatch
from typing import Any

from assistant.core.types import SearchFilters


def date_in_range(date: str, lo: str, hi: str) -> bool:
    """Compare at the precision both sides have: '2025' is within 2025-03-01..2025-12-31."""
    if not (lo or hi):
        return True
    if not date:
        return False
    if lo:
        n = min(len(date), len(lo))
        if date[:n] < lo[:n]:
            return False
    if hi:
        n = min(len(date), len(hi))
        if date[:n] > hi[:n]:
            return False
    return True


def matches(meta: dict[str, Any], f: SearchFilters) -> bool:
    """True when a chunk record passes every filter that is set."""
    if f.issuer and f.issuer not in str(meta.get("issuer", "")):
        return False
    if f.doc_type and meta.get("doc_type", "") != f.doc_type:
        return False
    if not date_in_range(str(meta.get("date", "")), f.date_from, f.date_to):
        return False
    return not (f.source and not fnmatch.fnmatchcase(str(meta.get("source", "")), f.source))


def chroma_where(f: SearchFilters) -> dict[str, Any] | None:
    """The part of the filters Chroma can apply itself (the rest is checked afterwards)."""
    parts: list[dict[str, Any]] = []
    if f.doc_type:
        parts.append({"doc_type": f.doc_type})
    if f.date_from[:4].isdigit():
        parts.append({"year": {"$gte": int(f.date_from[:4])}})
    if f.date_to[:4].isdigit():
        parts.append({"year": {"$lte": int(f.date_to[:4])}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
