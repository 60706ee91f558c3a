"""PDF, page by page: the text layer through pypdf, or — for a page whose layer is empty, too
short or garbage — OCR (``ocr``); then page furniture removed and visual lines joined into
paragraphs (``pdf_layout``). Page numbers are kept as character spans; a page that cannot be
read is reported (``LoadedText.warnings``) and skipped, the rest of the document kept."""

from __future__ import annotations

import io
import time
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.text import is_chinese
from assistant.core.types import LoadedText, PageSpan, ReadLimits
from assistant.ingest.loaders.ocr import needs_ocr, ocr_lines, page_progress, render_page
from assistant.ingest.loaders.pdf_layout import join_lines, page_continues, strip_furniture


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return [ln for ln in text.split("\n") if ln.strip()]


class _Ocr:
    """OCR of one document's pages within its page and time budget."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        self.data, self.limits = data, limits
        self.pdf: Any = None
        self.pages = 0
        self.started = time.monotonic()

    def budget_left(self) -> str:
        if self.pages >= self.limits.ocr_max_pages:
            return f"the OCR page budget ({self.limits.ocr_max_pages}, ingest.ocr_max_pages)"
        if time.monotonic() - self.started > self.limits.ocr_max_seconds:
            return (
                f"the OCR time budget ({self.limits.ocr_max_seconds:.0f} s, ingest.ocr_max_seconds)"
            )
        return ""

    def read(self, index: int) -> list[str]:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        if self.pdf is None:
            self.pdf = pdfium.PdfDocument(self.data)
        self.pages += 1
        return ocr_lines(render_page(self.pdf, index, self.limits.ocr_dpi))

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def load_pdf(data: bytes, source: str, limits: ReadLimits | None = None) -> LoadedText:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    limits = limits or ReadLimits()
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
    page_lines: list[list[str]] = []
    ocr_pages: list[int] = []
    warnings: list[str] = []
    ocr = _Ocr(data, limits)
    try:
        for number, page in enumerate(pages, start=1):
            try:
                raw = page.extract_text() or ""
                box = page.mediabox
                width, height = float(box.width), float(box.height)
            except Exception as exc:
                raw, width, height = "", 595.0, 842.0
                warnings.append(f"page {number}: text layer unreadable ({type(exc).__name__})")
            reason = needs_ocr(raw, width, height)
            if not reason:
                page_lines.append(_lines(raw))
                continue
            if not limits.ocr:
                warnings.append(f"page {number}: {reason}; OCR is off (ingest.ocr), skipped")
                page_lines.append([])
                continue
            over = ocr.budget_left()
            if over:
                warnings.append(f"page {number}: {reason}; beyond {over}, skipped")
                page_lines.append([])
                continue
            try:
                lines = ocr.read(number - 1)
            except Exception as exc:  # a broken image on one page must not lose the others
                warnings.append(f"page {number}: {reason}, and OCR could not read it "
                                f"({type(exc).__name__}: {exc}); skipped")  # fmt: skip
                page_lines.append([])
                continue
            page_lines.append(lines)
            report = page_progress.get()
            if report is not None:
                report(number, len(pages))
            if lines:
                ocr_pages.append(number)
            else:
                warnings.append(f"page {number}: {reason}, and OCR found no text on it; skipped")
    finally:
        ocr.close()
    parts: list[str] = []
    spans: list[PageSpan] = []
    pos = 0
    cleaned = strip_furniture(page_lines)
    for number, lines in enumerate(cleaned, start=1):
        page_text = join_lines(lines)
        if parts and page_continues(cleaned[number - 2], lines):
            # A paragraph running on over the page break stays one paragraph (Chinese: no
            # space; English: one); the page span still starts at its first character here.
            glue = " " if not is_chinese(page_text[:200]) and not parts[-1].endswith("-") else ""
            if glue:
                parts.append(glue)
                pos += 1
        elif parts:
            parts.append("\n\n")
            pos += 2
        spans.append(PageSpan(pos, pos + len(page_text), number))
        parts.append(page_text)
        pos += len(page_text)
    text = "".join(parts)
    if not text.strip():
        if not limits.ocr:
            raise DocumentError(source, "no extractable text (needs OCR; ingest.ocr is off)")
        if ocr.pages:
            raise DocumentError(source, "no extractable text (OCR found none)")
        why = "; ".join(warnings[:3]) or "no text"
        raise DocumentError(source, f"no extractable text ({why})")
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:
        title = ""
    return LoadedText(text=text, format="pdf", pages=spans, title_hint=str(title).strip(),
                      ocr_pages=ocr_pages, warnings=warnings)  # fmt: skip
