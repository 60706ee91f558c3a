"""The vector-graph benchmark compares Chroma's default HNSW graph with this release's against
exact search over a real index's vectors, and prints one row per graph."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.core.settings import Settings
from benchmarks import vector_graph
from benchmarks.vector_graph import exact_nearest


def test_one_row_per_graph_against_exact_search(
    sample_index: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING__MODEL", sample_index.embedding.model)
    questions = tmp_path / "q.jsonl"
    asked = ["政府工作报告的主要任务", "人工智能+行动", "What does the plan say about data?"]
    questions.write_text("".join(json.dumps({"question": q}) + "\n" for q in asked), "utf-8")
    vector_graph.main([str(questions), "--index", str(sample_index.index_dir), "-n", "10"])
    rows = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| ")][1:]
    assert [r.split(":")[0] for r in rows] == ["| Chroma's defaults", "| this release"]
    assert rows[1].startswith("| this release: 32 / 200 / 400 | ")
    exact, of = rows[1].split(" | ")[1].split("/")
    # this release's graph finds the exact 10 nearest of 1,363 chunks for (nearly) every question
    assert of == "3" and int(exact) >= 2


def test_exact_nearest_is_the_cosine_top_n() -> None:
    ids = ["far", "near", "mid"]
    vectors = np.array([[0.0, 1.0], [10.0, 0.5], [1.0, 1.0]], dtype=np.float32)  # length ignored
    got = exact_nearest(ids, vectors, np.array([[1.0, 0.0], [0.0, 3.0]], dtype=np.float32), 2)
    assert got == [{"near", "mid"}, {"far", "mid"}]
