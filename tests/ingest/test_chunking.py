"""Chunking: headings and section paths, offsets, sentence boundaries, sizes, stable ids."""

from __future__ import annotations

import itertools

import pytest
from helpers import CORPUS

from assistant.core.text import searchable_text
from assistant.ingest.chunking import chunk_id, chunk_text, heading_of

REPORT = (CORPUS / "gwr-2025.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def chunks():
    return chunk_text(REPORT, "gwr-2025.txt", target_chars=300, max_chars=600)


def test_offsets_slice_back_to_chunk_text(chunks) -> None:
    assert chunks
    for c in chunks:
        assert REPORT[c.start : c.end] == c.text


def test_chunks_cover_every_paragraph_once(chunks) -> None:
    # Without overlap, chunks are ordered, disjoint, and every non-blank character is in one.
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start
    covered = sum(len(c.text.replace("\n", "").replace(" ", "")) for c in chunks)
    assert covered == len(REPORT.replace("\n", "").replace(" ", ""))


def test_section_paths_follow_the_report_outline(chunks) -> None:
    by_text = {c.text[:20]: c.section_path for c in chunks}
    first_part = next(c for c in chunks if c.text.startswith("一、2024年工作回顾"))
    assert first_part.section_path == "一、2024年工作回顾"
    sub = next(c for c in chunks if c.text.startswith("（二）因地制宜发展新质生产力"))
    assert sub.section_path == (
        "三、2025年政府工作任务 > （二）因地制宜发展新质生产力，加快建设现代化产业体系"
    )
    # Text after （二）'s paragraph stays in （二） until （三） starts.
    ai = next(c for c in chunks if "持续推进“人工智能+”行动" in c.text)
    assert ai.section_path.endswith("（二）因地制宜发展新质生产力，加快建设现代化产业体系")
    assert by_text  # sanity


def test_no_chunk_ends_inside_a_sentence(chunks) -> None:
    for c in chunks:
        assert c.text[-1] in "。！？；”：）" or len(c.text) >= 600, c.text[-30:]


def test_sizes_stay_within_limits(chunks) -> None:
    assert max(len(c.text) for c in chunks) <= 600
    assert sum(len(c.text) for c in chunks) / len(chunks) > 150


def test_ids_are_stable_and_follow_the_text_not_its_place() -> None:
    a = chunk_text(REPORT, "gwr-2025.txt", title="政府工作报告")
    b = chunk_text(REPORT, "gwr-2025.txt", title="政府工作报告")
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)
    # Text put in front moves every chunk: the chunks whose text is unchanged keep their ids.
    moved = chunk_text("前言。\n\n" + REPORT, "gwr-2025.txt", title="政府工作报告")
    same = {c.text: c.chunk_id for c in moved}
    assert {c.text for c in moved} >= {c.text for c in a[1:]}
    assert all(same[c.text] == c.chunk_id for c in a[1:])
    assert all(m.start != c.start for m in moved for c in a[1:] if m.chunk_id == c.chunk_id)
    # The title is part of the searched (embedded) text, so a new title is a new id.
    retitled = chunk_text(REPORT, "gwr-2025.txt", title="2025年政府工作报告")
    assert not {c.chunk_id for c in retitled} & {c.chunk_id for c in a}
    assert chunk_id("x.txt", "甲") != chunk_id("y.txt", "甲")


def test_repeated_text_in_one_document_gets_distinct_ids() -> None:
    para = "本办法自发布之日起施行，由主管部门负责解释。"
    out = chunk_text("\n\n".join([para] * 3), "t.txt", target_chars=10, max_chars=40)
    assert [c.text for c in out] == [para] * 3
    assert len({c.chunk_id for c in out}) == 3
    # Removing the first copy gives the remaining two the ids the first two had.
    fewer = chunk_text("\n\n".join([para] * 2), "t.txt", target_chars=10, max_chars=40)
    assert [c.chunk_id for c in fewer] == [c.chunk_id for c in out[:2]]


def test_overlong_sentence_is_the_only_cut_inside_a_sentence() -> None:
    text = "一、总则\n\n" + "很长" * 500 + "。短句一。短句二。"
    out = chunk_text(text, "t.txt", target_chars=100, max_chars=200)
    assert all(len(c.text) <= 200 for c in out)
    assert "".join(c.text for c in out).replace("\n", "") == text.replace("\n", "")


def test_articles_and_chapters() -> None:
    text = (
        "某某管理办法\n\n第一章 总则\n\n第一条 为了规范管理，制定本办法。\n\n"
        "第二条 本办法适用于全国。\n\n第二章 职责\n\n第三条 工业和信息化部负责监督。"
    )
    out = chunk_text(text, "m.txt", target_chars=50, max_chars=100)
    paths = {c.text.split("\n")[-1]: c.section_path for c in out}
    assert paths["第三条 工业和信息化部负责监督。"] == "第二章 职责 > 第三条"
    assert any(p == "第一章 总则 > 第一条" for p in paths.values())


def test_markdown_and_numbered_headings() -> None:
    text = "# 标题\n\n## 一节\n\n1. 第一项内容。\n\n（1）细项内容。"
    out = chunk_text(text, "a.md", target_chars=10, max_chars=50)
    assert out[-1].section_path == "标题 > 一节 > 1. 第一项内容 > （1）细项内容"


def test_overlap_repeats_sentences_within_a_section() -> None:
    text = "一、部分\n\n" + "".join(f"第{i}句话写在这里。" for i in range(30))
    out = chunk_text(text, "o.txt", target_chars=60, max_chars=120, overlap_sentences=1)
    assert len(out) > 2
    for a, b in itertools.pairwise(out):
        assert a.text.endswith(b.text[: b.text.index("。") + 1])
        assert text[b.start : b.end] == b.text


def test_heading_levels() -> None:
    assert heading_of("（三）深入实施科教兴国战略。坚持创新").title == "（三）深入实施科教兴国战略"
    assert heading_of("2.5") is None
    assert heading_of("一是加大宏观调控力度") is None
    assert heading_of("第十二条 施行。").title == "第十二条"


def test_searched_text_carries_title_and_section(chunks) -> None:
    c = next(c for c in chunks if c.section)
    text = searchable_text("2025年政府工作报告", c.section_path, c.text)
    assert text.startswith("2025年政府工作报告 > " + c.section[0])
    assert text.endswith(c.text)


def test_flattened_text_keeps_its_inline_structure() -> None:
    """Web text whose line breaks became spaces: headings (一、 二、) are still sections, the
    headline is not glued to the first sentence, and offsets still slice the text."""
    from assistant.ingest.chunking import chunk_text

    text = (
        "关于阶段性减免企业社会保险费的通知 各省、自治区、直辖市人民政府： 为支持企业复工复产，现就"
        "有关问题通知如下： 一、免征中小微企业三项社会保险单位缴费部分 自2020年2月起，免征期限不超过"
        "5个月。 二、减半征收大型企业单位缴费部分 自2020年2月起，减半期限不超过3个月。 人力资源社会"
        "保障部 财政部 税务总局 2020年2月20日"
    )
    chunks = chunk_text(text, "n.txt", target_chars=60, max_chars=120)
    sections = {c.section for c in chunks}
    assert ("一、免征中小微企业三项社会保险单位缴费部分",) in sections
    assert ("二、减半征收大型企业单位缴费部分",) in sections
    assert chunks[0].text.startswith("关于阶段性减免企业社会保险费的通知")
    for c in chunks:
        assert text[c.start : c.end] == c.text
