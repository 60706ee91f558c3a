"""The segmented BM25 index: over any sequence of additions, replacements, removals and merges
its scores equal those of one index built from scratch over the live chunks, and those of bm25s
itself (property-based); saved and loaded it scores the same."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.index.segmented import SegmentedBM25

WORDS = [chr(0x4E00 + i) for i in range(12)]  # a small vocabulary: many shared terms
doc = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12)
op = st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 30), doc), min_size=1, max_size=5)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 30), max_size=4)),
    st.tuples(st.just("merge"), st.integers(1, 3)),
)
query = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)


def rebuilt(live: dict[str, list[str]]) -> SegmentedBM25:
    fresh = SegmentedBM25()
    fresh.add(list(live), list(live.values()))
    return fresh


@settings(max_examples=60, deadline=None)
@given(st.lists(op, min_size=1, max_size=12), st.lists(query, min_size=1, max_size=3))
def test_segments_rank_as_one_index_built_from_scratch(ops, queries) -> None:
    index = SegmentedBM25()
    live: dict[str, list[str]] = {}
    for kind, arg in ops:
        if kind == "add":
            batch = {f"c{n}": toks for n, toks in arg}
            index.add(list(batch), list(batch.values()))
            live.update(batch)
        elif kind == "remove":
            ids = [f"c{n}" for n in arg]
            index.remove(ids)
            for i in ids:
                live.pop(i, None)
        else:
            index.merge(arg)
            assert len(index.segments) <= arg
    fresh = rebuilt(live)
    assert index.n == fresh.n == len(live) and index.df == fresh.df
    for q in queries:
        got, want = index.scores(q), fresh.scores(q)
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) < 1e-9 for k in got)
        assert [i for i, _ in index.search(q, 5)] == [i for i, _ in fresh.search(q, 5)]
        if live:  # the same formula as bm25s (its default, Lucene's)
            ids = list(live)
            vocab = {w: i for i, w in enumerate(WORDS)}
            ref = bm25s.BM25(k1=1.2, b=0.75)
            ref.index(([[vocab[t] for t in live[i]] for i in ids], vocab), show_progress=False)
            known = [t for t in q if t in index.df]
            if known:
                theirs = ref.get_scores(known)
                mine = np.array([got.get(i, 0.0) for i in ids])
                assert np.allclose(mine, theirs, atol=1e-5)


def test_saved_and_loaded_it_scores_the_same(tmp_path: Path) -> None:
    index = SegmentedBM25()
    index.add(["a", "b", "c"], [list("政策通知"), list("通知要求"), list("工业互联网")])
    index.save(tmp_path)
    index.add(["d"], [list("互联网平台")])
    index.remove(["b"])
    index.save(tmp_path)
    assert len(list(tmp_path.glob("seg-*.npz"))) == 2
    again = SegmentedBM25.load(tmp_path)
    q = list("互联网通知")
    assert again.scores(q) == index.scores(q) and "b" not in again.scores(q)
    again.merge(1)
    again.save(tmp_path)
    assert len(list(tmp_path.glob("seg-*.npz"))) == 1  # the merged-away segments are deleted
    assert SegmentedBM25.load(tmp_path).scores(q) == index.scores(q)
