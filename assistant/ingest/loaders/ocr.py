"""OCR for PDF pages whose text layer is missing or garbage: the page is rendered by PDFium
(pypdfium2) and read by RapidOCR on OpenVINO (PP-OCRv4 Chinese/English detection and
recognition models, carried in the ``rapidocr-openvino`` wheel, Apache-2.0: no download;
measured 3x faster than the same models on ONNX Runtime, same error rate). ``needs_ocr`` is the
text-quality check (pure)."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# Who hears of each page read by OCR: (pages of the document done, pages in it). The sync sets
# it around reading a document, so its progress shows page by page.
page_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "page_progress", default=None
)
_LETTER = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_engine: Any = None
_lock = threading.Lock()


def needs_ocr(text: str, width_pt: float, height_pt: float) -> str:
    """Why the text layer of a page cannot be trusted ("" when it can): empty, too short for a
    page of its size, or not text (few CJK/Latin letters and digits, replacement or private-use
    characters, control characters, "words" of one letter spaced out)."""
    body = re.sub(r"\s+", "", text)
    if not body:
        return "no text layer"
    area = max(width_pt * height_pt / (595 * 842), 0.1)  # in A4 pages
    letters = len(_LETTER.findall(body))
    odd = sum(
        1 for ch in body
        if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc", "Cs", "Cn")
    )  # fmt: skip
    if odd / len(body) > 0.05:
        return "replacement or private-use characters"
    if len(body) >= 20 and letters / len(body) < 0.5:
        return "not text (few letters)"
    words = text.split()
    if len(words) >= 30 and sum(len(w) == 1 for w in words) / len(words) > 0.6:
        return "letters spaced out one by one"
    if len(body) < 15 * area and letters < 15:
        return "too little text for the page"
    return ""


def _ocr_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_openvino import RapidOCR  # type: ignore[import-untyped]

            _engine = RapidOCR()
        return _engine


def render_page(pdf: Any, index: int, dpi: int) -> Any:
    """Page ``index`` of a pypdfium2 document as a PIL image at ``dpi``."""
    page = pdf[index]
    try:
        return page.render(scale=dpi / 72).to_pil()
    finally:
        page.close()


def ocr_lines(image: Any) -> list[str]:
    """The text lines of a page image, top to bottom: boxes on one visual line (their vertical
    centres within half a line height) joined left to right."""
    import numpy as np

    result, _ = _ocr_engine()(np.asarray(image.convert("RGB")))
    boxes = []
    for box, text, _score in result or []:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        boxes.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), str(text)))
    boxes.sort()
    lines: list[list[tuple[float, float, float, str]]] = []
    for b in boxes:
        if lines and abs(b[0] - lines[-1][0][0]) < max(lines[-1][0][1], b[1]) / 2:
            lines[-1].append(b)
        else:
            lines.append([b])
    return [_tidy(_join_boxes(sorted(line, key=lambda b: b[2]))) for line in lines]


def _tidy(line: str) -> str:
    """Spaces the recogniser puts inside Chinese text or numbers ("2 2．15", "实施 方案") are
    dropped; a space between two Latin words stays."""
    return (
        re.sub(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])", "", line).strip()
        if re.search(r"[\u4e00-\u9fff]", line)
        else line.strip()
    )


def _join_boxes(line: list[tuple[float, float, float, str]]) -> str:
    out = ""
    for *_, text in line:
        if out and re.search(r"[A-Za-z0-9]$", out) and re.match(r"[A-Za-z0-9]", text):
            out += " "
        out += text
    return out
