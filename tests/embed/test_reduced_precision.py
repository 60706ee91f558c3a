"""The reduced-precision e5 build (the fp32 graph on OpenVINO, computed in bfloat16 where the
CPU has it) retrieves what fp32 retrieves: two real indexes of three work reports, one per
build, asked the golden questions about those reports; the top five passages are the same for
at least 95 % of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ROOT, copy_reports, make_settings

from assistant import Assistant
from assistant.core.settings import BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO, EmbeddingSettings

STEMS = ("gwr-2023", "gwr-2024", "gwr-2025")


def top5(root: Path, corpus: Path, model: str, questions: list[str]) -> list[set[str]]:
    settings = make_settings(root / model.split(":")[1], Path(model)).model_copy(
        update={
            "corpus_dirs": [corpus],
            "embedding": EmbeddingSettings(model=model, model_dir=root / "models"),
        }
    )
    assistant = Assistant(settings)
    report = assistant.index([corpus])
    assert not report.failed and report.chunks_total > 150, report
    return [{h.chunk_id for h in assistant.search(q, k=5)} for q in questions]


@pytest.mark.slow
def test_openvino_build_keeps_fp32s_top5(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_reports(corpus, STEMS)
    rows = [json.loads(x) for x in (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()]
    wanted = {f"{s}.txt" for s in STEMS}
    questions = [r["question"] for r in rows if set(r["gold_sources"]) & wanted]
    assert len(questions) >= 20
    want = top5(tmp_path, corpus, BUNDLED_E5_FP32, questions)
    got = top5(tmp_path, corpus, BUNDLED_E5_OPENVINO, questions)
    same = sum(a == b for a, b in zip(want, got, strict=True)) / len(questions)
    assert same >= 0.95, same
