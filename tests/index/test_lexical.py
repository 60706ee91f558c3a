"""The BM25 index: an updated index ranks exactly as one built from scratch; saving and loading
keep it; a damaged copy is reported as missing (then rebuilt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.lexical import LexicalIndex, fingerprint

TEXTS = {
    "a": "拟安排地方政府专项债券4.4万亿元",
    "b": "赤字率拟按4%左右安排",
    "c": "推进“人工智能+”行动，发展工业互联网",
    "d": "GDP growth target of around 5 percent",
}


def build(ids: list[str]) -> LexicalIndex:
    return LexicalIndex.build(ids, [TEXTS[i] for i in ids], docs=[TEXTS[i] for i in ids])


def test_update_equals_a_fresh_build() -> None:
    old = build(["a", "b", "c"])
    new = old.updated({"a"}, {"d": (TEXTS["d"], TEXTS["d"], {"source": "d.txt"})}, 1.2, 0.75)
    fresh = build(["b", "c", "d"])
    assert sorted(new.ids) == sorted(fresh.ids)
    assert new.fingerprint == fresh.fingerprint == fingerprint(["b", "c", "d"], "bigram", 1.2, 0.75)
    for query in ("专项债券", "人工智能 工业互联网", "growth target", "赤字率"):
        got = dict(zip(new.ids, new.scores(query), strict=True))
        want = dict(zip(fresh.ids, fresh.scores(query), strict=True))
        assert got.keys() == want.keys()
        assert np.allclose([got[k] for k in want], list(want.values()))
    assert new.search("growth target", 1)[0][0] == "d"


def test_save_load_round_trip_and_damage(tmp_path: Path) -> None:
    index = build(["a", "b", "c", "d"])
    folder = tmp_path / "lexical"
    index.save(folder)
    loaded = LexicalIndex.load(folder)
    assert loaded is not None and loaded.fingerprint == index.fingerprint
    assert loaded.search("人工智能", 1)[0][0] == "c"
    assert loaded.tokens is not None and len(loaded.tokens) == 4
    (folder / "records.json").write_text("{not json", encoding="utf-8")
    assert LexicalIndex.load(folder) is None


def test_empty_index_and_unknown_terms() -> None:
    empty = LexicalIndex.build([], [])
    assert empty.search("任何") == []
    index = build(["a", "b"])
    assert index.search("完全无关的词语") == []
    assert index.idf("从未出现") > index.idf("安排")
