"""Scanned and garbage PDF pages read by OCR (RapidOCR on OpenVINO, offline), on pages drawn from real
notices of the sample corpus and made into PDFs by real tools (PIL + reportlab); page
furniture removed and lines re-joined on born-digital PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from docfiles import make_pdf, make_scan_pdf
from helpers import CORPUS, make_settings

from assistant import Assistant
from assistant.core.text import comparable, lcs_length
from assistant.core.types import ReadLimits, reference_line
from assistant.ingest.loaders import load_file

REPORT = (CORPUS / "gwr-2025.txt").read_text("utf-8")
# Two real paragraphs of the 2025 report (its debt and bond figures).
BONDS = next(p for p in REPORT.split("\n") if "拟安排地方政府专项债券4.4万亿元" in p)[:300]


def cer(got: str, want: str) -> float:
    """Character error rate, by LCS after dropping spaces and punctuation."""
    g, w = comparable(got), comparable(want)
    return 1 - lcs_length(g, w) / max(len(w), 1)


def test_a_scanned_page_is_read_and_cited_with_its_page(tmp_path, tiny_model) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_scan_pdf(corpus / "scan.pdf", [None, BONDS], text_layer=["第一页：2025年政府工作报告。"])
    loaded = load_file(corpus / "scan.pdf", "scan.pdf")
    assert loaded.ocr_pages == [2]
    page2 = loaded.text[loaded.pages[1].start : loaded.pages[1].end]
    assert cer(page2, BONDS) <= 0.03
    settings = make_settings(tmp_path / "index", tiny_model)
    events: list[tuple[str, int, int]] = []
    report = Assistant(settings).index([corpus], lambda *e: events.append(e))
    assert not report.failed
    assert ("ocr", 2, 2) in events  # progress shows the OCR'd page of the document
    hit = next(
        h for h in Assistant(settings).search("地方政府专项债券4.4万亿元", k=5)
        if "专项债券" in h.text
    )  # fmt: skip
    assert hit.source == "scan.pdf" and hit.page == 2 and hit.ocr
    assert reference_line(hit).endswith("p. 2 (OCR)")


def test_a_garbage_text_layer_is_read_again_by_ocr(tmp_path) -> None:
    # A scan whose OCR layer is mojibake (GBK read as Latin-1), as bad scanners leave it.
    mojibake = "ÕþÖÎ¹¤×÷±¨¸æ ¾­¼ÃÉç»á·¢Õ¹ ×ÜÌåÒªÇó£º" * 3
    pdf = make_scan_pdf(tmp_path / "bad-layer.pdf", [BONDS], text_layer=[mojibake])
    loaded = load_file(pdf, "bad-layer.pdf")
    assert loaded.ocr_pages == [1] and "Õþ" not in loaded.text
    assert cer(loaded.text, BONDS) <= 0.03


def test_a_rotated_noisy_scan_is_still_read(tmp_path) -> None:
    pdf = make_scan_pdf(tmp_path / "noisy.pdf", [BONDS], rotate=1.5, noise=0.002)
    assert cer(load_file(pdf, "noisy.pdf").text, BONDS) <= 0.08


def test_with_ocr_off_a_scan_is_reported_not_read(tmp_path) -> None:
    from assistant.core.errors import DocumentError
    from assistant.ingest.loaders import load_bytes

    pdf = make_scan_pdf(tmp_path / "scan.pdf", [BONDS])
    with pytest.raises(DocumentError, match=r"needs OCR; ingest\.ocr is off"):
        load_bytes(pdf.read_bytes(), ".pdf", "scan.pdf", ReadLimits(ocr=False))


def test_an_unreadable_page_is_reported_and_the_rest_indexed(tmp_path, tiny_model) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pdf = make_scan_pdf(corpus / "mixed.pdf", [None, BONDS], text_layer=["第一页：工业互联网。"])
    data = bytearray(pdf.read_bytes())
    # Break the page image's compressed stream: PDFium renders nothing readable from it.
    start = data.index(b"stream", data.index(b"/Subtype /Image")) + 8
    data[start + 50 : start + 4000] = b"\x00" * 3950
    pdf.write_bytes(bytes(data))
    report = Assistant(make_settings(tmp_path / "index", tiny_model)).index([corpus])
    assert not report.failed and report.added == ["mixed.pdf"]
    assert any(n.startswith("mixed.pdf: page 2:") and "skipped" in n for n in report.notes)


def test_page_numbers_and_running_headers_leave_born_digital_pdfs(tmp_path) -> None:
    body = [p for p in REPORT.split("\n") if len(p) > 120][:3]
    pages = [f"国务院公报\n{text}\n— {n} —" for n, text in enumerate(body, start=1)]
    loaded = load_file(make_pdf(tmp_path / "notice.pdf", pages), "notice.pdf")
    assert "— 2 —" not in loaded.text and "国务院公报" not in loaded.text
    # make_pdf breaks every line at 40 characters: each paragraph comes back whole.
    for text in body:
        assert text in loaded.text


def test_the_ocr_engine_ships_its_models() -> None:
    import rapidocr_openvino

    models = Path(rapidocr_openvino.__file__).parent / "models"
    names = {p.name for p in models.glob("*.onnx")}
    assert {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"} <= names
