"""Validity read by rule from a notice's text (pure): each phrase family of effective dates,
ends, repeals, amendments, revisions and interpretation, and the distractors that must not be
read as the document's own validity."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.errors import DocumentError
from assistant.core.types import DocMeta, Validity
from assistant.ingest.metadata import merge_validity, parse_metadata, read_sidecar
from assistant.ingest.validity import base_title, parse_validity, revision_year

NOTICES = Path(__file__).resolve().parents[1] / "data" / "notices"
META = DocMeta(title="江南省关于支持企业发展的通知", date="2024-05-10", doc_type="通知")


def read(body: str, meta: DocMeta = META) -> Validity:
    return parse_validity(f"{meta.title}\n各市人民政府：\n一、加大支持力度。\n{body}\n", meta)


@pytest.mark.parametrize(
    ("body", "effective", "kind"),
    [
        ("本通知自印发之日起施行。", "2024-05-10", "on_issue"),
        ("本通知自发布之日起执行。", "2024-05-10", "on_issue"),
        ("本通告自即日起施行。", "2024-05-10", "on_issue"),
        ("本办法自2026年3月1日起施行。", "2026-03-01", "date"),
        ("本办法自二〇二六年三月一日起施行。", "2026-03-01", "date"),
        ("本通告自2020年2月21日零时施行。", "2020-02-21", "date"),
        ("以上措施自2025年1月1日起实施。", "2025-01-01", "date"),
        ("本政策执行期暂定为自政策发布之日起三个月。", "2024-05-10", "on_issue"),
        ("企业应自本通知印发之日起30日内报送材料。", "", ""),  # a deadline, not a start
        ("《实施意见》自2022年1月1日起施行，请遵照执行。", "", ""),  # another document's
    ],
)
def test_effective_date_families(body: str, effective: str, kind: str) -> None:
    v = read(body)
    assert (v.effective, v.effective_kind) == (effective, kind)
    if effective:
        start, end = v.spans["effective"]
        assert v.quotes["effective"] in body and end > start


@pytest.mark.parametrize(
    ("body", "expires", "period", "condition"),
    [
        ("本措施自印发之日起施行，有效期至2028年12月31日。", "2028-12-31", "", ""),
        ("本办法自印发之日起施行，有效期至2027年底。", "2027-12-31", "", ""),
        ("本通知有效期至2025年6月底。", "2025-06-30", "", ""),
        ("本办法自2018年4月1日起施行，有效期5年。", "2023-03-31", "5", ""),
        ("本办法自2017年3月1日起施行，有效期两年。", "2019-02-28", "两", ""),
        ("本意见有效期3年，自2026年3月1日起施行。", "2029-02-28", "3", ""),
        ("本政策自发布之日起施行，施行期暂定为6个月。", "2024-11-09", "6", ""),
        ("本通知自发布之日起暂执行至2020年6月30日止。", "2020-06-30", "", ""),
        ("本通知自2021年5月1日起执行，执行至2023年4月30日。", "2023-04-30", "", ""),
        (
            "以上政策措施自印发之日起实施，有效期至疫情防控一级响应解除。",
            "",
            "",
            "疫情防控一级响应解除",
        ),
        (
            "上述措施自公布之日起生效，自疫情防控工作结束之日起停止执行。",
            "",
            "",
            "疫情防控工作结束",
        ),
        ("以上措施在疫情防控期间有效。", "", "", "疫情防控期间"),
        ("申请人证书有效期至2025年12月31日的，可申请延续。", "", "", ""),  # a licence's
    ],
)
def test_end_families(body: str, expires: str, period: str, condition: str) -> None:
    v = read(body)
    assert v.expires == expires
    assert v.period.startswith(period)
    assert v.expires_condition == condition


def test_repeal_with_title_and_number_and_bare_title_and_number_only() -> None:
    v = read(
        "本办法自2023年4月1日起施行。原《工业互联网平台管理办法》（工信部信管〔2018〕12号）同时废止。"
        "江南省财政厅关于印发贴息管理办法的通知（江南财发〔2017〕5号）即行废止。"
        "江南人社发〔2021〕12号文件同时废止。"
    )
    refs = [(r.relation, r.title, r.doc_number) for r in v.refs]
    assert refs == [
        ("repeals", "工业互联网平台管理办法", "工信部信管〔2018〕12号"),
        ("repeals", "江南省财政厅关于印发贴息管理办法的通知", "江南财发〔2017〕5号"),
        ("repeals", "", "江南人社发〔2021〕12号"),
    ]
    # Each reference's evidence is the sentence that names it, at its offsets in the text.
    assert all(r.doc_number in r.evidence for r in v.refs)
    assert "同时废止" in v.refs[0].evidence and "即行废止" in v.refs[1].evidence
    text = f"{META.title}\n各市人民政府：\n一、加大支持力度。\n"
    assert all(r.start >= len(text) and r.end > r.start for r in v.refs)


def test_two_repealed_documents_in_one_clause_and_stop_executing() -> None:
    v = read(
        "以上措施自2025年1月1日起实施。《关于进一步降低物流成本的通知》（江南交发〔2019〕40号）、"
        "《关于优化道路货运审批的通知》（江南交发〔2020〕8号）自本措施实施之日起停止执行。"
    )
    assert [r.doc_number for r in v.refs] == ["江南交发〔2019〕40号", "江南交发〔2020〕8号"]


def test_not_repeals_a_law_a_procedure_or_a_portal_label() -> None:
    v = read(
        "根据《中华人民共和国行政许可法》，停止执行原纸质申请方式。[实施日期] ---- [废止日期] ---- "
        "京政办发〔2020〕5号。本通知自印发之日起施行。"
    )
    assert v.refs == []


def test_amendment_by_title_and_by_clause_and_revision() -> None:
    meta = DocMeta(title="国家数据局关于修改《数据安全管理暂行办法》的决定", date="2025-06-01")
    v = parse_validity(
        "国家数据局决定对《数据安全管理暂行办法》作如下修改：一、将第三条修改为……本决定自2025年7月1日起施行。",
        meta,
    )
    assert [(r.relation, r.title) for r in v.refs] == [("amends", "数据安全管理暂行办法")]
    rev = parse_validity("第一条 为规范……\n本办法自2025年10月1日起施行。",
                         DocMeta(title="公共数据授权运营管理办法（2025年修订）"))  # fmt: skip
    assert [(r.relation, r.title) for r in rev.refs] == [("revises", "公共数据授权运营管理办法")]
    assert (
        base_title("某办法（2024年修订）") == "某办法"
        and revision_year("某办法（2024年修订）") == "2024"
    )


@pytest.mark.parametrize(
    ("body", "who"),
    [
        ("本办法由国家数据局负责解释。", "国家数据局"),
        ("本政策由市商务局会同市财政局等相关部门负责解释。", "市商务局会同市财政局等相关部门"),
        ("相关措施由市人民政府办公室会同相关部门负责解释。", "市人民政府办公室会同相关部门"),
    ],
)
def test_interpreting_body(body: str, who: str) -> None:
    assert read(body).interpreted_by == who


def test_news_carries_only_statements_naming_the_document_itself() -> None:
    news = DocMeta(title="某省出台支持企业30条意见", doc_type="新闻", date="2020-02-10")
    assert parse_validity("记者获悉，《措施》自发布之日起施行。", news).is_empty()
    own = parse_validity("全文如下……本意见明确的政策措施自印发之日起施行。", news)
    assert own.effective == "2020-02-10" and own.refs == []


def test_real_notice_files_read_as_labelled() -> None:
    text = (NOTICES / "miit-platform-2018.txt").read_text(encoding="utf-8")
    v = parse_validity(text, parse_metadata(text))
    assert (v.effective, v.expires, v.interpreted_by) == (
        "2018-04-01",
        "2023-03-31",
        "工业和信息化部",
    )


def test_sidecar_validity_wins_and_bad_values_are_named(tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("某通知\n本通知自印发之日起施行。", encoding="utf-8")
    (tmp_path / "n.meta.json").write_text(
        '{"effective": "2026-01-01", "expires": "2026-12-31", "repeals": ["某发〔2020〕3号", "《旧办法》"]}',
        encoding="utf-8",
    )
    side = read_sidecar(doc, "n.txt")
    v = merge_validity(read("本通知自印发之日起施行。"), side)
    assert (v.effective, v.effective_kind, v.expires) == ("2026-01-01", "sidecar", "2026-12-31")
    assert [(r.title, r.doc_number) for r in v.refs] == [("", "某发〔2020〕3号"), ("旧办法", "")]
    (tmp_path / "n.meta.json").write_text('{"effective": "2026-02-30"}', encoding="utf-8")
    with pytest.raises(DocumentError, match="effective '2026-02-30' is not a date"):
        read_sidecar(doc, "n.txt")
    (tmp_path / "n.meta.json").write_text('{"repeals": "某发〔2020〕3号"}', encoding="utf-8")
    with pytest.raises(DocumentError, match="repeals must be a list"):
        read_sidecar(doc, "n.txt")


def test_documents_named_after_the_verb_replace_and_listed_repeals() -> None:
    v = read("本通知自2024年5月1日起施行，有效期5年。本通知代替青发改规〔2022〕4号。")
    assert [(r.relation, r.doc_number) for r in v.refs] == [("repeals", "青发改规〔2022〕4号")]
    listed = parse_validity(
        "某市人民政府关于废止部分行政规范性文件的决定\n经清理，决定废止以下文件：\n"
        "1.《某市人民政府关于加强建筑垃圾管理的通知》（某政发〔2015〕22号）\n"
        "2.某市人民政府办公室关于进一步加强出租汽车行业管理的意见（某政办发〔2016〕7号）\n\n"
        "本决定自公布之日起施行。\n", DocMeta(title="某市人民政府关于废止部分行政规范性文件的决定"))  # fmt: skip
    assert [r.doc_number for r in listed.refs] == ["某政发〔2015〕22号", "某政办发〔2016〕7号"]


def test_a_period_with_both_ends_and_what_is_not_the_documents_own() -> None:
    v = read("四、方案执行期限为2024年1月1日至2025年6月底。")
    assert (v.effective, v.expires) == ("2024-01-01", "2025-06-30")
    v = read("第七条　本办法有效期自2024年3月1日起至2027年2月28日止。")
    assert (v.effective, v.expires) == ("2024-03-01", "2027-02-28")
    quoted = read("三、将第七条修改为：“第八条　本办法自2020年9月1日起施行，有效期至2025年12月31日。”\n"
                  "本决定自印发之日起施行。")  # fmt: skip
    assert (quoted.effective, quoted.expires) == ("2024-05-10", "")
    forwarded = read("一、《办法》自2023年5月1日起施行，有效期至2027年12月31日。")
    assert (forwarded.effective, forwarded.expires) == ("", "")
    licence = read("证书有效期自2024年1月1日起至2026年12月31日止。本通知自印发之日起施行。")
    assert licence.expires == ""


def test_numbers_and_titles_as_sentences_write_them() -> None:
    v = read("本办法自2022年9月1日起施行，原川南经信规〔2019〕4号文件同时废止。"
             "财政部 国家发展改革委关于降低部分登记类收费标准的通知（财税〔2017〕88号）和财税〔2019〕23号"
             "文件同时废止。")  # fmt: skip
    assert [(r.title, r.doc_number) for r in v.refs] == [
        ("", "川南经信规〔2019〕4号"),
        ("财政部 国家发展改革委关于降低部分登记类收费标准的通知", "财税〔2017〕88号"),
        ("", "财税〔2019〕23号"),
    ]
    meta = DocMeta(
        title="嘉水市人民政府关于修改《嘉水市城市绿化管理办法》的决定", date="2024-01-20"
    )
    amend = parse_validity(
        "市政府决定对《嘉水市城市绿化管理办法》（嘉府规〔2020〕3号）作如下修改：……", meta
    )
    assert [(r.title, r.doc_number) for r in amend.refs] == [
        ("嘉水市城市绿化管理办法", "嘉府规〔2020〕3号")
    ]


def test_more_end_families_and_a_forwarded_documents_own_clauses() -> None:
    assert read("本通知自2024年1月1日起执行，至2024年3月底止。").expires == "2024-03-31"
    assert read("本意见自印发之日起施行，实施期至2024年底。").expires == "2024-12-31"
    v = read("第七条 本暂行规定自印发之日起施行，至市级收费管理办法出台之日止。")
    assert v.expires_condition == "市级收费管理办法出台之日"
    meta = DocMeta(title="某市人力资源和社会保障局转发省人社厅关于稳就业的通知", date="2023-05-10")
    text = ("某市人力资源和社会保障局转发省人社厅关于稳就业的通知\n各区人社局：\n现将省厅通知转发给你们，"
            "请认真贯彻落实。\n某市人力资源和社会保障局\n2023年5月10日\n"
            "省人社厅关于稳就业的通知\n……三、本通知执行期限为2023年5月1日至2024年12月31日。\n")  # fmt: skip
    forwarded = parse_validity(text, meta)
    assert (forwarded.effective, forwarded.expires) == ("", "")


def test_flattened_repeal_list_ends_with_its_sentence() -> None:
    v = read("经清理，决定废止以下文件： 1.《关于甲事项的通知》（某政发〔2015〕1号） "
             "2.《关于乙事项的通知》（某政发〔2016〕2号） 本决定自印发之日起施行。"
             "各区要按照《关于加强规范性文件管理的通知》（市政发〔2023〕9号）要求做好衔接。")  # fmt: skip
    assert [r.doc_number for r in v.refs] == ["某政发〔2015〕1号", "某政发〔2016〕2号"]


def test_periods_at_month_ends_and_halves_and_self_references() -> None:
    assert read("本办法自2024年1月31日起施行，有效期三个月。").expires == "2024-04-30"
    assert read("本办法自2024年1月1日起施行，有效期两年半。").expires == "2026-06-30"
    assert read("本办法自2024年1月1日起施行，有效期半个月。").expires == ""
    meta = DocMeta(title="某市关于调整收费的通知", doc_number="某发〔2024〕1号", date="2024-05-10")
    v = parse_validity("本通知（某发〔2024〕1号）印发前的有关规定同时废止。", meta)
    assert v.refs == []


def test_sidecar_dates_drop_the_sentence_they_replace(tmp_path: Path) -> None:
    v = merge_validity(read("本办法自2024年3月1日起施行，有效期5年。"),
                       {"effective": "2024-06-01", "expires": "2029-05-31"})  # fmt: skip
    assert v.quotes["effective"] == v.quotes["expires"] == "(sidecar)"
