"""Loaders on real files: encodings, HTML main text, PDFs made by reportlab, DOCX by python-docx."""

from __future__ import annotations

from pathlib import Path

import pytest
from docfiles import make_docx, make_image_pdf, make_pdf

from assistant.core.errors import DocumentError
from assistant.ingest.loaders import load_file

TEXT = (
    "工业和信息化部关于推进工业互联网高质量发展的通知\n\n一、总体要求\n\n加快工业互联网规模化应用。"
)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_text_encodings_detected_for_the_whole_file(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "n.txt"
    # Many lines of pure ASCII first: a per-line guess would go wrong, a whole-file one does not.
    p.write_bytes(("header line\n" * 200 + TEXT).encode(encoding))
    loaded = load_file(p, "n.txt")
    assert loaded.text.endswith(TEXT)


def test_binary_with_text_extension_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "b.txt"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(DocumentError, match=r"b\.txt: binary data"):
        load_file(p, "b.txt")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "e.md"
    p.write_bytes(b"")
    with pytest.raises(DocumentError, match="empty file"):
        load_file(p, "e.md")


def test_html_main_text_without_scripts_styles_navigation(tmp_path: Path) -> None:
    html = """<html><head><meta charset="gbk"><title>站点标题</title>
    <style>.x{color:red}</style><script>var secret = "脚本内容";</script></head>
    <body><div class="nav">首页 | 新闻 | 导航栏</div><header>页眉文字</header>
    <div id="content"><h1>关于推进工业互联网的通知</h1><p>一、总体要求</p>
    <p>加快工业互联网规模化应用。</p><p>二、保障措施</p><p>加强组织领导。</p></div>
    <footer>版权所有 页脚</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_bytes(html.encode("gbk"))
    loaded = load_file(p, "page.html")
    assert "加快工业互联网规模化应用。" in loaded.text
    assert "二、保障措施" in loaded.text.split("\n")
    for junk in ("脚本内容", "color:red", "导航栏", "页眉文字", "版权所有"):
        assert junk not in loaded.text
    assert loaded.title_hint == "关于推进工业互联网的通知"


def test_deeply_nested_html(tmp_path: Path) -> None:
    p = tmp_path / "deep.htm"
    p.write_text(
        "<html><body>" + "<div>" * 5000 + "深层正文。" + "</div>" * 5000 + "</body></html>"
    )
    assert "深层正文。" in load_file(p, "deep.htm").text


def test_two_page_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    p = make_pdf(tmp_path / "two.pdf", ["第一页：工业互联网创新发展。", "第二页：人工智能+行动。"])
    loaded = load_file(p, "two.pdf")
    first = loaded.text.index("工业互联网")
    second = loaded.text.index("人工智能")
    assert loaded.page_at(first) == 1
    assert loaded.page_at(second) == 2
    assert [s.page for s in loaded.pages] == [1, 2]


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    p = make_image_pdf(tmp_path / "scan.pdf")
    # A picture with no words in it: OCR is tried and finds nothing.
    with pytest.raises(DocumentError, match=r"scan\.pdf: no extractable text \(OCR found none\)"):
        load_file(p, "scan.pdf")


def test_corrupt_and_truncated_pdf(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "g.pdf", ["内容。"]).read_bytes()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good[:200])
    with pytest.raises(DocumentError, match=r"bad\.pdf"):
        load_file(bad, "bad.pdf")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    with pytest.raises(DocumentError, match="not a PDF"):
        load_file(junk, "junk.pdf")


def test_encrypted_pdf(tmp_path: Path) -> None:
    p = make_pdf(tmp_path / "locked.pdf", ["机密内容。"], encrypt="secret")
    with pytest.raises(DocumentError, match="encrypted PDF"):
        load_file(p, "locked.pdf")


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    p = make_docx(tmp_path / "n.docx", "关于开展试点的通知", ["一、工作目标", "到2027年建成平台。"])
    loaded = load_file(p, "n.docx")
    assert loaded.title_hint == "关于开展试点的通知"
    assert "到2027年建成平台。" in loaded.text
    assert "指标 | 目标值" in loaded.text


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "fake.docx"
    p.write_text("plain text")
    with pytest.raises(DocumentError, match=r"not a \.docx"):
        load_file(p, "fake.docx")
