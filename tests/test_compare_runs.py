"""eval.compare_runs (pure): which quality figures moved between two multi-set summaries."""

from __future__ import annotations

from eval.compare_runs import differences, figures


def test_quality_figures_are_compared_and_latencies_left_out() -> None:
    base = {
        "ncp": {
            "recall@1": 0.88,
            "latency_ms_p50": 20.0,
            "withheld_run": {"refusal_precision": 0.7},
        }
    }
    other = {
        "ncp": {
            "recall@1": 0.89,
            "latency_ms_p50": 40.0,
            "withheld_run": {"refusal_precision": 0.7},
        }
    }
    assert figures(base["ncp"]) == {"recall@1": 0.88, "withheld_run.refusal_precision": 0.7}
    assert differences(base, other) == {"ncp": [("recall@1", 0.88, 0.89)]}
    assert differences(base, {"other-set": {}}) == {}
