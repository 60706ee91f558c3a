"""Word .docx through python-docx: paragraphs and table cells, in document order."""

from __future__ import annotations

import io
import zipfile

from assistant.core.errors import DocumentError
from assistant.core.types import LoadedText


def load_docx(data: bytes, source: str) -> LoadedText:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError(source, "not a .docx file (not a ZIP package)")
    document = docx.Document(io.BytesIO(data))
    paras: list[str] = []
    title = ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                style = (block.style.name or "") if block.style is not None else ""
                if not title and (style == "Title" or style.startswith("Heading")):
                    title = text
                paras.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    paras.append(" | ".join(dict.fromkeys(cells)))
    if not title:
        title = (document.core_properties.title or "").strip()
    return LoadedText(text="\n\n".join(paras), format="docx", title_hint=title)
