"""The benchmark suite runs end to end (on the test model, a small scale-up): every section is
produced and its figures are consistent with each other. Figures are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = [pytest.mark.subprocess, pytest.mark.server]


@pytest.mark.slow
def test_bench_runs_and_reports_every_section(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "benchmarks.bench", "--model", str(tiny_model)]
    cmd += ["--scale", "3000", "--users", "2", "--rounds", "1", "--starts", "1"]
    cmd += ["--backends", ""]
    # Without the shared data set (as on a clean CI machine): a sample notice is held back and
    # added, and the scaled corpus replicates the sample corpus.
    cmd += ["--out", str(out), "--data", str(tmp_path / "no-such-data.jsonl")]
    # A quarter of the golden set: the figures are the point of `make bench`, not of this test.
    golden = tmp_path / "golden.jsonl"
    lines = (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
    golden.write_text("\n".join(lines[::4]) + "\n", encoding="utf-8")
    cmd += ["--golden", str(golden)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads((out / "bench.json").read_text("utf-8"))
    md = (out / "bench.md").read_text("utf-8")
    for heading in (
        "## Ingest",
        "## Queries",
        "## Scaled corpus",
        "## Against the naive",
        "## Serving",
    ):
        assert heading in md
    assert r["full_sync"]["embedded"] == r["full_sync"]["chunks"] == r["raw_encode"]["texts"]
    before, after = r["raw_encode"]["seconds_each"]  # the encode brackets the sync
    assert r["raw_encode"]["seconds"] == pytest.approx((before + after) / 2)
    assert "just before the sync" in md
    inc = r["incremental"]
    assert inc["nothing_changed"]["embedded"] == 0 and inc["nothing_changed"]["written"] == 0
    assert inc["add"]["embedded"] == inc["add"]["chunks"] > 0
    assert 0 < inc["change_paragraph"]["embedded"] < inc["change_paragraph"]["doc_chunks"] + 1
    assert inc["remove"]["embedded"] == 0
    assert r["full_sync"]["documents"] == 24  # the held-back notice comes in the add step
    assert r["scaled_sync"]["chunks"] >= 3000 and r["scaled_sync"]["embedded"] == 0
    assert r["scaled_incremental"]["nothing_changed"]["written"] == 0
    assert r["naive"]["chunks"] > 0 and 0 <= r["naive"]["metrics"]["recall@5"] <= 1
    assert r["serving"]["load_ok"] and r["serving"]["peak_rss_mb"] > 0
    assert r["full_sync"]["peak_rss_mb"] > 0
