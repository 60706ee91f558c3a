"""What the index stores for a chunk: its metadata record (as Chroma keeps it) and the text it is
searched by, the same for the dense and the lexical side."""

from __future__ import annotations

from typing import Any

from assistant.core.text import searchable_text
from assistant.core.types import Chunk

Metadata = dict[str, str | int | float | bool]


def chunk_metadata(
    chunk: Chunk, meta: dict[str, str], doc_hash: str, fmt: str, ocr: bool = False
) -> dict[str, Any]:
    """The record stored with a chunk: document metadata, section, page and offsets; ``ocr``
    when its text was read from a page image."""
    year = meta.get("date", "")[:4]
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
    }


def clean_metadata(meta: dict[str, Any]) -> Metadata:
    """Chroma stores no None and no empty lists: leave such keys out."""
    return {k: v for k, v in meta.items() if v is not None and v != "" and not isinstance(v, list)}


def record_text(doc: str, meta: dict[str, Any]) -> str:
    """The searched text of a stored chunk (its title and section path, then its text)."""
    return searchable_text(str(meta.get("title", "")), str(meta.get("section", "")), doc)
