"""Store writes behind the encoder: a sync hands each encoded part of a group to one background
thread that upserts it into the collection while the next part is encoded, so the store's time
(Chroma's HNSW insertion and SQLite writes, about 1 s per 1,000 chunks) hides behind encoding
instead of adding to it. Parts are written in the order given; the caller waits for all of them
before it saves the manifest, so a chunk is never listed that is not stored (an interrupted sync
leaves stored chunks the manifest does not list, which the next sync's repair deletes)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from assistant.index.store import ChromaStore

_Part = tuple[list[str], np.ndarray, list[str], list[dict[str, Any]]]


class BackgroundUpserts:
    """Upserts into ``collection`` from one thread. ``submit`` queues a part (at most
    ``pending`` wait, so memory holds a few parts, not the group twice); ``wait`` returns once
    every part is written; an error a write raised is raised again in the caller's thread by
    the next ``submit`` or by ``wait``; ``close`` (always, in a ``finally``) stops after the
    write under way and drops the rest. ``check`` runs before each write (the sync's lease)."""

    def __init__(
        self,
        store: ChromaStore,
        collection: str,
        check: Callable[[], None] = lambda: None,
        pending: int = 2,
    ) -> None:
        self._store, self._collection, self._check = store, collection, check
        self._queue: queue.Queue[_Part | None] = queue.Queue(maxsize=pending)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self.written = 0  # chunks written so far
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (part := self._queue.get()) is not None:
            if self._error is not None or self._stop.is_set():
                continue  # drained without writing
            try:
                self._check()
                self._store.upsert(self._collection, *part)
                self.written += len(part[0])
            except BaseException as exc:  # raised again in the syncing thread
                self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(
        self,
        ids: list[str],
        vectors: np.ndarray,
        documents: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        self._raise()
        if ids:
            self._queue.put((ids, vectors, documents, metadatas))

    def wait(self) -> None:
        """Block until every submitted part is written (or raise the write's error)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def close(self) -> None:
        """Stop: the write under way finishes, the parts still queued are dropped."""
        self._stop.set()
        if self._thread.is_alive():
            self._queue.put(None)  # room is made by the writer skipping what is queued
            self._thread.join()
