"""Pure renderers of the web UI: an answer with clickable markers, the source cards with the
cited sentences highlighted and a view of the whole document, and the Markdown export.

Document text and questions are escaped before they are put into HTML, so markup inside a
document or a question is shown as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from assistant.core.types import Answer, Citation, reference_line
from assistant.frontends.ui.texts import NEAREST


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def answer_html(answer: Answer, turn: int) -> str:
    """The answer text, escaped, with the short answer (the figure, date or name asked for)
    in bold and each marker [n] turned into a link to its passage."""
    short = answer.short
    if short is not None and answer.text[short.start : short.end] == short.text:
        body = (
            esc(answer.text[: short.start])
            + f'<strong class="short-answer">{esc(short.text)}</strong>'
            + esc(answer.text[short.end :])
        )
    else:
        body = esc(answer.text)

    def link(m: re.Match[str]) -> str:
        n = m.group(1)
        return f'<a class="cite-link" href="#passage-{turn}-{n}">[{n}]</a>'

    body = re.sub(r"\[(\d+)\]", link, body)
    flags = "".join(
        f'<div class="flag">⚑ 无有效引用 · no valid citation: {esc(s)}</div>'
        for s in answer.unsupported_sentences
    )
    return body + flags


def highlight(passage: str, quotes: list[str]) -> str:
    """The passage, escaped, with each quoted sentence marked."""
    out = esc(passage)
    for q in sorted(set(quotes), key=len, reverse=True):
        e = esc(q)
        if e and e in out:
            out = out.replace(e, f'<mark class="quote">{e}</mark>', 1)
    return out


def document_view(doc: str, c: Citation, pid: str) -> str:
    """The whole document, escaped, with the cited passage framed (``id=pid``) and its quotes
    marked; only the passage when the file changed since it was indexed."""
    passage = f'<span class="passage" id="{pid}">{highlight(c.passage, c.quotes)}</span>'
    start = doc.find(c.passage) if doc else -1
    if start < 0:
        return passage
    return esc(doc[:start]) + passage + esc(doc[start + len(c.passage) :])


def sources_html(answer: Answer, turn: int, document_text: Callable[[str], str]) -> str:
    """Citation cards: metadata, the passage with the cited sentence highlighted, and a
    document view of the whole notice scrolled to that passage when a marker is clicked.
    ``document_text(source)`` gives a document's text, or "" when it cannot be read."""
    if answer.abstained:
        cards = [f"<h4>{esc(NEAREST)}</h4>"]
        for h in answer.hits[:3]:
            cards.append(
                f'<div class="source-card nearest"><div class="meta">{esc(reference_line(h))} '
                f"({esc(h.source)})</div><div>{esc(h.text)}</div></div>"
            )
        return "\n".join(cards)
    cards = []
    for c in answer.citations:
        pid = f"passage-{turn}-{c.marker}"
        view = document_view(document_text(c.source), c, pid)
        cards.append(
            f'<div class="source-card" id="source-{turn}-{c.marker}">'
            f"<b>[{c.marker}]</b> {esc(reference_line(c, '第{}页'))}"
            f'<div class="meta">{esc(c.source)}</div>'
            f"<blockquote>{highlight(c.passage, c.quotes)}</blockquote>"
            f"<details><summary>文档 · Document view</summary>"
            f'<div class="docview">{view}</div></details></div>'
        )
    return "\n".join(cards)


def export_markdown(turns: list[dict[str, Any]]) -> str:
    """The conversation as Markdown, each marker a footnote naming its source."""
    lines = ["# 政策文件问答记录 · Conversation", ""]
    n = 0
    for t in turns:
        text = t["answer"]
        notes = []
        for c in t["citations"]:
            n += 1
            text = text.replace(f"[{c['marker']}]", f"[^{n}]")
            where = reference_line(Citation(**c))
            notes.append(f"[^{n}]: {where} ({c['source']}): “{c['quote']}”")
        lines += [f"**问 Q:** {t['question']}", "", f"**答 A:** {text}", "", *notes, ""]
    return "\n".join(lines)
