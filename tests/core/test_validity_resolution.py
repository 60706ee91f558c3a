"""Resolution of repeal / amendment / revision references to indexed documents, and each
document's status, warning and timeline as of a date (pure)."""

from __future__ import annotations

import json

from assistant.core.types import DocRef, Validity
from assistant.core.validity import (
    DocFacts,
    amended_note,
    facts_from_records,
    resolve,
    timeline,
    title_keys,
    warning,
)

OLD = DocFacts("old.txt", "工业和信息化部关于印发《工业互联网平台管理办法》的通知", "工信部信管〔2018〕12号",
               "2018-03-01", "工业和信息化部", Validity(effective="2018-04-01", expires="2023-03-31"))  # fmt: skip
NEW = DocFacts(
    "new.txt", "工业和信息化部关于印发《工业互联网平台管理办法》的通知", "工信部信管〔2023〕30号",
    "2023-02-20", "工业和信息化部",
    Validity(effective="2023-04-01", refs=[DocRef("repeals", "工业互联网平台管理办法",
                                                  "工信部信管[2018]12号", "原《…》同时废止。", 10, 30)]),
)  # fmt: skip


def test_repeal_resolved_by_number_both_ways() -> None:
    st = resolve([OLD, NEW])
    (rel,) = st["old.txt"].relations
    assert (rel.kind, rel.other, rel.since, rel.evidence_source) == (
        "repealed_by", "new.txt", "2023-04-01", "new.txt")  # fmt: skip
    assert (rel.start, rel.end) == (10, 30)
    assert [r.kind for r in st["new.txt"].relations] == ["repeals"]


def test_repeal_resolved_by_title_picks_the_latest_older_version() -> None:
    trial = DocFacts(
        "trial.txt", "工业和信息化部关于加强工业互联网安全工作的指导意见（试行）", date="2019-07-26"
    )
    older = DocFacts("older.txt", "关于加强工业互联网安全工作的指导意见（试行）", date="2016-01-01")
    guide = DocFacts("guide.txt", "工业和信息化部关于加强工业互联网安全工作的指导意见", date="2026-01-20",
                     validity=Validity(effective="2026-03-01", refs=[
                         DocRef("repeals", "关于加强工业互联网安全工作的指导意见（试行）"),
                         DocRef("repeals", "工业控制系统信息安全防护指南", "工信软函〔2016〕338号")]))  # fmt: skip
    st = resolve([trial, older, guide])
    assert [r.other for r in st["trial.txt"].relations] == ["guide.txt"]
    assert st["older.txt"].relations == []
    unresolved = [r for r in st["guide.txt"].relations if not r.other]
    assert [r.doc_number for r in unresolved] == ["工信软函〔2016〕338号"]


def test_title_keys_match_the_inner_title_and_the_part_from_guanyu() -> None:
    keys = title_keys("江南省数据管理局关于印发《公共数据授权运营管理办法》的通知")
    assert title_keys("公共数据授权运营管理办法（2025年修订）") & keys
    assert title_keys("关于印发《公共数据授权运营管理办法》的通知") & keys


def test_status_as_of_before_during_and_after() -> None:
    st = resolve([OLD, NEW])
    old, new = st["old.txt"], st["new.txt"]
    assert not old.in_force("2018-03-15") and old.in_force("2020-01-01")
    assert not old.in_force("2023-04-01")
    assert not new.in_force("2023-03-31") and new.in_force("2023-04-01")
    assert warning(old, "2026-01-01") == (
        "已被《工业和信息化部关于印发〈工业互联网平台管理办法〉的通知》（工信部信管〔2023〕30号）废止，"
        "自2023年4月1日起"
    )
    assert warning(new, "2023-01-01") == "自2023年4月1日起施行，尚未生效"
    assert warning(old, "2020-01-01") == "" and warning(new, "2026-01-01") == ""
    assert warning(old, "2026-01-01", "en").startswith("Repealed: 《工业和信息化部")


def test_expiry_and_amendment_notes() -> None:
    doc = DocFacts("a.txt", "某办法", date="2019-05-10", validity=Validity(
        effective="2019-05-10", expires="2021-12-31"))  # fmt: skip
    change = DocFacts("b.txt", "关于修改《某办法》的决定", date="2020-06-01", validity=Validity(
        effective="2020-07-01", refs=[DocRef("amends", "某办法")]))  # fmt: skip
    st = resolve([doc, change])
    assert st["a.txt"].in_force("2021-12-31") and not st["a.txt"].in_force("2022-01-01")
    assert warning(st["a.txt"], "2022-01-01") == "已于2021年12月31日到期失效"
    assert amended_note(st["a.txt"], "2020-06-30") == ""
    assert amended_note(st["a.txt"], "2020-07-01") == "经《关于修改〈某办法〉的决定》修改"


