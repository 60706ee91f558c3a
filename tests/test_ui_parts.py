"""UI building blocks without a browser: escaping, marker links, export, upload safety."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.app import safe_filename
from assistant.errors import AssistantError
from assistant.types import Answer, Citation
from assistant.ui import admin_allowed, answer_html, export_markdown


def _answer(text: str) -> Answer:
    cite = Citation(
        1,
        "c1",
        "a.txt",
        "标题",
        "国发〔2025〕1号",
        "国务院",
        "2025-03-05",
        "一、总则",
        None,
        "引文。",
        "段落 引文。",
        quotes=["引文。"],
    )
    return Answer("问", text, [cite], [], unsupported_sentences=["<b>无引用</b>"])


def test_answer_html_escapes_and_links_markers() -> None:
    html = answer_html(_answer("<script>alert(1)</script>引文。[1]"), turn=3)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a class="cite-link" href="#passage-3-1">[1]</a>' in html
    assert "&lt;b&gt;无引用&lt;/b&gt;" in html


def test_export_markdown_footnotes() -> None:
    turns = [
        {
            "question": "问一",
            "answer": "答一。[1]",
            "citations": [_answer("").citations[0].as_dict()],
        }
    ]
    md = export_markdown(turns)
    assert "**答 A:** 答一。[^1]" in md
    assert "[^1]: 标题 · 国发〔2025〕1号 · 国务院 · 2025-03-05 · 一、总则 (a.txt): “引文。”" in md


def test_admin_only_with_auth_or_loopback() -> None:
    assert admin_allowed("127.0.0.1", None) and admin_allowed("0.0.0.0", ("u", "p"))
    assert not admin_allowed("0.0.0.0", None)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\\\win\\\\x.md", "x.md"),
        (".hidden.txt", "hidden.txt"),
        ("通知 (1) 🚁.pdf", "通知 (1) 🚁.pdf"),
        ("a<b>:c?.txt", "a_b__c_.txt"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_upload_and_delete_stay_inside_the_corpus(settings, small_corpus) -> None:
    a = Assistant(settings)
    a.index([small_corpus])
    source = a.add_document("../../outside.txt", "关于试点的通知\n\n内容。".encode())
    assert source == "outside.txt" and (small_corpus / "outside.txt").is_file()
    assert not (small_corpus.parent.parent / "outside.txt").exists()
    with pytest.raises(AssistantError, match="not read"):
        a.add_document("evil.exe", b"MZ")
    with pytest.raises(AssistantError, match="empty"):
        a.add_document("e.txt", b"")
    with pytest.raises(AssistantError, match="outside the corpus"):
        a.delete_document("../gwr-2024.txt")
    report = a.index([small_corpus])
    assert report.added == ["outside.txt"]
    a.delete_document("outside.txt")
    assert a.index([small_corpus]).removed == ["outside.txt"]
    assert "outside.txt" not in {d["source"] for d in a.documents()}
