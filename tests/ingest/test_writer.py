"""Store writes behind the encoder, on a real embedded Chroma: every part submitted is stored
once ``wait`` returns; a failed write is raised in the caller's thread and nothing after it is
written; ``close`` lets the write under way finish and drops what is still queued."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.core.errors import IndexLockedError
from assistant.index.store import ChromaStore
from assistant.ingest.writer import BackgroundUpserts

NAME = "chunks-writer-test"


def part(start: int, n: int = 3) -> tuple[list[str], np.ndarray, list[str], list[dict]]:
    rng = np.random.default_rng(start)
    vecs = rng.normal(size=(n, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = [f"c{start + i:04d}" for i in range(n)]
    return ids, vecs, [f"第{start + i}条" for i in range(n)], [{"source": "a.txt"}] * n


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    return ChromaStore(tmp_path / "chroma")


def test_every_part_is_stored_once_wait_returns(store: ChromaStore) -> None:
    writer = BackgroundUpserts(store, NAME)
    try:
        for start in range(0, 30, 3):
            writer.submit(*part(start))
        writer.submit([], np.zeros((0, 8), np.float32), [], [])  # an empty part is no write
        writer.wait()
    finally:
        writer.close()
    assert store.ids(NAME) == {f"c{i:04d}" for i in range(30)}
    assert writer.written == 30


def test_a_failed_write_is_raised_in_the_callers_thread_and_stops_the_writes(
    store: ChromaStore,
) -> None:
    calls = {"n": 0}

    def lease() -> None:  # the sync's lease is lost before the third write
        calls["n"] += 1
        if calls["n"] == 3:
            raise IndexLockedError("this sync lost its lease")

    writer = BackgroundUpserts(store, NAME, lease)
    with pytest.raises(IndexLockedError, match="lost its lease"):
        try:
            for start in range(0, 15, 3):
                writer.submit(*part(start))
            writer.wait()
        finally:
            writer.close()
    assert store.ids(NAME) == {f"c{i:04d}" for i in range(6)}


def test_close_finishes_the_write_under_way_and_drops_the_rest(store: ChromaStore) -> None:
    started, release = threading.Event(), threading.Event()

    def hold_first() -> None:
        if not started.is_set():
            started.set()
            release.wait(30)

    writer = BackgroundUpserts(store, NAME, hold_first, pending=2)
    writer.submit(*part(0))
    assert started.wait(30)
    writer.submit(*part(3))
    writer.submit(*part(6))  # the queue is full now
    closing = threading.Thread(target=writer.close)
    closing.start()
    assert writer._stop.wait(30)  # close has begun before the first write may finish
    release.set()
    closing.join(30)
    assert not closing.is_alive()
    assert store.ids(NAME) == {"c0000", "c0001", "c0002"}
