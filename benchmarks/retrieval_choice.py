"""Measure embedding models and BM25 analyzers on Chinese questions over the sample corpus.

    python benchmarks/retrieval_choice.py [--questions eval/dev_questions.jsonl] [--corpus corpus]

Prints document recall@1/@5, MRR and evidence@5 (a gold answer inside one of the top 5 chunks)
for each dense model, each BM25 analyzer, and simple fusions, plus encode throughput. Vectors are
cached under indexes/bench-cache so a second run is quick.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from assistant.core.settings import BUNDLED_E5, BUNDLED_MINILM, EmbeddingSettings, Settings
from assistant.core.text import searchable_text
from assistant.embed import load_embeddings
from assistant.index.cache import EmbeddingCache, text_key
from assistant.index.lexical import LexicalIndex
from assistant.ingest.chunking import chunk_text
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import merge, parse_metadata, read_sidecar


def load_chunks(corpus: Path, settings: Settings) -> tuple[list, list[str]]:
    chunks, texts = [], []
    for path in sorted(corpus.glob("*")):
        if path.name.endswith(".meta.json") or path.suffix not in settings.ingest.extensions:
            continue
        loaded = load_file(path, path.name)
        meta = merge(parse_metadata(loaded.text), read_sidecar(path, path.name))
        c = settings.chunking
        for ch in chunk_text(
            loaded.text,
            path.name,
            target_chars=c.target_chars,
            max_chars=c.max_chars,
            overlap_sentences=c.overlap_sentences,
        ):
            chunks.append(ch)
            texts.append(searchable_text(meta.title, ch.section_path, ch.text))
    return chunks, texts


def metrics(rankings: list[list[int]], questions: list[dict], chunks: list) -> dict[str, float]:
    r1 = r5 = mrr = ev5 = 0.0
    for ranking, q in zip(rankings, questions, strict=True):
        gold = set(q["gold_sources"])
        docs: list[str] = []
        for i in ranking:
            if chunks[i].source not in docs:
                docs.append(chunks[i].source)
        rank = next((n for n, d in enumerate(docs, 1) if d in gold), None)
        r1 += rank == 1
        r5 += rank is not None and rank <= 5
        mrr += 1 / rank if rank else 0
        top5 = [chunks[i].text for i in ranking[:5]]
        ev5 += any(a in t for a in q["answers"] for t in top5)
    n = len(questions)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "MRR": mrr / n, "evidence@5": ev5 / n}


def dense_scores(model: str, texts: list[str], questions: list[dict], cache: EmbeddingCache):
    emb = load_embeddings(EmbeddingSettings(model=model))
    keys = [text_key(t) for t in texts]
    found = cache.get_many(model, keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    t0 = time.perf_counter()
    if missing:
        vecs = emb.encode_passages([texts[i] for i in missing])
        new = {keys[i]: vecs[n] for n, i in enumerate(missing)}
        cache.put_many(model, new)
        found.update(new)
    secs = time.perf_counter() - t0
    rate = len(missing) / secs if missing else float("nan")
    mat = np.stack([found[k] for k in keys])
    qv = np.stack([emb.encode_query(q["question"]) for q in questions])
    return qv @ mat.T, rate


def rrf(score_lists: list[np.ndarray], k: int = 60) -> np.ndarray:
    total = np.zeros_like(score_lists[0])
    for s in score_lists:
        ranks = np.argsort(np.argsort(-s))
        total += 1.0 / (k + ranks + 1)
    return total


def minmax(s: np.ndarray) -> np.ndarray:
    lo, hi = s.min(), s.max()
    return (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=Path("eval/dev_questions.jsonl"))
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--models", nargs="*", default=[BUNDLED_E5, BUNDLED_MINILM])
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--target-chars", type=int, default=None, help="chunking.target_chars")
    args = ap.parse_args()
    settings = Settings()
    if args.target_chars:
        max_chars = max(settings.chunking.max_chars, 2 * args.target_chars)
        settings = Settings(chunking={"target_chars": args.target_chars, "max_chars": max_chars})
    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line]
    chunks, texts = load_chunks(args.corpus, settings)
    print(f"{len(questions)} questions, {len(chunks)} chunks, chunking {settings.chunking}\n")
    cache = EmbeddingCache(Path("indexes/bench-cache/embed_cache.sqlite"))
    rows: dict[str, dict[str, float]] = {}
    systems: dict[str, np.ndarray] = {}
    for model in args.models:
        scores, rate = dense_scores(model, texts, questions, cache)
        systems[f"dense {model}"] = scores
        rows[f"dense {model}"] = {"chunks/s": rate}
    ids = [str(i) for i in range(len(chunks))]
    for analyzer in ("bigram", "jieba", "jieba+bigram"):
        lex = LexicalIndex.build(ids, texts, analyzer)
        mat = np.zeros((len(questions), len(chunks)), dtype=np.float32)
        for qi, q in enumerate(questions):
            for cid, s in lex.search(q["question"], k=len(chunks)):
                mat[qi, int(cid)] = s
        systems[f"bm25 {analyzer}"] = mat
    dense_name = f"dense {args.models[0]}"
    for analyzer in ("bigram", "jieba"):
        lex_name = f"bm25 {analyzer}"
        d, lx = systems[dense_name], systems[lex_name]
        systems[f"rrf({dense_name}, {lex_name})"] = np.stack(
            [rrf([d[i], lx[i]]) for i in range(len(questions))]
        )
        for w in (0.3, 0.5, 0.7):
            systems[f"{w}*dense+{1 - w:.1f}*{lex_name} (min-max)"] = np.stack(
                [w * minmax(d[i]) + (1 - w) * minmax(lx[i]) for i in range(len(questions))]
            )
    print("| system | recall@1 | recall@5 | MRR | evidence@5 |")
    print("|---|---|---|---|---|")
    for name, mat in systems.items():
        rankings = [list(np.argsort(-mat[i], kind="stable")[:50]) for i in range(len(questions))]
        m = metrics(rankings, questions, chunks)
        rows.setdefault(name, {}).update(m)
        print(
            f"| {name} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['MRR']:.3f} | "
            f"{m['evidence@5']:.3f} |"
        )
    for model in args.models:
        rate = rows[f"dense {model}"]["chunks/s"]
        print(f"encode throughput {model}: {rate:.1f} chunks/s (nan = all cached)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
