"""The benchmark suite: ingest and query speed, memory, and the naive LangChain pipeline.

    python -m benchmarks.bench [--corpus corpus] [--scale 50000] [--out bench-results]

Every figure comes from this one run on this machine (nothing is asserted; targets are shown
beside the figures). Each measured step runs in its own child process, so its peak memory
(RSS, from the kernel's rusage) and its wall time include everything a real command pays.

1. Full sync of the sample corpus into an empty index (no embedding cache), against the raw
   encode time of the same texts by the same model (the mean of one run just before the sync
   and one just after, so that the machine's drift cancels): the overhead ratio.
2. Incremental work on that full index: a sync with nothing changed, adding one notice,
   changing one paragraph (only its chunks are embedded again), removing one notice; each in
   seconds and as a ratio to the full build; the added notice's own encode time is measured
   apart, so the sync's overhead beyond the encoder is known.
3. Search and extractive ask latency p50/p95 over the golden questions, the golden-set metrics,
   cold start (a new process to its first answer), ``--help`` and ``status`` start times.
4. The naive LangChain pipeline on the same corpus and the same embedding model
   (``RecursiveCharacterTextSplitter`` 1000/200 + ``Chroma.from_documents`` +
   ``similarity_search``): ingest time, query latency and golden recall beside ours.
5. A scaled corpus: every Government Work Report in ../shared/data replicated to at least
   ``--scale`` chunks. Vectors are not recomputed: chunks of the sample corpus keep their real
   vectors (the cache from step 1), replicas get them with small noise, chunks outside the
   sample get random unit vectors (a harder case for the HNSW graph than real embeddings). Its
   sync from the cache (the store and lexical side alone), query latency and incremental add.
6. Peak RSS of a serving web UI after concurrent chats.

Writes ``bench.md`` and ``bench.json`` into ``--out`` and prints the Markdown.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.core.settings import (
    BUNDLED_E5,
    BUNDLED_E5_INT8,
    BUNDLED_E5_OPENVINO,
    BUNDLED_E5_ST,
)
from benchmarks.bench.common import DEFAULT_DATA, RESULT, ROOT
from benchmarks.bench.runner import run_all
from benchmarks.bench.steps import STEPS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--golden", type=Path, default=ROOT / "eval/golden.jsonl")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="reports.jsonl to scale up")
    ap.add_argument("--scale", type=int, default=50_000, help="chunks in the scaled corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default OUT/work)")
    ap.add_argument("--model", default="", help="embedding model (default: the settings')")
    ap.add_argument("--users", type=int, default=10, help="concurrent chats for serving memory")
    ap.add_argument(
        "--backends",
        default=",".join((BUNDLED_E5, BUNDLED_E5_INT8, BUNDLED_E5_OPENVINO, BUNDLED_E5_ST)),
        help="other embedding models to compare with the default (comma-separated; '' for none)",
    )
    ap.add_argument("--rounds", type=int, default=2, help="passes over the golden questions")
    ap.add_argument(
        "--starts", type=int, default=3,
        help="times each start-up (cold start, --help, status) is measured; the median is shown",
    )  # fmt: skip
    ap.add_argument("--child", nargs=2, metavar=("STEP", "ARGS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.starts < 1:
        ap.error(f"--starts {args.starts}: give at least 1")
    if args.child:
        result = STEPS[args.child[0]](json.loads(args.child[1]))
        print(RESULT + json.dumps(result, ensure_ascii=False), flush=True)
        return
    run_all(args)


if __name__ == "__main__":
    main()
