"""Page furniture and line re-joining on PDF lines (pure)."""

from __future__ import annotations

from assistant.ingest.loaders.ocr import needs_ocr
from assistant.ingest.loaders.pdf_layout import join_lines, strip_furniture


def test_chinese_lines_join_without_a_space_and_headings_stay() -> None:
    lines = [
        "一、总体要求",
        "为贯彻落实党中央、国务院决策部署，加快工业互联",
        "网规模化应用，现就有关事项通知如下。",
        "（一）加快发展",
        "推动工业互联网平台在重点行业落地，形成一批标杆。",
    ]
    assert join_lines(lines).split("\n") == [
        "一、总体要求",
        "为贯彻落实党中央、国务院决策部署，加快工业互联网规模化应用，现就有关事项通知如下。",
        "（一）加快发展",
        "推动工业互联网平台在重点行业落地，形成一批标杆。",
    ]


def test_english_lines_join_with_a_space_and_hyphens_heal() -> None:
    lines = [
        "The Ministry of Industry and Information Technology released an infor-",
        "mation plan to upgrade the manufacturing sector through the year",
        "2027, with targets for digital transformation.",
        "1. Scope",
        "This plan covers all provinces.",
    ]
    assert join_lines(lines).split("\n") == [
        "The Ministry of Industry and Information Technology released an information plan to "
        "upgrade the manufacturing sector through the year 2027, with targets for digital "
        "transformation.",
        "1. Scope",
        "This plan covers all provinces.",
    ]


def test_page_numbers_and_repeated_headers_go_the_body_stays() -> None:
    body = [
        "加快工业互联网规模化应用。",
        "推进人工智能+行动。",
        "稳步扩大有效投资。",
        "做好民生保障。",
    ]
    pages = [[f"国务院公报 2026年第{n}号", text, f"— {n} —"] for n, text in enumerate(body, 1)]
    pages[1].append("第 2 页 共 4 页")
    assert strip_furniture(pages) == [[text] for text in body]
    # Two pages are too few to call a line a running header.
    assert strip_furniture([["标题", "正文一"], ["标题", "正文二"]])[0] == ["标题", "正文一"]


def test_text_quality_check() -> None:
    assert needs_ocr("", 595, 842) == "no text layer"
    assert needs_ocr("ÕþÖÎ¹¤×÷±¨¸æ ¾­¼ÃÉç»á·¢Õ¹ ×ÜÌåÒªÇó£º" * 3, 595, 842)
    assert needs_ocr("\ue000\ue001\ue002 政府工作报告" * 5, 595, 842)
    assert not needs_ocr("各位代表：现在，我代表国务院，向大会报告政府工作，请予审议。", 595, 842)
    assert not needs_ocr("The plan covers all provinces and sets targets for 2027.", 595, 842)
