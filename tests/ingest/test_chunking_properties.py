"""Property-based tests (hypothesis) for the chunker: offsets, coverage, overlap."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import chunk_text

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
