"""公文 metadata rules and sidecar overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core.errors import DocumentError
from assistant.ingest.metadata import doc_type_of, find_dates, merge, parse_metadata, read_sidecar

NOTICE = """工业和信息化部文件

工信部信管〔2026〕12号

工业和信息化部关于推进工业互联网
高质量发展的通知

各省、自治区、直辖市工业和信息化主管部门：

为贯彻落实党中央、国务院决策部署，现就有关事项通知如下。

一、总体要求

加快工业互联网规模化应用。

工业和信息化部
二〇二六年三月十二日
"""


def test_full_notice_head_and_signature() -> None:
    m = parse_metadata(NOTICE)
    assert m.title == "工业和信息化部关于推进工业互联网高质量发展的通知"
    assert m.issuer == "工业和信息化部"
    assert m.doc_number == "工信部信管〔2026〕12号"
    assert m.date == "2026-03-12"
    assert m.doc_type == "通知"


def test_report_head_date() -> None:
    head = "政府工作报告\n\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n各位代表："
    m = parse_metadata(head)
    assert (m.title, m.date, m.doc_type) == ("政府工作报告", "2024-03-05", "报告")
    assert m.issuer == "" and m.doc_number == ""  # not in the text: left empty


def test_labelled_numeric_date_and_bracket_forms() -> None:
    m = parse_metadata(
        "国务院办公厅关于印发某方案的通知\n国办发[2017]35号\n发布日期：2017-07-20\n正文。"
    )
    assert m.doc_number == "国办发[2017]35号"
    assert m.date == "2017-07-20"
    assert m.issuer == "国务院办公厅"


def test_nothing_found_stays_empty() -> None:
    m = parse_metadata("这是一段没有任何公文要素的文字，只说明一件事情。")
    assert m.as_dict() == {k: "" for k in m.FIELDS}


@pytest.mark.parametrize(
    ("title", "kind"),
    [("关于加快发展的指导意见", "意见"), ("人工智能+行动实施方案", "方案"),
     ("某某条例（试行）", "条例"), ("会议关于政府工作报告的决议", "决议"), ("随便一个标题", "")],
)  # fmt: skip
def test_doc_types(title: str, kind: str) -> None:
    assert doc_type_of(title) == kind


def test_dates_in_every_form() -> None:
    text = "2024年3月5日、二〇二三年十二月三十一日、2022.01.02和2021/1/2，以及13月40日无效"
    assert [d for _, d in find_dates(text)] == [
        "2024-03-05",
        "2023-12-31",
        "2022-01-02",
        "2021-01-02",
    ]


def test_sidecar_overrides(tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text(NOTICE, encoding="utf-8")
    (tmp_path / "n.meta.json").write_text(
        json.dumps({"issuer": "国务院", "title": "另一个标题的意见"}, ensure_ascii=False), "utf-8"
    )
    merged = merge(parse_metadata(NOTICE), read_sidecar(doc, "n.txt"))
    assert merged.issuer == "国务院"
    assert merged.doc_type == "意见"  # follows the sidecar title
    assert merged.doc_number == "工信部信管〔2026〕12号"  # parsed field kept


def test_sidecar_with_unknown_key_is_an_error(tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("x", encoding="utf-8")
    (tmp_path / "n.meta.json").write_text('{"titel": "x"}', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"n\.txt.*unknown field.*titel"):
        read_sidecar(doc, "n.txt")
