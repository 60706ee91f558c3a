"""Hostile files in a corpus folder (issue 13): links out of the corpus, decompression and
expansion bombs, oversized metadata. Each is reported by name and skipped or bounded; the rest
is indexed."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from helpers import copy_reports

from assistant import Assistant


def test_a_link_out_of_the_corpus_is_skipped_and_reported(settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_reports(corpus, ("gwr-2024",))
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:机密口令 hunter2", "utf-8")
    os.symlink(secret, corpus / "passwd.txt")
    os.symlink(corpus / "gwr-2024.txt", corpus / "inside-link.txt")  # inside: indexed
    a = Assistant(settings)
    report = a.index([corpus])
    skipped = {p.source: p.reason for p in report.skipped}
    assert "passwd.txt" in skipped and "outside the corpus" in skipped["passwd.txt"]
    assert sorted(report.added) == ["gwr-2024.txt", "inside-link.txt"]
    assert all("hunter2" not in h.text for h in a.search("机密口令 hunter2", k=5))


def _repack(src: Path, dest: Path, replace: dict[str, bytes]) -> None:
    """``src`` (a real .docx made by python-docx) with parts replaced or added, deflated."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in replace.items():
            if name not in zin.namelist():
                zout.writestr(name, data)


def test_docx_bombs_fail_by_name_and_the_rest_is_indexed(settings, tmp_path: Path) -> None:
    from docfiles import make_docx

    corpus = tmp_path / "corpus"
    copy_reports(corpus, ("gwr-2024",))
    real = make_docx(tmp_path / "real.docx", "关于试点的通知", ["一、总体要求", "加快推进。"])
    # A part that inflates to 120 MiB (of zeros, so the file stays small).
    _repack(real, corpus / "bomb.docx", {"customXml/item9.xml": b"\0" * (120 * 2**20)})
    assert (corpus / "bomb.docx").stat().st_size < 2 * 2**20
    # A document.xml of 2.6 million characters of text, from a file of about 100 KB.
    body = "<w:p><w:r><w:t>" + "关于试点的通知。" * 26 + "</w:t></w:r></w:p>"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body>" + body * 12_500 + "</w:body></w:document>"
    ).encode()
    _repack(real, corpus / "expands.docx", {"word/document.xml": xml})
    assert (corpus / "expands.docx").stat().st_size < 400_000
    report = Assistant(settings).index([corpus])
    failed = {p.source: p.reason for p in report.failed}
    assert "expands to 121 MiB" in failed["bomb.docx"] and "max_expanded_mb" in failed["bomb.docx"]
    assert "max_document_chars" in failed["expands.docx"]
    assert report.added == ["gwr-2024.txt"]


def test_oversized_or_invalid_metadata_fails_that_file_only(settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_reports(corpus, ("gwr-2023", "gwr-2024", "gwr-2025"))
    (corpus / "gwr-2023.meta.json").write_text(json.dumps({"title": "长" * 1_000_000}), "utf-8")
    (corpus / "gwr-2024.meta.json").write_text(json.dumps({"date": "2024-02-30"}), "utf-8")
    (corpus / "gwr-2025.meta.json").write_text(json.dumps({"url": "javascript:alert(1)"}), "utf-8")
    page = (
        "<html><head><title>"
        + "标题" * 10_500
        + "</title></head><body><p>关于试点的通知。</p></body></html>"
    )
    (corpus / "long-title.html").write_text(page, "utf-8")
    a = Assistant(settings)
    report = a.index([corpus])
    failed = {p.source: p.reason for p in report.failed}
    assert "title has 1,000,000 characters" in failed["gwr-2023.txt"]
    assert "2024-02-30" in failed["gwr-2024.txt"]
    assert "http" in failed["gwr-2025.txt"]
    assert report.added == ["long-title.html"]
    (doc,) = a.documents()
    assert len(doc["title"]) <= 200
