"""Property-based test (hypothesis) of the LLM marker check: kept markers always point to a
passage, removed ones never could."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.qa.generation import check_markers

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
