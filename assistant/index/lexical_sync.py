"""Keeping the lexical index beside a collection current: written by the sync as it goes, and
caught up from Chroma when it reflects another state of the collection (another instance
synced it, a sync was killed, the analyzer changed, the copy was lost).

Catching up compares each chunk's id and document hash with Chroma's (metadata only, in
pages), fetches the chunks it lacks and tombstones those Chroma no longer has, so it costs the
difference plus one pass over the metadata, and memory grows with the page size."""

from __future__ import annotations

from collections.abc import Callable

from assistant.core.errors import IndexAccessError, IndexLockedError
from assistant.core.settings import Settings
from assistant.index.layout import IndexPaths
from assistant.index.lexical import LexicalIndex, LexicalWriter, analyzer_key
from assistant.index.lock import IndexLock
from assistant.index.records import record_text
from assistant.index.store import ChromaStore

Progress = Callable[[str, int, int], None]
BATCH = 5000  # chunks fetched and written per step of a catch-up


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def open_writer(settings: Settings, paths: IndexPaths, collection: str) -> LexicalWriter:
    lex = settings.lexical
    return LexicalWriter(paths.lexical(collection), lex.analyzer, lex.k1, lex.b,
                         lex.segment_max_chunks, lex.merge_factor)  # fmt: skip


def catch_up(
    writer: LexicalWriter, store: ChromaStore, collection: str, progress: Progress | None = None
) -> int:
    """Make the copy hold exactly Chroma's chunks (see the module doc); the chunks changed."""
    progress = progress or _no_progress
    have = writer.doc_hashes()
    seen: set[str] = set()
    wanted: list[str] = []
    total = store.count(collection)
    progress("lexical", 0, total)
    changed = 0

    def fetch(ids: list[str]) -> None:
        rows = store.records(collection, ids)
        writer.apply([], [(cid, record_text(doc, meta), doc, meta) for cid, doc, meta in rows])

    for n, (cid, meta) in enumerate(store.iter_metadata(collection), start=1):
        seen.add(cid)
        if have.get(cid) != str(meta.get("doc_hash", "")) or cid not in have:
            wanted.append(cid)
        if len(wanted) >= BATCH:
            fetch(wanted)
            changed += len(wanted)
            wanted = []
            progress("lexical", n, total)
    if wanted:
        fetch(wanted)
        changed += len(wanted)
    gone = [cid for cid in have if cid not in seen]
    writer.apply(gone, [])
    progress("lexical", total, total)
    return changed + len(gone)


def ensure_lexical(
    settings: Settings, store: ChromaStore, paths: IndexPaths, collection: str,
    progress: Progress | None = None,
) -> LexicalIndex:  # fmt: skip
    """The lexical index of ``collection`` for answering: the saved copy when it reflects the
    collection's current state, else caught up first. While a sync of this index folder holds
    the copy, the copy is answered from as it is (it is caught up at a later question)."""
    folder = paths.lexical(collection)
    token = str(store.info(collection).get("sync_token", ""))
    current = LexicalIndex.load(folder)
    lex = settings.lexical
    if (
        current is not None
        and current.token == token
        and current.key == analyzer_key(lex.analyzer, lex.k1, lex.b)
    ):
        return current
    folder.mkdir(parents=True, exist_ok=True)
    try:
        lock = IndexLock(folder, wait=current is None)
        with lock:
            if current is not None:
                current.close()
            with open_writer(settings, paths, collection) as writer:
                if writer.token != token or writer.dirty or writer.rebuilt:
                    catch_up(writer, store, collection, progress)
                    writer.finish(token)
    except IndexLockedError:
        if current is not None:
            return current  # a sync is writing it: answer from the copy as it stands
        raise
    loaded = LexicalIndex.load(folder)
    if loaded is None:
        raise IndexAccessError(
            f"the lexical index in {folder} cannot be read after catching up; delete that "
            "folder and run 'policy-assistant index CORPUS_DIR' (it is rebuilt from Chroma)"
        )
    return loaded
