"""Property-based tests (hypothesis) for the chunker and the citation-marker check."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import chunk_text
from assistant.generation import check_markers

PIECES = st.sampled_from(
    ["一、总体要求", "（二）重点任务", "第三条", "1.", "（1）", "# 标题", "\n", "\n\n",
     "。", "！", "；", "？", "，", "工业互联网", "人工智能", "加快发展", "2025年", "GDP", " ",
     "The plan. ", "“引号”", "\u3000", "很长的句子没有标点" * 5]
)  # fmt: skip
TEXTS = st.lists(PIECES, min_size=0, max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, target=st.integers(50, 300), extra=st.integers(0, 300))
def test_chunks_slice_back_cover_everything_once(text: str, target: int, extra: int) -> None:
    max_chars = target + extra + 30
    chunks = chunk_text(text, "t.txt", target_chars=target, max_chars=max_chars)
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert len(c.text) <= max_chars
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start  # no overlap asked: nothing duplicated
    covered = [False] * len(text)
    for c in chunks:
        for i in range(c.start, c.end):
            covered[i] = True
    lost = [ch for ch, ok in zip(text, covered, strict=True) if not ok and not ch.isspace()]
    assert lost == []  # nothing lost but whitespace between chunks
    assert len({c.chunk_id for c in chunks}) == len(chunks)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, target=st.integers(50, 200), overlap=st.integers(1, 2))
def test_overlap_only_repeats_the_end_of_the_previous_chunk(
    text: str, target: int, overlap: int
) -> None:
    chunks = chunk_text(
        text, "t.txt", target_chars=target, max_chars=2 * target, overlap_sentences=overlap
    )
    plain = chunk_text(text, "t.txt", target_chars=target, max_chars=2 * target)
    assert [c.end for c in chunks] == [c.end for c in plain]
    for i, (c, p) in enumerate(zip(chunks, plain, strict=True)):
        assert text[c.start : c.end] == c.text
        # A chunk only grows backwards, and never past the start of the chunk before it.
        assert c.start <= p.start
        assert c.start >= (plain[i - 1].start if i else p.start)


MARKER_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["专项债券4.4万亿元", "The deficit is 4%", "增长5%左右", " ", "，"]),
        st.sampled_from(["。", ".", "！", "；", "?"]),
        st.integers(-2, 12).map(lambda n: f"[{n}]"),
        st.sampled_from(["[a]", "[1,2]", "【3】", "[1, 9]", "[]", "[source 1]"]),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=MARKER_TEXT, n=st.integers(1, 8))
def test_checked_markers_always_point_to_a_passage(text: str, n: int) -> None:
    checked = check_markers(text, n)
    found = [int(m) for m in re.findall(r"\[(\d+)\]", checked.text)]
    assert all(1 <= m <= n for m in found)
    assert set(found) == set(checked.used)
    for sentence in checked.unsupported:
        assert not re.search(r"[\[【][^\]】]*[\]】]", sentence)
    for removed in checked.removed:
        nums = re.split(r"[,，、\s]+", removed.strip("[]【】").strip())
        assert not all(x.isdigit() and 1 <= int(x) <= n for x in nums)
    assert set(checked.by_marker) == set(checked.used)
