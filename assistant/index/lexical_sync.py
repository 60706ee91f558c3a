"""Keeping the BM25 index beside a collection current: updated from what a sync wrote and
removed when that is possible, otherwise rebuilt from the collection (it is derived data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.core.settings import Settings
from assistant.index.layout import IndexPaths
from assistant.index.lexical import LexicalIndex, fingerprint
from assistant.index.lexical_delta import LexicalDelta
from assistant.index.records import record_text
from assistant.index.store import ChromaStore

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def ensure_lexical(
    settings: Settings, store: ChromaStore, paths: IndexPaths, collection: str,
    progress: Progress | None = None, delta: LexicalDelta | None = None,
) -> LexicalIndex:  # fmt: skip
    """The BM25 index of ``collection``, brought up to date when its fingerprint no longer
    matches Chroma's chunk ids: updated from ``delta`` (what a sync just wrote and removed)
    when the saved index was current when the sync began, otherwise rebuilt from Chroma."""
    progress = progress or _no_progress
    lex = settings.lexical
    folder = paths.lexical(collection)
    want = fingerprint(store.ids(collection), lex.analyzer, lex.k1, lex.b)
    current = LexicalIndex.load(folder)
    if current is not None and current.fingerprint == want:
        return current
    if delta is not None:
        updated = _apply_delta(settings, current, delta, want, progress)
        if updated is not None:
            updated.save(folder)
            progress("lexical", len(delta.added), len(delta.added))
            return updated
    index = _rebuild(settings, store, collection, progress)
    index.save(folder)
    progress("lexical", len(index.ids), len(index.ids))
    return index


def _apply_delta(
    settings: Settings, current: LexicalIndex | None, delta: LexicalDelta, want: str,
    progress: Progress,
) -> LexicalIndex | None:  # fmt: skip
    """The saved index with the delta applied, or None when it cannot be trusted for that."""
    lex = settings.lexical
    base = None
    if not delta.base_ids:
        base = LexicalIndex.build([], [], lex.analyzer, lex.k1, lex.b)
    elif (
        current is not None
        and current.tokens is not None
        and current.analyzer == lex.analyzer
        and current.fingerprint == fingerprint(delta.base_ids, lex.analyzer, lex.k1, lex.b)
    ):
        base = current
    if base is None:
        return None
    progress("lexical", 0, len(delta.added))
    index = base.updated(delta.removed, delta.added, lex.k1, lex.b)
    return index if index.fingerprint == want else None  # exactly the chunks Chroma holds


def _rebuild(
    settings: Settings, store: ChromaStore, collection: str, progress: Progress
) -> LexicalIndex:
    ids: list[str] = []
    texts: list[str] = []
    docs: list[str] = []
    metas: list[dict[str, Any]] = []
    for cid, doc, meta in store.iter_records(collection):
        ids.append(cid)
        texts.append(record_text(doc, meta))
        docs.append(doc)
        metas.append(meta)
    progress("lexical", 0, len(ids))
    lex = settings.lexical
    return LexicalIndex.build(ids, texts, lex.analyzer, lex.k1, lex.b, docs=docs, metas=metas)
