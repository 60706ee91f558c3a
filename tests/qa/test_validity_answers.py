"""Validity and comparisons through the ``Assistant`` on a real index (Chroma + BM25, the tiny
sentence-transformers model): the in-force and as-of filters before and after an effective
date, the warning a superseded citation carries, the preference for documents in force, the
documents listing and timelines, and comparison tables whose cells quote their own year's
report or say not found."""

from __future__ import annotations

import re

import pytest
from helpers import copy_reports, notices_index

from assistant import Assistant
from assistant.core.errors import AssistantError
from assistant.core.types import SearchFilters


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, tiny_model) -> Assistant:
    root = tmp_path_factory.mktemp("validity")
    settings = notices_index(root, tiny_model)
    # One more report, so that a comparison has a year with its own report and one without.
    copy_reports(settings.corpus_dirs[0], ("gwr-2019",))
    a = Assistant(settings)
    assert not a.index(settings.corpus_dirs).failed
    return a


def sources(hits) -> set[str]:
    return {h.source for h in hits}


def test_as_of_before_and_after_an_effective_date(assistant: Assistant) -> None:
    q = "工业互联网企业应当设立安全管理机构"
    before = assistant.search(q, 5, SearchFilters(as_of="2026-02-01"))
    after = assistant.search(q, 5, SearchFilters(as_of="2026-06-01"))
    assert "security-guidance-2026.txt" not in sources(before)
    assert "security-guidance-trial-2019.txt" in sources(before)
    assert "security-guidance-2026.txt" in sources(after)
    assert "security-guidance-trial-2019.txt" not in sources(after)
    assert all(h.in_force and not h.validity_note for h in after)


def test_in_force_filter_drops_repealed_and_expired_documents(assistant: Assistant) -> None:
    hits = assistant.search("中小企业发展专项资金", 10, SearchFilters(in_force=True))
    assert "province-sme-2019.txt" not in sources(hits)  # repealed by 江南政办发〔2022〕15号
    assert "province-sme-2022.txt" not in sources(hits)  # 有效期3年 from 2022-07-01: ended
    with pytest.raises(AssistantError, match="use the form 2026-06-01"):
        SearchFilters(as_of="2026-06")


def test_citation_of_a_repealed_notice_names_what_replaced_it(assistant: Assistant) -> None:
    answer = assistant.ask(
        "工业互联网平台评价多久开展一次？", filters=SearchFilters(as_of="2020-06-01")
    )
    assert not answer.abstained
    (cited,) = {c.source for c in answer.citations}
    assert cited == "miit-platform-2018.txt"
    assert all(c.in_force and not c.validity_note for c in answer.citations)  # in force then
    today = assistant.ask(
        "工业互联网平台评价多久开展一次？", filters=SearchFilters(source="miit-platform-2018.txt")
    )
    c = today.citations[0]
    assert not c.in_force
    assert c.validity_note == (
        "已被《工业和信息化部关于印发〈工业互联网平台管理办法〉的通知》（工信部信管〔2023〕30号）废止，"
        "自2023年4月1日起"
    )


def test_answers_prefer_the_document_in_force(assistant: Assistant) -> None:
    hits = assistant.search("平台评价开展一次 评价结果向社会公布", 2)
    assert hits[0].source == "miit-platform-2023.txt"


def test_amended_document_is_noted_and_listed(assistant: Assistant) -> None:
    hits = assistant.search("重要数据的处理者开展数据安全风险评估", 5,
                            SearchFilters(source="data-security-2024.txt"))  # fmt: skip
    assert hits and hits[0].in_force
    assert hits[0].validity_note.startswith(
        "经《国家数据局关于修改〈数据安全管理暂行办法〉的决定》"
    )
    listing = {d["source"]: d for d in assistant.documents()}
    assert listing["miit-platform-2018.txt"]["in_force"] is False
    assert listing["miit-platform-2023.txt"]["in_force"] is True
    assert listing["miit-platform-2023.txt"]["effective"] == "2023-04-01"


def test_timeline_links_the_related_documents(assistant: Assistant) -> None:
    t = assistant.timeline("public-data-2021.txt", as_of="2025-12-01")
    assert not t.in_force and "修订取代" in t.warning
    revised = [e for e in t.events if e.kind == "revised_by"]
    assert revised and revised[0].other == "public-data-2025.txt"
    assert revised[0].date == "2025-10-01"
    with pytest.raises(AssistantError, match=r"no indexed document 'nope\.txt'"):
        assistant.timeline("nope.txt")


def test_comparison_table_quotes_each_years_own_report(assistant: Assistant) -> None:
    answer = assistant.ask("2019年、2020年和2024年的赤字率目标分别是多少？")
    comp = answer.comparison
    assert comp is not None and comp.axis == "year"
    assert [c.item for c in comp.cells] == ["2019", "2020", "2024"]
    assert any(c.found for c in comp.cells)
    by_marker = {c.marker: c for c in answer.citations}
    for cell in comp.cells:
        if not cell.found:
            continue
        markers = [int(m) for m in re.findall(r"\[(\d+)\]", cell.text)]
        assert markers and all(m in by_marker for m in markers)
        for m in markers:
            cited = by_marker[m]
            assert cited.source == f"gwr-{cell.item}.txt"  # never another year's report
            assert all(q in cited.passage for q in cited.quotes)
    missing = [c for c in comp.cells if c.item == "2020"]
    assert not missing[0].found and missing[0].text == "未在已索引的文件中找到"
    assert answer.text.startswith("| 年份 |")
    assert len({int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}) == len(answer.citations)
