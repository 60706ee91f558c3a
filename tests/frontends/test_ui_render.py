"""UI building blocks without a browser: escaping, marker links, export, upload safety."""

from __future__ import annotations

from assistant.core.types import Answer, Citation
from assistant.frontends.ui import admin_allowed
from assistant.frontends.ui.render import answer_html, export_markdown


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


def test_the_short_answer_is_bold_and_still_escaped() -> None:
    from assistant.core.types import ShortAnswer

    answer = _answer("专项债券<4.4万亿元>。[1]")
    answer.short = ShortAnswer("<4.4万亿元>", 1, 4, 12, 4, 12)
    html = answer_html(answer, turn=1)
    assert '<strong class="short-answer">&lt;4.4万亿元&gt;</strong>' in html
    assert html.startswith("专项债券<strong")


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
