"""How near Chroma's HNSW search is to exact search, and how stable it is across builds.

Takes the vectors of a built index and a questions file, builds fresh embedded collections from
the same vectors (in the same order) with each graph setting twice, and prints per setting: the
share of questions whose top-n equals the exact top-n by cosine over all vectors, recall@n, how
many questions two builds answer with different top-n sets, build time and query time.

    .venv/bin/python -m benchmarks.vector_graph --index indexes/default eval/golden.jsonl
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.index.store import ChromaStore, VectorGraph

CHROMA_DEFAULTS = VectorGraph(ef_construction=100, max_neighbors=16, ef_search=100)


def exact_nearest(
    ids: list[str], vectors: np.ndarray, queries: np.ndarray, n: int
) -> list[set[str]]:
    """Per query, the ``n`` ids nearest by cosine over all ``vectors`` (exact search)."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = (queries / np.linalg.norm(queries, axis=1, keepdims=True)) @ unit.T
    return [{ids[i] for i in np.argsort(-row)[:n]} for row in scores]


def build(
    graph: VectorGraph, ids: list[str], vectors: np.ndarray, queries: np.ndarray, n: int
) -> tuple[list[set[str]], float, float]:
    """Top-n sets of ``queries`` on a fresh collection of ``vectors``; build and query seconds."""
    with tempfile.TemporaryDirectory() as folder:
        store = ChromaStore(Path(folder), graph=graph)
        started = time.perf_counter()
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            store.upsert("chunks-graph", part, vectors[i : i + 1000], [""] * len(part),
                         [{"source": "-"}] * len(part))  # fmt: skip
        store.query("chunks-graph", queries[0], n, records=False)  # the graph is made here
        built = time.perf_counter() - started
        started = time.perf_counter()
        got = [{c for c, *_ in store.query("chunks-graph", q, n, records=False)} for q in queries]
        return got, built, (time.perf_counter() - started) / len(queries)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path, help="JSONL with a 'question' field per line")
    parser.add_argument("--index", type=Path, default=Path("indexes/default"))
    parser.add_argument("-n", type=int, default=50, help="neighbours compared (the candidates)")
    args = parser.parse_args(argv)

    assistant = Assistant.open(args.index)
    retriever = assistant.retriever()
    ids = [cid for cid, _, _ in retriever.store.iter_records(retriever.collection)]
    vectors = retriever.store.vectors(retriever.collection, ids)
    lines = args.questions.read_text("utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()]
    model = assistant.embeddings
    queries = np.asarray([model.embed_query(q) for q in questions], dtype=np.float32)
    exact = exact_nearest(ids, vectors, queries, args.n)

    print(f"{len(ids)} vectors from {args.index}, {len(questions)} questions, top {args.n}")
    print("| graph (links / ef build / ef search) | exact top-n | recall@n | two builds differ "
          "| build s | query ms |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    ours = VectorGraph.of(assistant.settings.chroma)
    for label, graph in (("Chroma's defaults", CHROMA_DEFAULTS), ("this release", ours)):
        first, built, query = build(graph, ids, vectors, queries, args.n)
        second, _, _ = build(graph, ids, vectors, queries, args.n)
        same = sum(a == b for a, b in zip(first, exact, strict=True))
        recall = np.mean([len(a & b) / args.n for a, b in zip(first, exact, strict=True)])
        differ = sum(a != b for a, b in zip(first, second, strict=True))
        print(f"| {label}: {graph.max_neighbors} / {graph.ef_construction} / {graph.ef_search} "
              f"| {same}/{len(questions)} | {recall:.4f} | {differ}/{len(questions)} "
              f"| {built:.1f} | {query * 1000:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
