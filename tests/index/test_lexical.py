"""The lexical index: records and scores survive reopening; an update equals a fresh build;
filters and tombstones act per chunk; a process killed during a segment merge (SIGKILL) leaves
the last committed index usable, and the next writer finishes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.index.lexical import LexicalIndex, LexicalWriter

TEXTS = {
    "a": "拟安排地方政府专项债券4.4万亿元",
    "b": "赤字率拟按4%左右安排",
    "c": "推进“人工智能+”行动，发展工业互联网",
    "d": "GDP growth target of around 5 percent",
}


def rows(ids: list[str]) -> list[tuple[str, str, str, dict]]:
    return [(i, TEXTS[i], TEXTS[i], {"source": f"{i}.txt", "ordinal": 0}) for i in ids]


def scores(index: LexicalIndex, query: str) -> dict[str, float]:
    s = index.scores(query)
    live = np.flatnonzero(s > 0)
    return dict(zip(index.slot_ids(live), (float(s[i]) for i in live), strict=True))


def test_update_equals_a_fresh_build(tmp_path: Path) -> None:
    with LexicalWriter(tmp_path / "up", "bigram", 1.2, 0.75) as w:
        w.apply([], rows(["a", "b", "c"]))
        w.apply(["a"], rows(["d"]))
        w.finish("t1")
    updated = LexicalIndex.load(tmp_path / "up")
    fresh = LexicalIndex.build(["b", "c", "d"], [TEXTS[i] for i in "bcd"], folder=tmp_path / "f")
    assert updated is not None and updated.token == "t1" and updated.count == 3
    for query in ("专项债券", "人工智能 工业互联网", "growth target", "赤字率"):
        got, want = scores(updated, query), scores(fresh, query)
        assert got.keys() == want.keys()
        assert np.allclose([got[k] for k in want], list(want.values()))
    assert updated.search("growth target", 1)[0][0] == "d"
    assert updated.records(["a", "d"]).keys() == {"d"}
    assert {s for s, _ in updated.documents.values()} == {"b.txt", "c.txt", "d.txt"}


def test_filters_select_documents_and_records_come_back(tmp_path: Path) -> None:
    index = LexicalIndex.build(
        list(TEXTS), list(TEXTS.values()), docs=list(TEXTS.values()), folder=tmp_path / "x",
        metas=[{"source": f"{i}.txt", "issuer": "财政部" if i in "ab" else "工信部"} for i in TEXTS],
    )  # fmt: skip
    keep = {d: meta.get("issuer") == "财政部" for d, (_, meta) in index.documents.items()}
    mask = index.doc_mask(keep)
    s = np.where(mask, index.scores("安排 工业互联网"), 0)
    assert set(index.slot_ids(np.flatnonzero(s > 0))) == {"a", "b"}
    text, meta = index.records(["c"])["c"]
    assert text == TEXTS["c"] and meta["issuer"] == "工信部"


def test_sample_is_the_same_whatever_order_the_chunks_were_written_in(tmp_path: Path) -> None:
    one = LexicalIndex.build(list("abcd"), [TEXTS[i] for i in "abcd"], folder=tmp_path / "1")
    with LexicalWriter(tmp_path / "2", "bigram", 1.2, 0.75) as w:
        w.apply([], rows(["d", "c"]))
        w.apply([], rows(["b", "a"]))
        w.finish("t")
    two = LexicalIndex.load(tmp_path / "2")
    assert two is not None
    assert one.sample(3) == two.sample(3) == ["a", "b", "c"]
    with LexicalWriter(tmp_path / "2", "bigram", 1.2, 0.75) as w:
        w.apply(["a"], [])
        w.finish("t2")
    after = LexicalIndex.load(tmp_path / "2")
    assert after is not None and after.sample(10) == ["b", "c", "d"]  # live chunks only


def test_empty_index_unknown_terms_and_a_missing_folder(tmp_path: Path) -> None:
    empty = LexicalIndex.build([], [], folder=tmp_path / "e")
    assert empty.search("任何") == [] and empty.count == 0
    index = LexicalIndex.build(["a", "b"], [TEXTS["a"], TEXTS["b"]], folder=tmp_path / "ab")
    assert index.search("完全无关的词语") == []
    assert index.idf("从未出现") > index.idf("安排")
    assert LexicalIndex.load(tmp_path / "nothing") is None


def test_tiered_merges_keep_segments_few_and_bounded(tmp_path: Path) -> None:
    with LexicalWriter(tmp_path / "m", "bigram", 1.2, 0.75, max_segment=40, merge_factor=3) as w:
        for n in range(30):
            w.apply(
                [], [(f"c{n}-{j}", f"第{n}条 政策 {j}", "", {"source": f"s{n}"}) for j in range(4)]
            )
        sizes = [r[0] for r in w.con.execute("SELECT live FROM segments")]
        assert w.merged > 0 and len(sizes) < 12 and max(sizes) <= 40 and sum(sizes) == 120
        w.finish("t")
    assert LexicalIndex.load(tmp_path / "m").count == 120


KILLED_MERGE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import assistant.index.lexical as lexical
    from assistant.index.lexical import LexicalWriter
    slow = lexical.merged
    def merged(*a, **k):
        print("merging", flush=True)
        time.sleep(30)
        return slow(*a, **k)
    lexical.merged = merged
    w = LexicalWriter(Path(sys.argv[1]), "bigram", 1.2, 0.75)
    names = [r[0] for r in w.con.execute("SELECT name FROM segments")]
    w.merge(names)
    """
)
KILLED_COMMIT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assistant.index.lexical import LexicalWriter
    w = LexicalWriter(Path(sys.argv[1]), "bigram", 1.2, 0.75)
    def stall():
        print("merging", flush=True)
        time.sleep(30)
    w.collect_garbage = stall  # committed; the merged-away files not yet deleted
    names = [r[0] for r in w.con.execute("SELECT name FROM segments")]
    w.merge(names)
    """
)


@pytest.mark.subprocess
@pytest.mark.parametrize("script", [KILLED_MERGE, KILLED_COMMIT], ids=["in-merge", "after-commit"])
def test_sigkill_during_a_merge_leaves_a_usable_index(tmp_path: Path, script: str) -> None:
    folder = tmp_path / "k"
    with LexicalWriter(folder, "bigram", 1.2, 0.75) as w:
        w.apply([], rows(["a", "b"]))
        w.apply(["b"], rows(["c", "d"]))
        w.finish("t")
    before = scores(LexicalIndex.load(folder), "安排 人工智能 growth")
    proc = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "merging"
    time.sleep(0.3)  # in the middle: the merged segment written or not, the commit not yet
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = LexicalIndex.load(folder)
    assert after is not None and after.count == 3
    assert scores(after, "安排 人工智能 growth") == pytest.approx(before)
    with LexicalWriter(folder, "bigram", 1.2, 0.75) as w:  # the next writer tidies up
        w.apply([], rows(["b"]))
        w.merge([r[0] for r in w.con.execute("SELECT name FROM segments")])
        w.finish("t2")
    final = LexicalIndex.load(folder)
    assert final is not None and final.count == 4 and len(final.postings.segments) == 1
    listed = {s.name for s in final.postings.segments}
    assert {p.name.split(".")[0] for p in folder.glob("seg-*")} == listed
