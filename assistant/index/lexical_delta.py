"""What a sync changed in a collection, so the BM25 index is updated, not rebuilt."""

from __future__ import annotations

from typing import Any

from assistant.index.records import clean_metadata, record_text


class LexicalDelta:
    """The chunk ids present when the sync began, the ids it removed, and the chunks it wrote
    (id -> searched text, stored text, metadata as Chroma stores it)."""

    def __init__(self, base_ids: set[str]) -> None:
        self.base_ids = set(base_ids)
        self.removed: set[str] = set()
        self.added: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def remove(self, ids: list[str] | set[str]) -> None:
        for cid in ids:
            self.removed.add(cid)
            self.added.pop(cid, None)

    def add(self, ids: list[str], documents: list[str], metas: list[dict[str, Any]]) -> None:
        for cid, doc, meta in zip(ids, documents, metas, strict=True):
            clean: dict[str, Any] = clean_metadata(meta)  # as stored: a rebuild gives the same
            self.added[cid] = (record_text(doc, clean), doc, clean)
            self.removed.discard(cid)
