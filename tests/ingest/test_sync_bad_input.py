"""Bad files are reported by name with a reason and never stop the sync."""

from __future__ import annotations

import os

from docfiles import make_pdf
from helpers import make_settings

from assistant import Assistant
from assistant.core.settings import IngestSettings


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, tiny_model, small_corpus) -> None:
    c = small_corpus
    (c / "zero.txt").write_bytes(b"")
    (c / "utf16-no-bom.txt").write_bytes("没有字节顺序标记的文本。".encode("utf-16-le"))
    (c / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (c / "utf16 with bom.txt").write_bytes("带字节顺序标记的文本。".encode("utf-16"))
    (c / "huge.txt").write_bytes(("很大的文件。" * 200000).encode())
    good = make_pdf(tmp_path / "g.pdf", ["内容。"]).read_bytes()
    (c / "truncated.pdf").write_bytes(good[: len(good) // 2])
    make_pdf(c / "locked.pdf", ["机密。"], encrypt="pw")
    (c / "deep.html").write_text("<div>" * 20000 + "深层正文。" + "</div>" * 20000, "utf-8")
    (c / "通知 空格 🚁.md").write_text("# 关于试点的通知\n\n内容。", "utf-8")
    os.symlink(c / "loop-a.txt", c / "loop-b.txt")
    os.symlink(c / "loop-b.txt", c / "loop-a.txt")
    (c / "vanishing.txt").write_text("将在同步时被删除。", "utf-8")

    settings = make_settings(tmp_path / "index", tiny_model)
    settings = settings.model_copy(update={"ingest": IngestSettings(max_file_mb=1.0)})

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "scan" and done == 1 and (c / "vanishing.txt").exists():
            (c / "vanishing.txt").unlink()  # deleted while the sync runs

    report = Assistant(settings).index([c], progress=progress)
    failed = {f.source: f.reason for f in report.failed}
    assert failed["zero.txt"].startswith("empty file")
    assert "binary data" in failed["binary.txt"]
    assert "over the limit" in failed["huge.txt"] and "ingest.max_file_mb" in failed["huge.txt"]
    assert failed["truncated.pdf"].startswith("corrupt or truncated PDF")
    assert failed["locked.pdf"] == "encrypted PDF (needs a password)"
    assert "symbolic links" in failed["loop-a.txt"] and "symbolic links" in failed["loop-b.txt"]
    assert failed["vanishing.txt"] == "file disappeared while the sync was running"
    added = {
        "utf16 with bom.txt",
        "utf16-no-bom.txt",
        "deep.html",
        "通知 空格 🚁.md",
        "gwr-2025.txt",
    }
    assert added <= set(report.added)
    assert len(report.added) == 8
