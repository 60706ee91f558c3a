"""Incremental sync against real Chroma, a real sentence-transformers model and real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docfiles import make_docx, make_image_pdf, make_pdf
from helpers import make_settings

from assistant import Assistant
from assistant.core.errors import ConfigError, IndexLockedError
from assistant.index.layout import IndexPaths, collection_name
from assistant.index.lexical import LexicalIndex
from assistant.index.lock import IndexLock
from assistant.index.manifest import Manifest
from assistant.index.pointer import IndexPointer
from assistant.index.store import ChromaStore


def records(settings) -> list[tuple[str, str, dict]]:
    """(chunk id, text, metadata) of everything in the live collection."""
    paths = IndexPaths(Path(settings.index_dir))
    pointer = IndexPointer.load(paths.pointer)
    return list(ChromaStore(paths.chroma).iter_records(pointer.collection))


def chroma_state(settings) -> dict[str, str]:
    """chunk id -> source of everything in the live collection."""
    return {cid: meta["source"] for cid, _doc, meta in records(settings)}


def manifest_of(settings) -> Manifest:
    paths = IndexPaths(Path(settings.index_dir))
    pointer = IndexPointer.load(paths.pointer)
    return Manifest.load(paths.manifest(pointer.collection), pointer.collection, {})


def assert_consistent(settings) -> None:
    """Chroma and the manifest agree exactly: no orphans, no missing or duplicate chunks."""
    man = manifest_of(settings)
    state = chroma_state(settings)
    owned = [c for e in man.docs.values() for c in e.chunk_ids]
    assert len(owned) == len(set(owned))
    assert set(owned) == set(state)
    for source, entry in man.docs.items():
        assert all(state[c] == source for c in entry.chunk_ids)


def assert_same_as_rebuilt(settings, corpus: Path, where: Path) -> None:
    """The collection an incremental sync left holds exactly what a from-scratch index of
    ``corpus`` holds: the same chunk ids, texts, metadata (offsets, ordinals, keys removed)
    and vectors."""
    fresh = settings.model_copy(update={"index_dir": where})
    Assistant(fresh).index([corpus])
    got, want = sorted(records(settings)), sorted(records(fresh))
    assert [r[0] for r in got] == [r[0] for r in want]
    assert got == want
    ids = [r[0] for r in got]
    name = collection_name(settings)
    v_got = ChromaStore(IndexPaths(Path(settings.index_dir)).chroma).vectors(name, ids)
    v_want = ChromaStore(IndexPaths(where).chroma).vectors(name, ids)
    assert abs(v_got - v_want).max() < 1e-5


def test_mixed_corpus_with_bad_files(tmp_path: Path, settings, small_corpus: Path) -> None:
    make_pdf(
        small_corpus / "two-pages.pdf",
        ["第一页：加快工业互联网创新发展。", "第二页：开展人工智能+行动。"],
    )
    make_image_pdf(small_corpus / "scanned.pdf")
    (small_corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>\ngarbage")
    (small_corpus / "notice-gbk.txt").write_bytes(
        "工业和信息化部关于推进5G应用的通知\n\n工信部通信〔2026〕3号\n\n一、总体要求\n\n加快5G规模化应用。".encode(
            "gbk"
        )
    )
    (small_corpus / "page.html").write_text(
        "<html><body><nav>导航</nav><main><h1>关于数据要素的意见</h1><p>培育数据要素市场。</p></main></body></html>",
        encoding="utf-8",
    )
    make_docx(
        small_corpus / "plan.docx", "人工智能行动方案", ["一、目标", "到2027年普及智能终端。"]
    )
    (small_corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    (small_corpus / "sub").mkdir()
    (small_corpus / "sub" / "empty.md").write_bytes(b"")

    report = Assistant(settings).index([small_corpus])

    failed = {f.source: f.reason for f in report.failed}
    assert failed["scanned.pdf"] == "no extractable text (OCR found none)"
    assert failed["corrupt.pdf"].startswith("corrupt or truncated PDF")
    assert failed["sub/empty.md"].startswith("empty file")
    assert [s.source for s in report.skipped] == ["table.xlsx"]
    assert sorted(report.added) == sorted(
        ["gwr-2023.txt", "gwr-2024.txt", "gwr-2025.txt", "npc-resolution-14-3.txt",
         "two-pages.pdf", "notice-gbk.txt", "page.html", "plan.docx"]
    )  # fmt: skip
    assert report.chunks_embedded == report.chunks_total > 0
    assert_consistent(settings)

    man = manifest_of(settings)
    gbk = man.docs["notice-gbk.txt"].meta
    assert gbk["doc_number"] == "工信部通信〔2026〕3号" and gbk["doc_type"] == "通知"
    assert man.docs["gwr-2024.txt"].meta["issuer"] == "国务院"  # from the sidecar
    # PDF chunks carry their page; the second page's text is on page 2.
    paths = IndexPaths(Path(settings.index_dir))
    pdf = [(d, m) for _, d, m in records(settings) if m["source"] == "two-pages.pdf"]
    assert pdf and pdf[0][1]["page"] == 1 and pdf[-1][1]["page_end"] == 2
    # Section paths are stored with each chunk.
    sections = {m.get("section") for _, _, m in records(settings) if m["source"] == "gwr-2025.txt"}
    assert (
        "三、2025年政府工作任务 > （一）大力提振消费、提高投资效益，全方位扩大国内需求" in sections
    )
    # The lexical index was built from Chroma and finds a rare phrase.
    lex = LexicalIndex.load(paths.lexical(collection_name(settings)))
    top = lex.search("培育数据要素市场", k=1)
    assert chroma_state(settings)[top[0][0]] == "page.html"


def test_second_run_unchanged_and_incremental_changes(
    settings, small_corpus: Path, tmp_path: Path
) -> None:
    a = Assistant(settings)
    first = a.index([small_corpus])
    again = a.index([small_corpus])
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.chunks_embedded == again.chunks_written == again.chunks_deleted == 0

    # Change one paragraph of one report: only its new chunks are embedded.
    doc = small_corpus / "gwr-2024.txt"
    text = doc.read_text("utf-8")
    old_sentence = "国产大飞机C919投入商业运营"
    assert old_sentence in text
    doc.write_text(text.replace(old_sentence, "国产大飞机C919投入商业运营并交付多架"), "utf-8")
    before = set(manifest_of(settings).docs["gwr-2024.txt"].chunk_ids)
    changed = a.index([small_corpus])
    assert changed.updated == ["gwr-2024.txt"]
    assert len(changed.unchanged) == 3
    after = set(manifest_of(settings).docs["gwr-2024.txt"].chunk_ids)
    assert 1 <= changed.chunks_embedded <= 2  # the edited chunk (and at most one neighbour)
    assert changed.chunks_embedded < len(after) / 10
    # Only the edited chunks are written and replaced; every other chunk of the report keeps
    # its id, and only its metadata (its offsets moved: the edit made the text longer).
    assert changed.chunks_written == changed.chunks_embedded == len(after - before)
    assert changed.chunks_kept == len(after & before) == len(after) - changed.chunks_written
    assert len(before - after) == changed.chunks_deleted >= 1
    assert_consistent(settings)
    state = chroma_state(settings)
    assert not (before - after) & set(state)
    assert_same_as_rebuilt(settings, small_corpus, tmp_path / "rebuilt")

    # Delete one, rename another: the rename costs no embedding.
    (small_corpus / "npc-resolution-14-3.txt").unlink()
    (small_corpus / "gwr-2023.txt").rename(small_corpus / "report-2023.txt")
    (small_corpus / "gwr-2023.meta.json").rename(small_corpus / "report-2023.meta.json")
    moved = a.index([small_corpus])
    assert moved.removed == ["npc-resolution-14-3.txt"]
    assert moved.renamed == [("gwr-2023.txt", "report-2023.txt")]
    assert moved.added == [] and moved.chunks_embedded == 0
    assert set(manifest_of(settings).docs) == {"gwr-2024.txt", "gwr-2025.txt", "report-2023.txt"}
    assert_consistent(settings)

    st = a.status()
    assert st.documents == 3 and st.changed_since == []
    (small_corpus / "new.md").write_text("# 新通知\n\n内容。", "utf-8")
    (small_corpus / "gwr-2025.txt").write_text("改了。", "utf-8")
    assert sorted(a.status().changed_since) == [("gwr-2025.txt", "changed"), ("new.md", "new")]


def test_file_that_becomes_unreadable_keeps_its_previous_version(settings, small_corpus) -> None:
    a = Assistant(settings)
    a.index([small_corpus])
    old = manifest_of(settings).docs["gwr-2025.txt"].chunk_ids
    (small_corpus / "gwr-2025.txt").write_bytes(b"\x00\x01binary" * 100)
    report = a.index([small_corpus])
    assert [f.source for f in report.failed] == ["gwr-2025.txt"]
    assert manifest_of(settings).docs["gwr-2025.txt"].chunk_ids == old
    assert_consistent(settings)


def test_model_change_is_reported_and_rebuilds(
    tmp_path, settings, small_corpus, tiny_model
) -> None:
    Assistant(settings).index([small_corpus])
    old_collection = collection_name(settings)
    other = tmp_path / "other-model"
    shutil.copytree(tiny_model, other)
    changed = make_settings(Path(settings.index_dir), other)
    st = Assistant(changed).status()
    assert "embedding_model" in st.settings_changed
    report = Assistant(changed).index([small_corpus])
    assert report.rebuilt and "embedding_model" in report.rebuild_reason
    assert str(other) in report.rebuild_reason
    assert len(report.added) == 4
    store = ChromaStore(IndexPaths(Path(settings.index_dir)).chroma)
    assert not store.has_collection(old_collection)
    assert IndexPointer.load(IndexPaths(Path(settings.index_dir)).pointer).collection == (
        collection_name(changed)
    )
    assert_consistent(changed)
    # Chunking is part of the signature too.
    rechunked = make_settings(Path(settings.index_dir), other, target_chars=400, max_chars=800)
    r2 = Assistant(rechunked).index([small_corpus])
    assert r2.rebuilt and "chunking" in r2.rebuild_reason


def test_lexical_index_is_rebuilt_from_chroma_when_lost(settings, small_corpus) -> None:
    Assistant(settings).index([small_corpus])
    folder = IndexPaths(Path(settings.index_dir)).lexical(collection_name(settings))
    shutil.rmtree(folder)
    # What an older release left there (bm25s files, records as JSON): replaced, not read.
    (folder / "bm25").mkdir(parents=True)
    (folder / "records.json").write_text("{}", "utf-8")
    (folder / "meta.json").write_text('{"ids": []}', "utf-8")
    report = Assistant(settings).index([small_corpus])
    assert report.chunks_written == 0
    lex = LexicalIndex.load(folder)
    assert lex is not None and lex.count == len(records(settings))
    assert not (folder / "records.json").exists() and not (folder / "bm25").exists()


def test_missing_corpus_folder_is_a_clear_error(settings, tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere.*does not exist"):
        Assistant(settings).index([tmp_path / "nowhere"])


def test_two_syncs_cannot_run_at_once(settings, small_corpus) -> None:
    with IndexLock(Path(settings.index_dir)), pytest.raises(IndexLockedError, match="another sync"):
        Assistant(settings).index([small_corpus])


def test_sidecar_change_updates_metadata(settings, small_corpus, tmp_path) -> None:
    a = Assistant(settings)
    a.index([small_corpus])
    side = small_corpus / "gwr-2025.meta.json"
    meta = json.loads(side.read_text("utf-8"))
    meta["doc_number"] = "国发〔2025〕1号"
    side.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    report = a.index([small_corpus])
    assert report.updated == ["gwr-2025.txt"] and report.chunks_embedded == 0
    assert report.chunks_written == report.chunks_deleted == 0  # metadata only
    assert report.chunks_kept == len(manifest_of(settings).docs["gwr-2025.txt"].chunk_ids)
    nums = {m.get("doc_number") for _, _, m in records(settings) if m["source"] == "gwr-2025.txt"}
    assert nums == {"国发〔2025〕1号"}
    assert a.search("国发〔2025〕1号 政府工作报告")[0].doc_number == "国发〔2025〕1号"
    # A key the sidecar no longer gives leaves the stored records too.
    del meta["url"]
    side.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    a.index([small_corpus])
    urls = {m.get("url") for _, _, m in records(settings) if m["source"] == "gwr-2025.txt"}
    assert urls == {None}
    assert_same_as_rebuilt(settings, small_corpus, tmp_path / "rebuilt")


def _rebuilt_lexical(settings) -> LexicalIndex:
    """A from-scratch BM25 index of what Chroma holds now."""
    from assistant.index.records import record_text as lexical_text

    rows = records(settings)
    lex = settings.lexical
    return LexicalIndex.build(
        [r[0] for r in rows], [lexical_text(r[1], r[2]) for r in rows],
        lex.analyzer, lex.k1, lex.b, docs=[r[1] for r in rows], metas=[r[2] for r in rows],
    )  # fmt: skip


def assert_same_lexical(a: LexicalIndex, b: LexicalIndex) -> None:
    ids = a.ids()
    assert ids == b.ids() and a.count == b.count == len(ids)
    assert a.records(sorted(ids)) == b.records(sorted(ids))
    assert sorted(a.documents.values(), key=str) == sorted(b.documents.values(), key=str)
    for q in ("人工智能", "粮食产量", "国发〔2025〕1号 政府工作报告", "低空经济 无人机", "C919"):
        got = dict(a.search(q, 20))
        want = dict(b.search(q, 20))
        assert got.keys() == want.keys(), q
        assert all(abs(got[k] - want[k]) < 1e-4 for k in got), q


def test_bm25_is_updated_from_the_sync_not_rebuilt(settings, small_corpus, monkeypatch) -> None:
    """After adds, a paragraph edit, a sidecar edit and a removal, the BM25 index the sync
    updated in place equals one rebuilt from Chroma, and the sync never read Chroma's records."""
    a = Assistant(settings)
    a.index([small_corpus])
    folder = IndexPaths(Path(settings.index_dir)).lexical(collection_name(settings))

    def no_fetch(*args, **kwargs):
        raise AssertionError("the sync re-read every record from Chroma")

    monkeypatch.setattr(ChromaStore, "iter_records", no_fetch)
    monkeypatch.setattr(ChromaStore, "iter_metadata", no_fetch)
    (small_corpus / "uav.txt").write_text("低空经济试点通知\n\n支持无人机物流。\n", "utf-8")
    doc = small_corpus / "gwr-2024.txt"
    doc.write_text(doc.read_text("utf-8").replace("C919", "C919大型客机", 1), "utf-8")
    side = small_corpus / "gwr-2025.meta.json"
    meta = json.loads(side.read_text("utf-8"))
    meta["doc_number"] = "国发〔2025〕1号"
    side.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    (small_corpus / "npc-resolution-14-3.txt").unlink()
    report = a.index([small_corpus])
    assert report.added == ["uav.txt"] and report.removed == ["npc-resolution-14-3.txt"]
    monkeypatch.undo()
    updated = LexicalIndex.load(folder)
    assert updated is not None and len(updated.postings.segments) > 1  # updated, not rebuilt
    assert_same_lexical(updated, _rebuilt_lexical(settings))
    assert a.search("低空经济 无人机")[0].source == "uav.txt"


def test_report_says_where_the_time_went_and_counts_merges(settings, small_corpus) -> None:
    settings.ingest.write_batch_chunks = 64  # many small groups: many small BM25 segments
    settings.lexical.merge_factor = 2
    first = Assistant(settings).index([small_corpus])
    assert first.segments_merged >= 1
    assert 0 < first.phases["merge"] < first.seconds
    assert {"scan", "open", "repair", "changes", "read", "embed", "store", "lexical"} <= set(
        first.phases
    )
    assert sum(first.phases.values()) <= first.seconds * 1.05
    again = Assistant(settings).index([small_corpus])
    assert again.segments_merged == 0 and "merge" not in again.phases
    assert "embed" not in again.phases and "store" not in again.phases
    (small_corpus / "new.md").write_text("# 新通知\n\n" + "内容。" * 40, "utf-8")
    added = Assistant(settings).index([small_corpus])
    assert added.added == ["new.md"]
    assert added.phases["embed"] > 0 and added.phases["store"] > 0 and added.phases["lexical"] > 0
