"""The scale benchmark: the same software at the sample corpus, about 53,000 chunks and about
1,000,000 chunks, side by side in one table.

    python -m benchmarks.scale [--sizes sample,53000,1000000] [--out bench-results]

Each size gets its own real ``chroma run`` server (the deployment a library of that size
uses: the vectors and their HNSW graph live in the server's process, so the assistant's own
memory is measured apart from the store's) and its own index folder. The scaled corpora
replicate every Government Work Report in ../shared/data (titles marked per copy); their
vectors are not recomputed: the sample index's real vectors, with small noise on replicas,
random unit vectors for the rest, put into the embedding cache first (as ``make bench`` does
at 53k). For each size, every step in its own process (wall time and peak RSS from the
kernel): the full sync from the cache, index size on disk (assistant side and server side),
search and extractive ask p50/p95 over the golden questions and the serving peak RSS, then
nothing changed / add one notice / change one paragraph / remove the notice, each against the
notice's own encode time. Writes ``scale.md`` and ``scale.json`` into ``--out``; nothing is
asserted. ``--reuse OLD/scale.json`` keeps that run's indexes and build rows and measures the
rest again; ``--resume`` does the same for every size whose build finished in the work folder
(its ``build.json``), so a run stopped during the 1M measurements need not build again.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.bench.common import DEFAULT_DATA, ROOT
from benchmarks.bench.common import log as _log
from benchmarks.bench.runner import _rss, _scaled_add, child, free_port, pick_new_doc

BUILD_FILE = "build.json"  # in each size's work folder: the rows of the build that made it
CORPUS_FILE = "corpus.json"  # beside it: what the scaled corpus holds, once it is written


def start_chroma(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A real ``chroma run`` on a free loopback port over ``data`` once its heartbeat answers:
    (the process, its URL); the caller terminates it."""
    exe = Path(sys.executable).with_name("chroma")
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("chroma run did not start") from None
            time.sleep(0.5)


def du_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / f).stat().st_size
    return total / 2**20


def add_notice(
    index: str,
    roots: list[str],
    new_doc: Path,
    base: Path,
    common: dict[str, Any],
    repeats: int = 5,
) -> dict[str, Any]:
    """The incremental steps with the notice under a title no run has used, so its chunks are
    not in the embedding cache and are encoded for real."""
    mark = f"增补{time.strftime('%Y%m%d%H%M%S')}"
    return _scaled_add(index, roots, new_doc, base, common, mark, repeats)


def write_copies(
    data: Path, out_dir: Path, target: int, settings_args: dict[str, Any]
) -> list[str]:
    """The scaled corpus's files again (the same bytes as ``scaled_corpus`` writes), for
    ``--reuse``: its vectors are in the index already."""
    from assistant.ingest.sync import Indexer
    from benchmarks.bench.common import step_settings
    from benchmarks.bench.steps import write_scaled_files

    indexer = Indexer(step_settings(settings_args), lambda: None)
    write_scaled_files(data, out_dir, target, indexer, str(ROOT / "corpus"))
    return [str(r) for r in sorted(out_dir.iterdir())]


