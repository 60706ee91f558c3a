"""Metadata filters, score fusion and quote merging (pure functions)."""

from __future__ import annotations

import pytest

from assistant.core.types import SearchFilters
from assistant.qa.citations import merge_spans
from assistant.qa.filters import chroma_where, date_in_range
from assistant.qa.fusion import fuse


def test_filters_fusion_and_quotes() -> None:
    assert date_in_range("2025", "2025-03-01", "2025-12-31")
    assert not date_in_range("2023-03-05", "2024", "")
    assert not date_in_range("", "2024", "")
    assert chroma_where(SearchFilters(doc_type="报告", date_from="2024")) == {
        "$and": [{"doc_type": "报告"}, {"year": {"$gte": 2024}}]
    }
    assert chroma_where(SearchFilters()) is None
    fused = fuse({"a": 0.9, "b": 0.5}, {"b": 10.0, "c": 2.0}, "weighted", 0.3)
    assert fused == pytest.approx({"a": 0.3, "b": 0.7, "c": 0.0})
    rrf = fuse({"a": 0.9, "b": 0.5}, {"b": 10.0}, "rrf", 0.0)
    assert rrf["b"] > rrf["a"]
    assert merge_spans("一句。二句。三句。", [(0, 3), (3, 6), (6, 9)]) == ["一句。二句。三句。"]
    assert merge_spans("一句。二句。三句。", [(0, 3), (6, 9)]) == ["一句。", "三句。"]


def test_filters_reject_values_that_are_no_filters() -> None:
    """Issue 13.13: a list as issuer, a date that is no date, a range that runs backwards."""
    import pytest

    from assistant.core.errors import AssistantError
    from assistant.core.types import SearchFilters

    with pytest.raises(AssistantError, match=r"issuer must be text, not list"):
        SearchFilters(issuer=["国务院"])  # type: ignore[arg-type]
    with pytest.raises(AssistantError, match=r"date_to '2025/13' is not a date"):
        SearchFilters(date_to="2025/13")
    with pytest.raises(AssistantError, match=r"after date_to"):
        SearchFilters(date_from="2025", date_to="2024-12")
    assert SearchFilters(date_from=" 2024-03 ").date_from == "2024-03"
