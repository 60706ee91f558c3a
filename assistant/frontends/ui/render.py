"""Pure renderers of the web UI: an answer with clickable markers, the source cards with the
cited sentences highlighted and a view of the whole document, and the Markdown export.

Document text and questions are escaped before they are put into HTML, so markup inside a
document or a question is shown as text.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from typing import Any

from assistant.core.types import Answer, Citation, reference_line
from assistant.core.validity import Timeline
from assistant.frontends.ui.texts import NEAREST


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def _cite_links(body: str, turn: int) -> str:
    def link(m: re.Match[str]) -> str:
        n = m.group(1)
        return f'<a class="cite-link" href="#passage-{turn}-{n}">[{n}]</a>'

    return re.sub(r"\[(\d+)\]", link, body)


def comparison_html(answer: Answer, turn: int) -> str:
    """A comparison answer as a table: item, the figure when there is one, the verbatim quote
    with its marker linked to the passage, and the source document; "not found" cells
    marked."""
    comp = answer.comparison
    assert comp is not None
    zh = answer.language == "zh"
    head = {"year": "年份 · Year", "document": "文件 · Document", "issuer": "发文机关 · Issuer"}
    figure = any(c.short for c in comp.cells)
    cols = [head[comp.axis], *(["要点 · Figure"] if figure else []), "答案（原文）· Quote",
            "出处 · Source"]  # fmt: skip
    rows = ["<tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>"]
    for c in comp.cells:
        quote = _cite_links(esc(c.text), turn)
        klass = "" if c.found else ' class="not-found"'
        cells = [esc(c.item), *([esc(c.short or "—")] if figure else []), quote,
                 esc(c.title or "—")]  # fmt: skip
        rows.append(f"<tr{klass}>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    table = '<table class="comparison">' + "".join(rows) + "</table>"
    summary = (
        f'<p class="summary">{_cite_links(esc(comp.summary), turn)}</p>' if comp.summary else ""
    )
    missing = [c.item for c in comp.cells if not c.found]
    note = ""
    if missing:
        what = "、".join(missing) if zh else ", ".join(missing)
        note = f'<div class="note">未找到 · not found: {esc(what)}</div>'
    return table + summary + note + _warnings_html(answer)


def _warnings_html(answer: Answer) -> str:
    """One line per cited document that is not in force, naming what replaced it."""
    return "".join(
        f'<div class="validity-warning">⚠ [{c.marker}] {esc(c.validity_note)}</div>'
        for c in answer.citations if not c.in_force and c.validity_note
    )  # fmt: skip


def answer_html(answer: Answer, turn: int) -> str:
    """The answer text, escaped, with the short answer (the figure, date or name asked for)
    in bold and each marker [n] turned into a link to its passage; a comparison as a table;
    a warning under it for each cited document no longer in force."""
    if answer.comparison is not None:
        return comparison_html(answer, turn)
    short = answer.short
    if short is not None and answer.text[short.start : short.end] == short.text:
        body = (
            esc(answer.text[: short.start])
            + f'<strong class="short-answer">{esc(short.text)}</strong>'
            + esc(answer.text[short.end :])
        )
    else:
        body = esc(answer.text)

    body = _cite_links(body, turn)
    flags = "".join(
        f'<div class="flag">⚑ 无有效引用 · no valid citation: {esc(s)}</div>'
        for s in answer.unsupported_sentences
    )
    return body + flags + _warnings_html(answer)


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
            + _validity_line(c)
            + f"<blockquote>{highlight(c.passage, c.quotes)}</blockquote>"
            f"<details><summary>文档 · Document view</summary>"
            f'<div class="docview">{view}</div></details></div>'
        )
    return "\n".join(cards)


def _validity_line(c: Citation) -> str:
    if not c.validity_note:
        return ""
    klass = "validity-warning" if not c.in_force else "validity-note"
    mark = "⚠ " if not c.in_force else ""
    return f'<div class="{klass}">{mark}{esc(c.validity_note)}</div>'


def timeline_html(t: Timeline, related: list[Timeline] = ()) -> str:  # type: ignore[assignment]
    """A document's timeline (effective, expiry, repealed, amended), each related document a
    link to its own timeline below (``related``)."""

    def one(t: Timeline) -> str:
        state = ("现行有效 · in force" if t.in_force
                 else f"⚠ 已失效 · not in force: {esc(t.warning)}")  # fmt: skip
        items = []
        for e in t.events:
            other = (f' <a class="doc-link" href="#doc-{esc(_anchor(e.other))}">{esc(e.other)}</a>'
                     if e.other else "")  # fmt: skip
            quote = f'<div class="evidence">“{esc(e.evidence)}”</div>' if e.evidence else ""
            items.append(f"<li><b>{esc(e.date or '—')}</b> {esc(e.text)}{other}{quote}</li>")
        number = f" · {esc(t.doc_number)}" if t.doc_number else ""
        return (f'<div class="timeline" id="doc-{esc(_anchor(t.source))}">'
                f"<h4>{esc(t.title)}{number}</h4><div class=\"meta\">{esc(t.source)}</div>"
                f'<div class="state">{state}</div><ul>{"".join(items)}</ul></div>')  # fmt: skip

    return one(t) + "".join(one(r) for r in related)


def _anchor(source: str) -> str:
    """An element id for a source: Chinese file names differ only in characters an id-safe
    rewrite would erase, so a digest of the name."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


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
            cited = Citation(**c)
            where = reference_line(cited)
            warn = f" ⚠ {cited.validity_note}" if cited.validity_note else ""
            notes.append(f"[^{n}]: {where} ({c['source']}){warn}: “{c['quote']}”")
        answer = f"\n\n{text}" if text.startswith("|") else f" {text}"
        lines += [f"**问 Q:** {t['question']}", "", f"**答 A:**{answer}", "", *notes, ""]
    return "\n".join(lines)
