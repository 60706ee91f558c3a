"""Comparison questions (pure): which questions ask for a comparison and along which axis, the
question and filters of each item, and the table built from per-item answers."""

from __future__ import annotations

import pytest

from assistant.core.types import Answer, Citation, SearchFilters
from assistant.qa.compare import item_filters, plan_comparison, table_answer


@pytest.mark.parametrize(
    ("question", "lang", "items", "first"),
    [
        ("2024年和2025年的GDP增长目标分别是多少？", "zh", ["2024", "2025"], "2024年GDP增长目标多少？"),
        ("比较2023—2025年政府工作报告中关于工业互联网的部署", "zh", ["2023", "2024", "2025"],
         "2023年工业互联网的部署"),
        ("2013年和2023年的经济增长预期目标相比有何不同？", "zh", ["2013", "2023"], "2013年经济增长预期目标是多少？"),
        ("2021年和2022年的政府工作报告如何部署工业互联网？", "zh", ["2021", "2022"],
         "2021年政府工作报告如何部署工业互联网？"),
        ("Compare the deficit ratio targets of 2024 and 2025", "en", ["2024", "2025"],
         "deficit ratio targets in 2024"),
        ("What were the GDP growth targets for each year from 2022 to 2024?", "en", ["2022", "2023", "2024"],
         "GDP growth targets in 2022"),
    ],
)  # fmt: skip
def test_year_axis(question: str, lang: str, items: list[str], first: str) -> None:
    plan = plan_comparison(question, lang)  # type: ignore[arg-type]
    assert plan is not None and plan.axis == "year" and plan.items == items
    assert plan.question_for(items[0]) == first


@pytest.mark.parametrize(
    "question",
    [
        "2008至2012年新建了多少保障性住房？",  # a period, not two items
        "1984年6月至1985年1月，蒋巨峰担任什么职务？",
        "2025年的GDP增长目标是多少？",
        "What is the GDP growth target for 2025?",
    ],
)
def test_ordinary_questions_are_not_comparisons(question: str) -> None:
    lang = "en" if question[0].isascii() else "zh"
    assert plan_comparison(question, lang) is None  # type: ignore[arg-type]


def test_document_and_issuer_axes() -> None:
    plan = plan_comparison(
        "《工业互联网平台管理办法》和《数据安全管理暂行办法》对评估周期的规定有何不同？", "zh"
    )
    assert plan is not None and plan.axis == "document"
    assert plan.items == ["工业互联网平台管理办法", "数据安全管理暂行办法"]
    issuers = ["江南省财政厅", "江南省人力资源和社会保障厅", "国务院"]
    plan = plan_comparison(
        "江南省财政厅和江南省人力资源和社会保障厅的补贴标准分别是多少？", "zh", issuers
    )
    assert plan is not None and plan.axis == "issuer" and plan.items == issuers[:2]
    assert plan.question_for(issuers[0]) == "补贴标准多少？"  # the issuer is the filter


def test_item_filters_narrow_the_user_filters() -> None:
    plan = plan_comparison("2019年和2024年的赤字率分别是多少？", "zh")
    assert plan is not None
    base = SearchFilters(issuer="国务院", date_from="2020")
    assert item_filters(plan, "2019", base, {}) is None  # outside the user's dates
    f = item_filters(plan, "2024", base, {})
    assert f is not None and (f.issuer, f.date_from, f.date_to) == ("国务院", "2024", "2024")
    doc = plan_comparison("比较《工业互联网平台管理办法》与《未收录的办法》的评价周期", "zh")
    assert doc is not None
    titles = {"p.txt": "工业和信息化部关于印发《工业互联网平台管理办法》的通知"}
    hit = item_filters(doc, "工业互联网平台管理办法", SearchFilters(), titles)
    assert hit is not None and hit.source == "p.txt"
    assert item_filters(doc, "未收录的办法", SearchFilters(), titles) is None


def _cited(marker: int, source: str, quote: str) -> Citation:
    return Citation(marker, f"{source}#0", source, source, "", "", source[4:8], "", None,
                    quote, quote, quotes=[quote])  # fmt: skip


def test_table_renumbers_markers_and_says_not_found() -> None:
    plan = plan_comparison("2019年、2020年和2024年的赤字率目标分别是多少？", "zh")
    assert plan is not None
    a19 = Answer(
        "q", "赤字率拟按2.8%安排。[1]", [_cited(1, "gwr-2019.txt", "赤字率拟按2.8%安排。")], []
    )
    a24 = Answer("q", "赤字率拟按3%安排。[1]又……[2]",
                 [_cited(1, "gwr-2024.txt", "赤字率拟按3%安排。"), _cited(2, "gwr-2024.txt", "又……")], [])  # fmt: skip
    refused = Answer("q", "未找到", [], [], abstained=True)
    out = table_answer(
        "q", plan, [("2019", "q19", a19), ("2020", "q20", refused), ("2024", "q24", a24)]
    )
    cells = out.comparison.cells if out.comparison else []
    assert [(c.item, c.found, c.marker) for c in cells] == [
        ("2019", True, 1), ("2020", False, None), ("2024", True, 2)]  # fmt: skip
    assert [c.marker for c in out.citations] == [1, 2, 3]
    assert cells[2].text == "赤字率拟按3%安排。[2]又……[3]"
    assert "未在已索引的文件中找到" in cells[1].text and not out.abstained
    assert out.text.startswith("| 年份 |") and "| 2020 | 未在已索引的文件中找到 |" in out.text
    none = table_answer(
        "q", plan, [("2019", "a", refused), ("2020", "b", None), ("2024", "c", refused)]
    )
    assert none.abstained and none.citations == []


def test_long_ranges_and_versions_of_one_title() -> None:
    plan = plan_comparison("2005—2025年GDP增长目标分别是多少？", "zh")
    assert plan is not None and plan.items[0] == "2005" and len(plan.items) == 15
    assert plan.left_out == [str(y) for y in range(2020, 2026)]
    doc = plan_comparison("比较《平台办法》与《数据办法》的评价周期", "zh")
    assert doc is not None
    titles = {
        "平台办法[2018].txt": "关于印发《平台办法》的通知",
        "平台办法2023.txt": "关于印发《平台办法》的通知",
    }
    f = item_filters(doc, "平台办法", SearchFilters(), titles, lambda s: sorted(s, reverse=True))
    assert f is not None and f.source == "平台办法[[]2018].txt"  # escaped: a glob of one file
    narrowed = item_filters(doc, "平台办法", SearchFilters(source="*2023*"), titles)
    assert narrowed is not None and narrowed.source == "平台办法2023.txt"
