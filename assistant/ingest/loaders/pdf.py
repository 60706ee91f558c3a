"""PDF through pypdf, page by page; page numbers are kept as character spans."""

from __future__ import annotations

import io
import re

from assistant.core.errors import DocumentError
from assistant.core.types import LoadedText, PageSpan, ReadLimits


def _clean_page(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # pypdf puts a newline at every visual line end; join lines of Chinese prose back together
    # when the line break falls between two Chinese characters, keep real paragraph breaks.
    text = re.sub(
        r"(?<=[\u4e00-\u9fff，、；：“”（）])\n(?=[\u4e00-\u9fff，、；：“”（）])", "", text
    )
    return text.strip()


def load_pdf(data: bytes, source: str, limits: ReadLimits | None = None) -> LoadedText:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.lstrip()[:1024].count(b"%PDF"):
        raise DocumentError(source, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:
                raise DocumentError(source, "encrypted PDF (needs a password)") from exc
            if not ok:
                raise DocumentError(source, "encrypted PDF (needs a password)")
        pages = list(reader.pages)
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(source, "encrypted PDF (needs a password)") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(source, f"corrupt or truncated PDF ({exc})") from exc
    if not pages:
        raise DocumentError(source, "corrupt PDF: no pages")
    parts: list[str] = []
    spans: list[PageSpan] = []
    pos = 0
    for number, page in enumerate(pages, start=1):
        try:
            page_text = _clean_page(page.extract_text() or "")
        except Exception as exc:
            raise DocumentError(source, f"corrupt PDF: page {number} unreadable ({exc})") from exc
        if parts:
            parts.append("\n\n")
            pos += 2
        spans.append(PageSpan(pos, pos + len(page_text), number))
        parts.append(page_text)
        pos += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise DocumentError(source, "no extractable text (needs OCR)")
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:
        title = ""
    return LoadedText(text=text, format="pdf", pages=spans, title_hint=str(title).strip())
