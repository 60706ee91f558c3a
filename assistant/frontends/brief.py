"""A Word brief of answers: each question, its answer with a real Word footnote at every [n]
marker, the footnote giving title, 文号, issuer, date, section, page and the verbatim quote.

python-docx (1.2) has no footnote API, so the footnotes part (``word/footnotes.xml``) is written
here with its own XML and related to the document the way Word does (separator footnotes -1/0,
then one ``w:footnote`` per marker, referenced by ``w:footnoteReference`` runs): Word, LibreOffice
and python-docx itself open it as footnotes, not as endnotes or plain text."""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from assistant.core.types import Answer, Citation

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_MARKER = re.compile(r"\[(\d+)\]")


def footnote_text(c: Citation) -> str:
    """What a footnote says: where the quote stands, then the quote itself."""
    where = [c.title or c.source, c.doc_number, c.issuer, c.date, c.section]
    if c.page:
        where.append(f"第{c.page}页")
    head = " · ".join(p for p in where if p)
    if c.validity_note:
        head = f"{head}（{'注意：' if not c.in_force else ''}{c.validity_note}）"
    return f"{head}。原文：“{c.quote}”" if c.quote else head


def _marked(paragraph: Paragraph, text: str, by_marker: dict[int, Citation],
            notes: list[str]) -> None:  # fmt: skip
    """``text`` into ``paragraph``, each marker [n] a footnote reference to its citation."""
    pos = 0
    for m in _MARKER.finditer(text):
        paragraph.add_run(text[pos : m.start()])
        cited = by_marker.get(int(m.group(1)))
        if cited is not None:
            notes.append(footnote_text(cited))
            _add_reference(paragraph, len(notes))
        pos = m.end()
    paragraph.add_run(text[pos:])


def _comparison_table(doc: Any, answer: Answer, by_marker: dict[int, Citation],
                      notes: list[str]) -> None:  # fmt: skip
    """A comparison as a Word table: item, quoted answer (footnoted), source."""
    comparison = answer.comparison
    assert comparison is not None
    zh = answer.language == "zh"
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    head = {"year": ("年份", "Year"), "document": ("文件", "Document"),
            "issuer": ("发文机关", "Issuer")}[comparison.axis][0 if zh else 1]  # fmt: skip
    for cell, text in zip(table.rows[0].cells,
                          (head, "答案（原文）" if zh else "Answer (quoted)",
                           "出处" if zh else "Source"), strict=True):  # fmt: skip
        cell.paragraphs[0].add_run(text).bold = True
    for c in comparison.cells:
        row = table.add_row().cells
        row[0].paragraphs[0].add_run(c.item)
        _marked(row[1].paragraphs[0], c.text, by_marker, notes)
        row[2].paragraphs[0].add_run(c.title or "—")
    if comparison.summary:
        _marked(doc.add_paragraph(), comparison.summary, by_marker, notes)


def _note_xml(note_id: int, text: str) -> str:
    return (
        f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {escape(text)}</w:t>'
        "</w:r></w:p></w:footnote>"
    )


def _footnotes_part(notes: list[str], package: object) -> Part:
    body = "".join(_note_xml(i, t) for i, t in enumerate(notes, start=1))
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:footnote>{body}</w:footnotes>"
    )
    return Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, xml.encode("utf-8"), package)  # type: ignore[arg-type]


def _add_reference(paragraph: Paragraph, note_id: int) -> None:
    run = paragraph.add_run()
    r_pr = parse_xml(f'<w:rPr xmlns:w="{W}"><w:vertAlign w:val="superscript"/></w:rPr>')
    run._r.append(r_pr)
    ref = run._r.makeelement(qn("w:footnoteReference"), {qn("w:id"): str(note_id)})
    run._r.append(ref)


def brief_docx(answers: list[Answer], title: str = "政策问答摘要 · Policy brief") -> bytes:
    """The ``.docx`` bytes of ``answers`` (one or a whole conversation, oldest first)."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    r_pr = style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    doc.add_heading(title, level=1)
    notes: list[str] = []
    for answer in answers:
        doc.add_heading(answer.question, level=2)
        by_marker = {c.marker: c for c in answer.citations}
        if answer.comparison is not None:
            _comparison_table(doc, answer, by_marker, notes)
        else:
            _marked(doc.add_paragraph(), answer.text, by_marker, notes)
        if answer.abstained:
            doc.add_paragraph("（未在已索引的文件中找到答案 · not found in the indexed documents）")
        for note in answer.notes:
            doc.add_paragraph(note).runs[0].italic = True
    if notes:
        part = doc.part
        part.relate_to(_footnotes_part(notes, part.package), RT.FOOTNOTES)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def read_footnotes(data: bytes) -> list[str]:
    """The footnote texts of a ``.docx`` (separators left out), in order: for tests and
    checks that a brief says what its citations say."""
    doc = Document(io.BytesIO(data))
    for rel in doc.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            root = parse_xml(rel.target_part.blob)
            out = []
            for note in root.iter(qn("w:footnote")):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
                    continue
                out.append("".join(t.text or "" for t in note.iter(qn("w:t"))).strip())
            return out
    return []
