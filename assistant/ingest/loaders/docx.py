"""Word .docx through python-docx: paragraphs and table cells, in document order."""

from __future__ import annotations

import io
import zipfile

from assistant.core.errors import DocumentError
from assistant.core.types import LoadedText, ReadLimits


def check_package(data: bytes, source: str, max_expanded: int) -> None:
    """Refuse a ZIP package whose members would expand beyond ``max_expanded`` bytes, judged
    from its directory before anything is inflated (a decompression bomb is never opened)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        total = sum(info.file_size for info in z.infolist())
    if total > max_expanded:
        raise DocumentError(
            source,
            f"expands to {total / 2**20:,.0f} MiB, more than the limit of "
            f"{max_expanded / 2**20:,.0f} MiB (setting ingest.max_expanded_mb)",
        )


def load_docx(data: bytes, source: str, limits: ReadLimits | None = None) -> LoadedText:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    limits = limits or ReadLimits()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError(source, "not a .docx file (not a ZIP package)")
    check_package(data, source, limits.max_expanded_bytes)
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
