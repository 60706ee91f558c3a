"""The reduced-precision e5 build (the fp32 graph on OpenVINO, computed in bfloat16 where the
CPU has it) retrieves what fp32 retrieves: two real indexes of the sample corpus, one per build,
asked the 182 golden questions; the top five passages are the same for at least 95 % of them.
(Two fp32 builds of the same corpus agree on about 98 %: Chroma's HNSW graph is built by
several threads, so near-ties at the fifth place can fall either way.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT, make_settings

from assistant import Assistant
from assistant.core.settings import BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO, EmbeddingSettings


def top5(root: Path, corpus: Path, model: str, questions: list[str]) -> list[set[str]]:
    settings = make_settings(root / model.split(":")[1], Path(model)).model_copy(
        update={
            "corpus_dirs": [corpus],
            "embedding": EmbeddingSettings(model=model, model_dir=root / "models"),
        }
    )
    assistant = Assistant(settings)
    report = assistant.index([corpus])
    assert not report.failed and report.chunks_total > 1000, report
    return [{h.chunk_id for h in assistant.search(q, k=5)} for q in questions]


@pytest.mark.slow
def test_openvino_build_keeps_fp32s_top5(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    lines = (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()]
    assert len(questions) >= 180
    want = top5(tmp_path, corpus, BUNDLED_E5_FP32, questions)
    got = top5(tmp_path, corpus, BUNDLED_E5_OPENVINO, questions)
    same = sum(a == b for a, b in zip(want, got, strict=True)) / len(questions)
    print(f"openvino keeps fp32's top 5 on {same:.1%} of {len(questions)} golden questions")
    assert same >= 0.95, same
