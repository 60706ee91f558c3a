"""A sync killed with SIGKILL in a child process leaves a usable index; the next sync completes it
to exactly the state of a clean build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_reports, make_settings
from test_sync import assert_consistent, manifest_of, records

from assistant import Assistant
from assistant.index.layout import IndexPaths
from assistant.index.lexical import LexicalIndex
from assistant.index.pointer import IndexPointer
from assistant.index.store import ChromaStore

pytestmark = pytest.mark.subprocess

CHILD = r"""
import json, os, signal, sys
from assistant import Assistant, Settings

cfg = json.loads(sys.argv[1])
seen = {"n": 0}
def progress(stage, done, total):
    if stage != cfg["stage"] or (cfg["at_end"] and done != total):
        return
    seen["n"] += 1
    if seen["n"] == cfg["nth"]:
        os.kill(os.getpid(), signal.SIGKILL)
Assistant(Settings(**cfg["settings"])).index([cfg["corpus"]], progress=progress)
print("sync finished without being killed")
"""

# (stage, which call, only calls that report a finished stage)
KILL_POINTS = [
    pytest.param("embed", 1, False, id="while-embedding-first-group"),
    pytest.param("write", 1, True, id="after-upsert-before-manifest"),
    pytest.param("write", 2, False, id="before-second-group-upsert"),
    pytest.param("write", 3, True, id="after-third-upsert"),
    pytest.param("lexical", 1, False, id="before-first-bm25-write"),
    pytest.param("lexical", 2, True, id="after-second-bm25-write"),
]


def snapshot(settings) -> dict[str, list[str]]:
    return {s: e.chunk_ids for s, e in sorted(manifest_of(settings).docs.items())}


def usable(settings) -> None:
    """The interrupted index still opens and answers a vector query and a BM25 query."""
    paths = IndexPaths(Path(settings.index_dir))
    pointer = IndexPointer.load(paths.pointer)
    store = ChromaStore(paths.chroma)
    dim = len(Assistant(settings).embeddings.embed_query("工业互联网"))
    hits = store.query(pointer.collection, [0.1] * dim, k=3)
    assert len(hits) == 3
    lex = LexicalIndex.load(paths.lexical(pointer.collection))
    assert lex is not None and lex.search("工业互联网", k=3)
    assert Assistant(settings).status().documents >= 3


@pytest.mark.slow
@pytest.mark.parametrize(("stage", "nth", "at_end"), KILL_POINTS)
def test_sigkill_mid_sync(tmp_path, tiny_model, small_corpus, stage, nth, at_end) -> None:
    settings = make_settings(tmp_path / "index", tiny_model)
    Assistant(settings).index([small_corpus])
    # New work for the next sync: two more reports, one changed, one removed.
    copy_reports(small_corpus, ("gwr-2021", "gwr-2022"))
    doc = small_corpus / "gwr-2024.txt"
    doc.write_text(
        doc.read_text("utf-8").replace("一、2023年工作回顾", "一、2023年工作回顾（修订）"), "utf-8"
    )
    (small_corpus / "npc-resolution-14-3.txt").unlink()

    cfg = {
        "settings": json.loads(settings.model_dump_json()),
        "corpus": str(small_corpus),
        "stage": stage,
        "nth": nth,
        "at_end": at_end,
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cfg)], capture_output=True, text=True, timeout=300
    )
    assert child.returncode == -9, child.stdout + child.stderr
    usable(settings)

    report = Assistant(settings).index([small_corpus])
    assert not report.failed
    if stage == "write" and at_end:
        assert report.repaired > 0  # chunks upserted before the kill, owned by no manifest entry
    assert_consistent(settings)

    clean = make_settings(tmp_path / "clean", tiny_model)
    Assistant(clean).index([small_corpus])
    assert snapshot(settings) == snapshot(clean)
    assert sorted(c for c, _, _ in records(settings)) == sorted(c for c, _, _ in records(clean))
    # A further sync has nothing left to do.
    again = Assistant(settings).index([small_corpus])
    assert again.chunks_written == again.chunks_deleted == again.repaired == 0


@pytest.mark.slow
def test_five_kills_in_a_row_then_a_clean_state(tmp_path, tiny_model, small_corpus) -> None:
    """Five syncs killed one after another, each at another point; after every kill the index
    answers queries; the sync after the last one ends exactly as a clean build."""
    settings = make_settings(tmp_path / "index", tiny_model)
    Assistant(settings).index([small_corpus])
    extra = ["gwr-2013", "gwr-2014", "gwr-2015", "gwr-2016", "gwr-2017"]
    points = [("embed", 1, False), ("write", 1, True), ("write", 2, False), ("embed", 2, False),
              ("lexical", 1, False)]  # fmt: skip
    kills = 0
    for stem, (stage, nth, at_end) in zip(extra, points, strict=True):
        copy_reports(small_corpus, [stem])
        doc = small_corpus / "gwr-2024.txt"
        doc.write_text(doc.read_text("utf-8") + f"\n\n补充说明{stem}。", "utf-8")
        cfg = {"settings": json.loads(settings.model_dump_json()), "corpus": str(small_corpus),
               "stage": stage, "nth": nth, "at_end": at_end}  # fmt: skip
        child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cfg)],
                               capture_output=True, text=True, timeout=300)  # fmt: skip
        if child.returncode == -9:
            kills += 1
        usable(settings)
    assert kills >= 5
    Assistant(settings).index([small_corpus])
    assert_consistent(settings)
    clean = make_settings(tmp_path / "clean", tiny_model)
    Assistant(clean).index([small_corpus])
    assert snapshot(settings) == snapshot(clean)
