"""The segmented BM25 index: over any sequence of additions, replacements, removals and merges
its scores equal those of one index built from scratch over the live chunks, and those of bm25s
itself (property-based); a reopened index scores the same."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.index.lexical import LexicalIndex, LexicalWriter
from assistant.index.segmented import term_hashes

WORDS = [chr(0x4E00 + i) for i in range(12)]  # a small vocabulary: many shared terms
doc = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12)
op = st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 30), doc), min_size=1, max_size=5)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 30), max_size=4)),
    st.tuples(st.just("merge"), st.just(0)),
)
query = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)


def scores_of(index: LexicalIndex, q: list[str]) -> dict[str, float]:
    got = index.postings.scores(q)
    live = np.flatnonzero(got > 0)
    return dict(zip(index.slot_ids(live), (float(got[i]) for i in live), strict=True))


def assert_top_is_exact(index: LexicalIndex, q: list[str], n: int) -> None:
    """``top`` (pruned) returns every chunk that a full scoring ranks in the best ``n``, ties
    included, with the same scores, under no filter and under a filter."""
    full = index.postings.scores(q)
    rng = np.random.default_rng(len(q) * 31 + n)
    for allowed in (None, rng.random(len(full)) < 0.5):
        want = full if allowed is None else np.where(allowed, full, 0.0)
        slots, vals = index.postings.top(q, n, allowed)
        assert np.allclose(vals, want[slots], atol=1e-5)
        assert (vals > 0).all() and (allowed is None or allowed[slots].all())
        positive = np.flatnonzero(want > 0)
        if len(positive):
            cut = np.sort(want[positive])[::-1][min(n, len(positive)) - 1]
            assert set(np.flatnonzero(want >= cut - 1e-6)) <= set(slots.tolist())


def writer(folder: Path) -> LexicalWriter:
    w = LexicalWriter(folder, "bigram", 1.2, 0.75, max_segment=1000, merge_factor=3)
    w._analyze = str.split  # the test hands tokens directly, space-separated
    return w


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(op, min_size=1, max_size=12), st.lists(query, min_size=1, max_size=3))
def test_segments_rank_as_one_index_built_from_scratch(tmp_path_factory, ops, queries) -> None:
    folder = tmp_path_factory.mktemp("seg")
    live: dict[str, list[str]] = {}
    with writer(folder) as w:
        for kind, arg in ops:
            if kind == "add":
                batch = {f"c{n}": toks for n, toks in arg}
                w.apply([], [(i, " ".join(t), "", {"source": i}) for i, t in batch.items()])
                live.update(batch)
            elif kind == "remove":
                ids = [f"c{n}" for n in arg]
                w.apply(ids, [])
                for i in ids:
                    live.pop(i, None)
            else:
                rows = [r[0] for r in w.con.execute("SELECT name FROM segments")]
                if len(rows) >= 2:
                    w.merge(rows)
        w.finish("t")
    index = LexicalIndex.load(folder)
    assert index is not None and index.count == len(live)
    fresh_folder = tmp_path_factory.mktemp("fresh")
    with writer(fresh_folder) as w:
        w.apply([], [(i, " ".join(t), "", {"source": i}) for i, t in live.items()])
    fresh = LexicalIndex.load(fresh_folder)
    assert fresh is not None
    for q in queries:
        for n in (1, 2, 5):
            assert_top_is_exact(index, q, n)
        got, want = scores_of(index, q), scores_of(fresh, q)
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) < 1e-4 for k in got)
        for t in q:
            assert abs(index.postings.idf_of(term_hashes([t])[0])
                       - fresh.postings.idf_of(term_hashes([t])[0])) < 1e-9  # fmt: skip
        if live:  # the same formula as bm25s (its default, Lucene's)
            ids = list(live)
            vocab = {w: i for i, w in enumerate(WORDS)}
            ref = bm25s.BM25(k1=1.2, b=0.75)
            ref.index(([[vocab[t] for t in live[i]] for i in ids], vocab), show_progress=False)
            present = {t for toks in live.values() for t in toks}
            known = [t for t in q if t in present]
            if known:
                theirs = ref.get_scores(known)
                mine = np.array([got.get(i, 0.0) for i in ids])
                assert np.allclose(mine, theirs, atol=1e-4)
    index.close()
    fresh.close()


def test_term_hashes_are_stable_and_distinct() -> None:
    terms = ["政策", "通知", "policy", "a", "ab", "ba", "工业互联网平台建设", ""]
    h = term_hashes(terms)
    assert len(set(h.tolist())) == len(terms)
    assert term_hashes(["政策"])[0] == h[0]  # the same in any batch, any padding width
    assert term_hashes(["ab", "工业互联网平台建设"])[0] == h[4]


def test_top_skips_the_common_terms_postings_and_stays_exact(tmp_path) -> None:
    """Rare terms decide the best chunks; the common terms' long postings are then only looked
    up for those candidates (in several segments, found in no particular order), and the
    result still holds the true best with their full scores."""
    with writer(tmp_path) as w:
        rows = [
            (f"c{i}", "甲 乙" if i % 3 else "甲", "", {"source": f"d{i % 7}"}) for i in range(3000)
        ]
        for a in range(0, len(rows), 1000):  # several segments
            w.apply([], rows[a : a + 1000])
        w.apply([], [(f"z{i}", "丙 甲" + " 乙" * i, "", {"source": "z"}) for i in range(3)])
        w.apply(["c5", "z1"], [])  # and tombstones
        # A second rare term, in the first segment's place: candidates come unsorted.
        w.apply(["c0", "c1"], [("c0", "丁 甲 乙", "", {"source": "d0"}),
                               ("c1", "丁 丙 乙", "", {"source": "d1"})])  # fmt: skip
        w.finish("t")
    index = LexicalIndex.load(tmp_path)
    assert index is not None
    q = ["丙", "丁", "甲", "乙"]
    slots, vals = index.postings.top(q, 2)
    assert len(slots) < 10  # pruned: not the 3,000 others
    full = index.postings.scores(q)
    assert np.allclose(vals, full[slots])
    want = sorted(((index.slot_ids([i])[0], float(full[i])) for i in np.argsort(-full)[:2]),
                  key=lambda x: (-x[1], x[0]))  # fmt: skip
    got = index.postings.search(q, 2)
    assert [c for c, _ in got] == [c for c, _ in want]
    assert [v for _, v in got] == pytest.approx([v for _, v in want])
    for n in (1, 2, 3, 4, 50):  # 50: more than the rare terms hold, so no pruning
        assert_top_is_exact(index, q, n)
    index.close()
