"""The Chroma adapter against real embedded Chroma: metadata-only updates, rows in the order
asked, ids-only queries, and a kept collection handle that outlives its collection."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.store import ChromaStore

NAME = "chunks-test"


def _filled(tmp_path: Path) -> tuple[ChromaStore, list[str], np.ndarray]:
    store = ChromaStore(tmp_path / "chroma")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    ids = [f"c{i:02d}" for i in range(40)]
    metas = [{"source": f"d{i % 4}.txt", "start": i, "ocr": True} for i in range(40)]
    store.upsert(NAME, ids, vectors, [f"text {i}" for i in ids], metas)
    return store, ids, vectors


def test_metadata_update_replaces_keys_and_keeps_vectors(tmp_path) -> None:
    store, ids, vectors = _filled(tmp_path)
    store.update_metadata(NAME, ids[:3], [{"source": "d0.txt", "start": 100 + n, "ocr": None}
                                          for n in range(3)])  # fmt: skip
    got = {cid: meta for cid, _, meta in store.records(NAME, ids[:4])}
    assert got["c00"] == {"source": "d0.txt", "start": 100}  # the key left out is removed
    assert got["c03"]["ocr"] is True  # others untouched
    assert np.allclose(store.vectors(NAME, ids[:3]), vectors[:3])


def test_vectors_come_in_the_order_asked(tmp_path) -> None:
    store, ids, vectors = _filled(tmp_path)
    asked = [ids[30], ids[2], ids[17], "missing", ids[2]]  # a repeat is returned once
    assert np.allclose(store.vectors(NAME, asked), vectors[[30, 2, 17]])


def test_ids_only_query_finds_the_same_neighbours(tmp_path) -> None:
    store, _, vectors = _filled(tmp_path)
    full = store.query(NAME, vectors[5], 10)
    bare = store.query(NAME, vectors[5], 10, records=False)
    assert [r[0] for r in bare] == [r[0] for r in full] and bare[0][0] == "c05"
    assert np.allclose([r[1] for r in bare], [r[1] for r in full])
    assert all(r[2] == "" and r[3] == {} for r in bare)


def test_a_collection_dropped_and_made_again_is_found_again(tmp_path) -> None:
    store, _, vectors = _filled(tmp_path)
    assert store.query(NAME, vectors[0], 1, records=False)[0][0] == "c00"  # handle kept
    store._client.delete_collection(NAME)  # as another process rebuilding it would
    store.upsert(NAME, ["new"], vectors[:1], ["new text"], [{"source": "n.txt"}])
    assert [r[0] for r in store.query(NAME, vectors[0], 5, records=False)] == ["new"]
    assert store.count(NAME) == 1


def test_collections_get_the_configured_graph_and_old_ones_the_search_width(tmp_path) -> None:
    from assistant.index.store import VectorGraph

    old = ChromaStore(tmp_path / "chroma", graph=VectorGraph(100, 16, 100))
    old.upsert(NAME, ["a"], np.ones((1, 8), dtype=np.float32), ["t"], [{"source": "d.txt"}])
    store = ChromaStore(tmp_path / "chroma")  # this release's defaults
    store.upsert("chunks-new", ["a"], np.ones((1, 8), dtype=np.float32), ["t"], [{"source": "d"}])
    assert store.query(NAME, np.ones(8), 1, records=False)[0][0] == "a"
    again = ChromaStore(tmp_path / "chroma", graph=VectorGraph(100, 16, 100))
    new = again.collection("chunks-new", create=False).configuration["hnsw"]
    assert (new["ef_construction"], new["max_neighbors"], new["ef_search"]) == (200, 32, 400)
    made_old = again.collection(NAME, create=False).configuration["hnsw"]
    # the graph an old collection was built with stays; the search width is this release's
    assert (made_old["ef_construction"], made_old["max_neighbors"]) == (100, 16)
    assert made_old["ef_search"] == 400