def measure_size(
    label: str, target: int, args: argparse.Namespace, work: Path, sample_index: str,
    new_doc: Path, dim: int, previous: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Everything for one corpus size (see the module doc); with ``previous`` (``--reuse``),
    the index that run built is kept and its build figures with it, and the queries and the
    incremental syncs are measured again."""
    base = work / label
    # A build stopped during its sync is carried on (the sync is incremental and crash-safe):
    # its corpus and cache were complete (corpus.json), so only the remaining files are read.
    unfinished = (previous is None and args.resume and (base / CORPUS_FILE).is_file()
                  and (base / "index").is_dir())  # fmt: skip
    if previous is None and not unfinished:
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    server, url = start_chroma(base / "chroma-data")
    common: dict[str, Any] = {"work": str(work), "model": args.model, "chroma_url": url}
    index = str(base / "index")
    out: dict[str, Any] = {"label": label}
    try:
        if previous is not None:
            for key in ("corpus", "sync", "server_rss_after_sync_mb", "disk_mb", "build_resumed"):
                if key in previous:
                    out[key] = previous[key]
            if target:
                roots = write_copies(args.data, base / "corpus", target, common | {"index": index})
            else:
                shutil.rmtree(base / "corpus", ignore_errors=True)
                shutil.copytree(args.corpus, base / "corpus")
                roots = [str(base / "corpus")]
            # The files were written again: one sync records their new times (nothing to embed).
            out["resync"] = child("sync", index=index, corpus=roots, **common)
            out["reused_build"] = True
        elif unfinished:
            out["corpus"] = json.loads((base / CORPUS_FILE).read_text("utf-8"))
            roots = out["corpus"].pop("roots")
            out["build_resumed"] = True
            _log(f"{label}: carrying on the build stopped in {base}")
        elif target:
            out["corpus"] = child(
                "scaled_corpus", index=index, real_index=sample_index, data=str(args.data),
                out_corpus=str(base / "corpus"), target=target, dim=dim,
                fallback_corpus=str(args.corpus), **common,
            )  # fmt: skip
            (base / CORPUS_FILE).write_text(json.dumps(out["corpus"], ensure_ascii=False), "utf-8")
            roots = out["corpus"].pop("roots")
        else:
            corpus = base / "corpus"
            shutil.copytree(args.corpus, corpus)
            # The sample corpus's vectors come from the sample index's cache, like the others'.
            shutil.copy(Path(sample_index) / "embed_cache.sqlite", base / "cache-seed.sqlite")
            Path(index).mkdir(parents=True)
            shutil.copy(base / "cache-seed.sqlite", Path(index) / "embed_cache.sqlite")
            roots = [str(corpus)]
        if previous is None:
            _log(f"{label}: sync …")
            out["sync"] = child("sync", index=index, corpus=roots, **common)
            out["server_rss_after_sync_mb"] = _rss(server.pid)
        out["disk_mb"] = {
            "lexical": du_mb(Path(index) / "lexical"),
            "manifest_and_pointer": du_mb(Path(index) / "manifests")
            + (Path(index) / "index.json").stat().st_size / 2**20,
            "embedding_cache": du_mb(Path(index) / "embed_cache.sqlite"),
            "chroma_server_data": du_mb(base / "chroma-data"),
        }
        if previous is None:  # the build's rows, for --resume after a stopped run
            (base / BUILD_FILE).write_text(json.dumps(
                {k: out[k] for k in ("corpus", "sync", "server_rss_after_sync_mb", "disk_mb",
                                    "build_resumed")
                 if k in out}, ensure_ascii=False), "utf-8")  # fmt: skip
        out["query"] = child("query", index=index, golden=str(args.golden), rounds=args.rounds,
                             **common)  # fmt: skip
        out["server_rss_serving_mb"] = _rss(server.pid)
        out["incremental"] = add_notice(index, roots, new_doc, base, common, args.repeats)
        out["server_rss_end_mb"] = _rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    if not args.keep:
        shutil.rmtree(base / "corpus", ignore_errors=True)
    return out


def render(r: dict[str, Any]) -> str:
    sizes = r["sizes"]
    base = sizes[0]

    def row(name: str, fn: Any, ratio: bool = False, target: str = "") -> str:
        vals = [fn(s) for s in sizes]
        cells = [v if isinstance(v, str) else f"{v:,.1f}" for v in vals]
        if ratio and isinstance(vals[0], float) and vals[0]:
            cells[-1] += f" ({vals[-1] / vals[0]:.2f}× {base['label']})"
        return f"| {name} | " + " | ".join(cells) + f" | {target} |"

    def inc(s: dict[str, Any], step: str) -> float:
        return float(s["incremental"][step]["seconds"])

    def overhead(s: dict[str, Any]) -> float:
        add = s["incremental"]["add"]
        return float(add.get("beyond_encode_seconds", add["seconds"] - add["own_encode_seconds"]))

    def spread(s: dict[str, Any], step: str) -> str:
        runs = s["incremental"].get("rounds", {}).get(step, [])
        if len(runs) < 2:
            return "–"
        vals = [r["seconds"] - r.get("own_encode_seconds", 0.0) for r in runs]
        return f"{min(vals):.1f}–{max(vals):.1f}"

    def merges(s: dict[str, Any]) -> str:
        runs = [r for rs in s["incremental"].get("rounds", {}).values() for r in rs]
        return str(sum(int(r.get("segments_merged", 0)) for r in runs)) if runs else "–"

    rounds = max((len(s["incremental"].get("rounds", {}).get("add", [])) for s in sizes),
                 default=1)  # fmt: skip

    head = "| measure | " + " | ".join(s["label"] for s in sizes) + " | target |"
    lines = [
        f"Scale benchmark ({r['machine']['cores']} cores, Python {r['machine']['python']}, "
        f"model `{r['model']}`, Chroma as a `chroma run` server per size"
        + (f"; add / change / remove: median of {rounds} rounds" if rounds > 1 else "") + ")",
        "",
        *(["Build rows (full sync, its RSS, the server's RSS after it) from the run that built "
           "the indexes; the rest measured again on them (`--reuse`)."]
          if any(s.get("reused_build") for s in sizes) else []),
        *([f"The full sync of {', '.join(s['label'] for s in sizes if s.get('build_resumed'))} "
           "was carried on after a stop (`--resume`): its time and RSS are of the part after it."]
          if any(s.get("build_resumed") for s in sizes) else []),
        "",
        head,
        "|---" * (len(sizes) + 2) + "|",
        row("chunks", lambda s: f"{s['sync']['chunks']:,}"),
        row("documents", lambda s: f"{s['sync']['documents']:,}"),
        row("full sync from the embedding cache, s", lambda s: float(s["sync"]["seconds"])),
        row("peak RSS of that sync (assistant), MB", lambda s: float(s["sync"]["peak_rss_mb"]),
            target="≤ 2,048"),
        row("Chroma server RSS after the sync, MB",
            lambda s: float(s["server_rss_after_sync_mb"]["VmRSS"])),
        row("lexical index on disk, MB", lambda s: float(s["disk_mb"]["lexical"])),
        row("Chroma server data on disk, MB", lambda s: float(s["disk_mb"]["chroma_server_data"])),
        row("embedding cache on disk, MB", lambda s: float(s["disk_mb"]["embedding_cache"])),
        row("search p50, ms", lambda s: float(s["query"]["search_ms_p50"]), ratio=True,
            target="1M ≤ 3× sample"),
        row("search p95, ms", lambda s: float(s["query"]["search_ms_p95"]), ratio=True),
        row("ask p50, ms", lambda s: float(s["query"]["ask_ms_p50"]), ratio=True,
            target="≤ 100"),
        row("ask p95, ms", lambda s: float(s["query"]["ask_ms_p95"]), ratio=True),
        row("serving peak RSS (assistant), MB", lambda s: float(s["query"]["peak_rss_mb"])),
        row("serving: assistant + Chroma server RSS, MB",
            lambda s: float(s["query"]["peak_rss_mb"]) + float(s["server_rss_serving_mb"]["VmRSS"]),
            target="≤ 8,192"),
        row("sync, nothing changed, s", lambda s: inc(s, "nothing_changed")),
        row("add one notice, s", lambda s: inc(s, "add")),
        row("  its own encode, s", lambda s: float(s["incremental"]["add"]["own_encode_seconds"])),
        row("  add beyond its own encode, s", overhead, target="≤ 2"),
        row("  add outside its embed part (the sync's own timing), s",
            lambda s: s["incremental"]["add"].get("outside_embed_seconds", "–")),
        row("change one paragraph, s", lambda s: inc(s, "change_paragraph"), target="≤ 2"),
        row("remove one notice, s", lambda s: inc(s, "remove"), target="≤ 2"),
        *([row("  add beyond encode: fastest–slowest round, s", lambda s: spread(s, "add")),
           row("  change: fastest–slowest round, s", lambda s: spread(s, "change_paragraph")),
           row("  remove: fastest–slowest round, s", lambda s: spread(s, "remove")),
           row("  BM25 segment merges over all rounds", merges)] if rounds > 1 else []),
        row("peak RSS of the incremental syncs, MB",
            lambda s: float(s["incremental"]["peak_rss_mb"]), target="≤ 2,048"),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--golden", type=Path, default=ROOT / "eval/golden.jsonl")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default="sample,53000,1000000",
                    help="comma-separated: 'sample' and chunk counts")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--model", default="")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the scaled corpora")
    ap.add_argument(
        "--resume", action="store_true",
        help="keep the work folder and reuse every size whose build finished there (its "
        "build.json), as --reuse does: for a run that was stopped",
    )  # fmt: skip
    ap.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="rounds of add / change / remove per size (the table shows medians)",
    )
    ap.add_argument(
        "--reuse", type=Path, default=None,
        help="the scale.json of an earlier run whose --work folder still holds its indexes: "
        "keep them and their build figures, measure the rest again",
    )  # fmt: skip
    args = ap.parse_args()
    from assistant.core.settings import Settings

    work = (args.work or args.out / "scale-work").resolve()
    earlier = json.loads(args.reuse.read_text("utf-8")) if args.reuse else None
    if earlier is None and not args.resume:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sample = work / "sample-corpus"
    shutil.rmtree(sample, ignore_errors=True)
    shutil.copytree(args.corpus, sample)
    new_doc = pick_new_doc(args.data, sample, work)
    # The sample corpus encoded once (embedded Chroma): the real vectors every size reuses.
    sample_index = str(work / "sample-index")
    real = child("sync", index=sample_index, corpus=[str(sample)], work=str(work),
                 model=args.model)  # fmt: skip
    first_encode = work / "sample-encode.json"
    if earlier is not None:
        real = {**real, "seconds": earlier["sample_encode"]["seconds"]}
    elif args.resume and first_encode.is_file():
        real = {**real, **json.loads(first_encode.read_text("utf-8"))}
    else:
        first_encode.write_text(json.dumps({"seconds": real["seconds"]}), "utf-8")
    enc = child("encode", corpus=[str(sample)], work=str(work), model=args.model)
    r: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0],
                    "memory_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30},
        "model": args.model or Settings().embedding.model,
        "sample_encode": {"seconds": real["seconds"], "dimension": enc["dimension"]},
        "sizes": [],
    }  # fmt: skip
    original = args.corpus
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        target = 0 if size == "sample" else int(size)
        label = "sample" if not target else (f"{target // 1000}k" if target < 10**6
                                             else f"{target / 10**6:g}M")  # fmt: skip
        args.corpus = sample if not target else original
        before = None
        if earlier is not None:
            before = next((x for x in earlier["sizes"] if x["label"] == label), None)
            if before is not None and not (work / label / "index").is_dir():
                before = None
        built = work / label / BUILD_FILE
        if before is None and args.resume and built.is_file() and (work / label / "index").is_dir():
            before = json.loads(built.read_text("utf-8"))
            _log(f"{label}: reusing the index built before ({built})")
        r["sizes"].append(measure_size(label, target, args, work, sample_index, new_doc,
                                       enc["dimension"], before))  # fmt: skip
        _log(f"{label}: done")
    r["total_seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
    md = render(r)
    (args.out / "scale.md").write_text(md, "utf-8")
    print(md)
    print(f"written: {args.out / 'scale.md'}, {args.out / 'scale.json'}")


if __name__ == "__main__":
    main()