def test_revision_replaces_the_earlier_version() -> None:
    v1 = DocFacts("v1.txt", "关于印发《公共数据授权运营管理办法》的通知", date="2021-08-10",
                  validity=Validity(effective="2021-09-01"))  # fmt: skip
    v2 = DocFacts("v2.txt", "公共数据授权运营管理办法（2025年修订）", date="2025-09-01",
                  validity=Validity(effective="2025-10-01", refs=[DocRef("revises", "公共数据授权运营管理办法")]))  # fmt: skip
    st = resolve([v1, v2])
    assert not st["v1.txt"].in_force("2025-10-01") and st["v1.txt"].in_force("2025-09-30")
    assert "修订取代" in warning(st["v1.txt"], "2026-01-01")


def test_timeline_is_dated_oldest_first_with_the_related_document() -> None:
    t = timeline(resolve([OLD, NEW])["old.txt"], "2026-01-01")
    assert [e.kind for e in t.events] == ["issued", "effective", "expires", "repealed_by"]
    assert [e.date for e in t.events] == ["2018-03-01", "2018-04-01", "2023-03-31", "2023-04-01"]
    assert t.events[-1].other == "new.txt" and not t.in_force


def test_facts_from_chunk_records_read_the_first_chunks_validity() -> None:
    v = Validity(effective="2023-04-01", refs=[DocRef("repeals", "", "工信部信管〔2018〕12号")])
    records = [
        {"source": "new.txt", "title": "新", "ordinal": 1},
        {"source": "new.txt", "title": "新", "ordinal": 0, "validity": json.dumps(v.as_dict())},
        {"source": "plain.txt", "title": "无"},
        {"source": "bad.txt", "validity": "{not json"},
    ]
    facts = {f.source: f for f in facts_from_records(records)}
    assert facts["new.txt"].validity.refs[0].doc_number == "工信部信管〔2018〕12号"
    assert facts["plain.txt"].validity.is_empty() and facts["bad.txt"].validity.is_empty()


def test_a_reference_never_resolves_to_a_newer_document_nor_in_a_cycle() -> None:
    ref = DocRef("repeals", "工业互联网平台管理办法")
    a = DocFacts("a.txt", "关于印发《工业互联网平台管理办法》的通知", date="2018-03-01",
                 validity=Validity(refs=[ref]))  # fmt: skip
    b = DocFacts("b.txt", "关于印发《工业互联网平台管理办法》的通知", date="2023-02-20",
                 validity=Validity(refs=[ref]))  # fmt: skip
    st = resolve([a, b])
    assert st["b.txt"].in_force("2024-01-01")  # a's predecessor is not indexed: a names no one
    assert [r.kind for r in st["a.txt"].relations] == ["repeals", "repealed_by"]
    assert [r.other for r in st["a.txt"].relations] == ["", "b.txt"]
    p = DocFacts("p.txt", "甲", "某发〔2020〕1号", "2020-01-01",
                 validity=Validity(refs=[DocRef("repeals", "", "某发〔2020〕2号")]))  # fmt: skip
    q = DocFacts("q.txt", "乙", "某发〔2020〕2号", "2020-01-01",
                 validity=Validity(refs=[DocRef("repeals", "", "某发〔2020〕1号")]))  # fmt: skip
    both = resolve([p, q])
    assert sum(not x.in_force("2021-01-01") for x in both.values()) == 1


def test_unknown_relations_and_fields_from_another_version_are_ignored() -> None:
    v = Validity.from_dict({"effective": "2024-01-01", "future_field": 1,
                            "refs": [{"relation": "repealed_by", "title": "x"},
                                     {"relation": "repeals", "title": "旧办法", "extra": 2}]})  # fmt: skip
    assert v.effective == "2024-01-01" and len(v.refs) == 2
    st = resolve([DocFacts("n.txt", "新办法", date="2024-01-01", validity=v),
                  DocFacts("o.txt", "旧办法", date="2020-01-01")])  # fmt: skip
    assert [r.kind for r in st["o.txt"].relations] == ["repealed_by"]
