"""The reduced-precision e5 build (the fp32 graph on OpenVINO, computed in bfloat16 where the
CPU has it) retrieves what fp32 retrieves: two real indexes of half the sample corpus (every
other Government Work Report and all the NPC resolutions: ~700 chunks, so the fp32 encode takes
~20 s, not ~40 s), one per build, asked all 182 golden questions (those about a report left out
find its neighbours, the hardest ranking to keep); the top five passages are the same for at
least 95 % of them.
The fp32 index's dense search is also checked against exact search over its stored vectors:
Chroma's HNSW graph is approximate and built by several threads; with Chroma's default
parameters two builds of the sample corpus's vectors gave different top-50 sets for 76 of these
182 questions (python -m benchmarks.vector_graph), more than a precision change moves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, ROOT, make_settings

from assistant import Assistant
from assistant.core.settings import BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO, EmbeddingSettings
from benchmarks.vector_graph import exact_nearest


def built(root: Path, corpus: Path, model: str) -> Assistant:
    settings = make_settings(root / model.split(":")[1], Path(model)).model_copy(
        update={
            "corpus_dirs": [corpus],
            "embedding": EmbeddingSettings(model=model, model_dir=root / "models"),
        }
    )
    assistant = Assistant(settings)
    report = assistant.index([corpus])
    assert not report.failed and report.chunks_total > 500, report
    return assistant


def top5(assistant: Assistant, questions: list[str]) -> list[set[str]]:
    return [{h.chunk_id for h in assistant.search(q, k=5)} for q in questions]


def exact_share(assistant: Assistant, questions: list[str], n: int = 50) -> float:
    """The share of questions whose dense search returns exactly the ``n`` chunks nearest by
    cosine over all stored vectors."""
    retriever = assistant.retriever()
    store, name = retriever.store, retriever.collection
    ids = [cid for cid, _, _ in store.iter_records(name)]
    queries = np.asarray([assistant.embeddings.embed_query(q) for q in questions], np.float32)
    nearest = exact_nearest(ids, store.vectors(name, ids), queries, n)
    got = [{cid for cid, *_ in store.query(name, q, n, records=False)} for q in queries]
    return sum(a == b for a, b in zip(got, nearest, strict=True)) / len(questions)


@pytest.mark.slow
def test_openvino_build_keeps_fp32s_top5(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    reports = sorted(CORPUS.glob("gwr-*.txt"))
    left_out = {p.stem for p in reports[1::2]}
    shutil.copytree(CORPUS, corpus, ignore=lambda _d, names: [
        n for n in names if n.split(".")[0] in left_out])  # fmt: skip
    lines = (ROOT / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()]
    assert len(questions) >= 180
    fp32 = built(tmp_path, corpus, BUNDLED_E5_FP32)
    # On these ~680 chunks Chroma's defaults (16 links, ef 100) give the exact 50 for 80-82 % of
    # the questions (two builds; on the whole sample corpus 61 %, python -m
    # benchmarks.vector_graph); this release's graph 98.9 %.
    exact = exact_share(fp32, questions)
    print(f"dense search returns the exact 50 nearest chunks for {exact:.1%} of the questions")
    assert exact >= 0.95, exact
    want = top5(fp32, questions)
    got = top5(built(tmp_path, corpus, BUNDLED_E5_OPENVINO), questions)
    same = sum(a == b for a, b in zip(want, got, strict=True)) / len(questions)
    print(f"openvino keeps fp32's top 5 on {same:.1%} of {len(questions)} golden questions")
    assert same >= 0.95, same
