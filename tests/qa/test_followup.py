"""The rule that makes a follow-up question stand-alone (the extractive mode's rewriter)."""

from __future__ import annotations

from assistant.qa.followup import rewrite_followup


def test_followup_rewriting_rule() -> None:
    history = [("2024年赤字率是多少？", "…")]
    assert rewrite_followup("那2025年呢？", history) == "2025年赤字率是多少？"
    assert rewrite_followup("专项债券呢？", history) == "2024年专项债券呢？"
    assert rewrite_followup("它比上年提高多少？", history) == "2024年赤字率 它比上年提高多少？"
    assert rewrite_followup("2023年城镇新增就业多少人？", history) == "2023年城镇新增就业多少人？"
    assert rewrite_followup("And in 2023?", [("What was the growth target for 2024?", "…")]) == (
        "What was the growth target for 2023?"
    )
    assert rewrite_followup("任何问题", []) == "任何问题"
