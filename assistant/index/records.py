"""What the index stores for a chunk: its metadata record (as Chroma keeps it) and the text it is
searched by, the same for the dense and the lexical side."""

from __future__ import annotations

import json
from typing import Any

from assistant.core.text import searchable_text
from assistant.core.types import Chunk, Validity

Metadata = dict[str, str | int | float | bool]


def chunk_metadata(
    chunk: Chunk, meta: dict[str, str], doc_hash: str, fmt: str, ocr: bool = False,
    validity: Validity | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The record stored with a chunk: document metadata, section, page and offsets; ``ocr``
    when its text was read from a page image. Every chunk carries the document's effective and
    last dates; the first chunk also its whole ``validity`` (JSON), which front ends and the
    in-force filter read without the manifest (instances sharing a Chroma server see it)."""
    year = meta.get("date", "")[:4]
    v = validity or Validity()
    full = (
        json.dumps(v.as_dict(), ensure_ascii=False)
        if chunk.ordinal == 0 and not v.is_empty()
        else None
    )
    return {
        "source": chunk.source,
        "title": meta.get("title", ""),
        "issuer": meta.get("issuer", ""),
        "doc_number": meta.get("doc_number", ""),
        "date": meta.get("date", ""),
        "year": int(year) if year.isdigit() else None,
        "doc_type": meta.get("doc_type", ""),
        "url": meta.get("url", ""),
        "section": chunk.section_path,
        "page": chunk.page,
        "page_end": chunk.page_end,
        "start": chunk.start,
        "end": chunk.end,
        "ordinal": chunk.ordinal,
        "doc_hash": doc_hash,
        "format": fmt,
        "ocr": True if ocr else None,
        "effective": v.effective or None,
        "expires": v.expires or None,
        "validity": full,
    }


def clean_metadata(meta: dict[str, Any]) -> Metadata:
    """Chroma stores no None and no empty lists: leave such keys out."""
    return {k: v for k, v in meta.items() if v is not None and v != "" and not isinstance(v, list)}


def record_text(doc: str, meta: dict[str, Any]) -> str:
    """The searched text of a stored chunk (its title and section path, then its text)."""
    return searchable_text(str(meta.get("title", "")), str(meta.get("section", "")), doc)
