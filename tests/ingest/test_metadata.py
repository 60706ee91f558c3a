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


# Flattened web text: the line breaks became spaces, so title, 文号, salutation and signature
# block sit inline.
FLAT_NOTICE = (
    "江苏省人民政府关于印发支持中小企业共渡难关十条政策措施的通知 江苏省人民政府关于印发支持中小"
    "企业共渡难关十条政策措施的通知 苏政规〔2020〕1号 各市、县（市、区）人民政府，省各委办厅局，"
    "省各直属单位： 现将《支持中小企业共渡难关十条政策措施》印发给你们，请认真贯彻执行。 一、减免"
    "房租 对承租国有资产类经营用房的中小企业，减免1个月房租。 二、减轻税费 符合条件的企业可申请"
    "延期缴纳税款。 江苏省人民政府 2020年2月8日 （此件公开发布） 扫一扫在手机打开当前页"
)
FLAT_JOINT = (
    "浙江省医疗保障局 浙江省财政厅 国家税务总局浙江省税务局 关于延长参保缴费期的通知 各市医疗保障"
    "局、财政局、税务局： 为做好疫情防控工作，现将有关事项通知如下： 一、延长缴费期。缴费期延长"
    "至2020年6月30日。 浙江省医疗保障局 浙江省财政厅 国家税务总局浙江省税务局 2020年2月12日"
)
FLAT_NEWS = (
    "宁夏：民政服务机构全面设立隔离区 新华社银川2月8日电（记者 王明）记者7日从宁夏回族自治区民政"
    "厅获悉，宁夏将在儿童福利院、养老院等民政服务机构全面设立隔离区。 据介绍，各机构要做好消毒工"
    "作。（完）"
)
ANNOUNCEMENT = (
    "关于支持疫情防控有关个人所得税政策的公告 关于支持疫情防控有关个人所得税政策的公告 财政部 税务"
    "总局公告2020年第10号 为支持疫情防控工作，现就有关个人所得税政策公告如下： 一、对医务人员取得"
    "的临时性工作补助，免征个人所得税。 财政部&ensp;税务总局 2020年2月6日 链接： 网站纠错"
)


def test_flattened_notice_title_number_issuer_and_signed_date() -> None:
    m = parse_metadata(FLAT_NOTICE)
    assert m.title == "江苏省人民政府关于印发支持中小企业共渡难关十条政策措施的通知"
    assert m.doc_number == "苏政规〔2020〕1号"
    assert m.issuer == "江苏省人民政府"
    assert m.date == "2020-02-08"  # the signature's date, with furniture after it
    assert m.doc_type == "通知"


def test_flattened_joint_notice_keeps_every_issuer() -> None:
    m = parse_metadata(FLAT_JOINT)
    assert m.title == (
        "浙江省医疗保障局 浙江省财政厅 国家税务总局浙江省税务局 关于延长参保缴费期的通知"
    )
    assert m.issuer == "浙江省医疗保障局 浙江省财政厅 国家税务总局浙江省税务局"
    assert m.date == "2020-02-12"


def test_news_item_headline_type_and_no_invented_issuer_or_date() -> None:
    m = parse_metadata(FLAT_NEWS)
    assert m.title == "宁夏：民政服务机构全面设立隔离区"
    assert m.doc_type == "新闻"
    assert (m.issuer, m.date, m.doc_number) == ("", "", "")  # the dateline has no year


def test_announcement_number_takes_its_organs_and_entities_are_read() -> None:
    m = parse_metadata(ANNOUNCEMENT)
    assert m.title == "关于支持疫情防控有关个人所得税政策的公告"
    assert m.doc_number == "财政部税务总局公告2020年第10号"
    assert m.issuer == "财政部 税务总局"
    assert m.date == "2020-02-06"


def test_pdf_like_line_broken_notice_with_wrapped_title() -> None:
    text = (
        "广东省人民政府办公厅文件\n粤府办〔2020〕5号\n广东省人民政府办公厅关于应对疫情\n支持企业"
        "复工复产的若干措施\n各地级以上市人民政府：\n现将有关措施印发如下。\n一、加大金融支持\n"
        "……\n广东省人民政府办公厅\n二〇二〇年二月十八日\n"
    )
    m = parse_metadata(text)
    assert m.title == "广东省人民政府办公厅关于应对疫情支持企业复工复产的若干措施"
    assert m.issuer == "广东省人民政府办公厅"
    assert m.doc_number == "粤府办〔2020〕5号"
    assert m.date == "2020-02-18"


def test_a_site_header_before_a_navigation_label_is_not_the_title() -> None:
    m = parse_metadata("山东省人民政府 政策文件 关于做好春耕生产的通知 各市人民政府： 现将…")
    assert m.title == "关于做好春耕生产的通知"


def test_english_pages_keep_their_words() -> None:
    m = parse_metadata("\n\nDo I need insurance? \nYes. To register a vehicle you must have it.")
    assert m.title == "Do I need insurance?"


DOC2DIAL = Path(__file__).resolve().parents[1] / "data" / "doc2dial"


def test_an_english_page_is_titled_by_its_headline_not_its_file_name() -> None:
    text = (DOC2DIAL / "drivers-from-other-countries.txt").read_text("utf-8")
    assert parse_metadata(text).title == "Drivers from other Countries"
    text = (DOC2DIAL / "exchange-out-of-state-license.txt").read_text("utf-8")
    assert parse_metadata(text).title == "Exchange out-of-state driver license"


def test_an_english_press_release_gives_its_issuer_and_dateline() -> None:
    text = (
        "China unveils plan to upgrade manufacturing\n"
        "BEIJING, Jan. 14, 2026 — The Ministry of Industry and Information Technology (MIIT) "
        "released an action plan on Wednesday to upgrade the manufacturing sector through 2027.\n"
        "The plan sets targets for the digital transformation of industry."
    )
    m = parse_metadata(text)
    assert m.title == "China unveils plan to upgrade manufacturing"
    assert m.issuer == "Ministry of Industry and Information Technology"
    assert m.date == "2026-01-14"


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Last updated: January 14, 2026", "2026-01-14"),
        ("Last updated: 14 Jan 2026", "2026-01-14"),
        ("Published 3 March 2025", "2025-03-03"),
        ("Date: 2026-01-14", "2026-01-14"),
    ],
)
def test_english_date_labels(line: str, date: str) -> None:
    m = parse_metadata(f"Apply for a learner permit\n{line}\nYou can apply at a DMV office.")
    assert (m.title, m.date) == ("Apply for a learner permit", date)


def test_a_link_marker_is_not_part_of_an_english_title() -> None:
    assert parse_metadata("Renew your license [1]\nYou can renew online.").title == (
        "Renew your license"
    )
