"""The manifest: an older JSON manifest is read and replaced by the SQLite one; saves write the
documents that changed; a damaged file is reported and written whole again."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.index.manifest import DocEntry, Manifest, SqliteManifest


def entry(n: int) -> DocEntry:
    return DocEntry(hash=f"h{n}", chunk_ids=[f"c{n}-0", f"c{n}-1"], meta={"title": f"通知{n}"},
                    size=10, mtime=1.0)  # fmt: skip


def test_a_json_manifest_is_read_then_replaced(tmp_path: Path) -> None:
    legacy = tmp_path / "chunks-x.json"
    legacy.write_text(json.dumps({"collection": "chunks-x", "signature": {},
                                  "docs": {"a.txt": entry(1).__dict__}}), "utf-8")  # fmt: skip
    m = Manifest.load(tmp_path / "chunks-x.json", "chunks-x", {})
    assert m.docs["a.txt"].chunk_ids == ["c1-0", "c1-1"]
    m.put("b.txt", entry(2))
    m.save()
    assert not legacy.exists() and (tmp_path / "chunks-x.sqlite").is_file()
    again = Manifest.load(tmp_path / "chunks-x.json", "chunks-x", {})
    assert sorted(again.docs) == ["a.txt", "b.txt"] and again.chunk_count() == 4


def test_saves_write_changes_and_state(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    m = Manifest.open(SqliteManifest(path), "c", {})
    for n in range(5):
        m.put(f"{n}.txt", entry(n))
    m.set_state("clean_token", "t1")
    m.save()
    m.pop("3.txt")
    m.put("0.txt", entry(9))
    m.save()
    back = Manifest.open(SqliteManifest(path), "c", {})
    assert sorted(back.docs) == ["0.txt", "1.txt", "2.txt", "4.txt"]
    assert back.docs["0.txt"].hash == "h9" and back.state == {"clean_token": "t1"}


def test_a_damaged_manifest_is_named_and_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    path.write_bytes(b"not a database" * 100)
    m, why = Manifest.open_or_new(SqliteManifest(path), "c", {})
    assert "damaged" in why and str(path) in why and not m.docs
    m.put("a.txt", entry(1))
    m.save()
    assert sorted(Manifest.open(SqliteManifest(path), "c", {}).docs) == ["a.txt"]
