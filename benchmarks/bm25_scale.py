"""BM25 top-n at about a million chunks without building a million-chunk index: the segments of
a real lexical index, merged into one, are replicated (as a library of that size holds them:
about 20 segments at the 50,000-chunk cap plus the smaller tiers), and the golden questions are
scored two ways over the same postings — every slot scored, then the best n picked over the
whole array (what search did before pruning), and ``Postings.top`` (MaxScore pruning) — with
the second checked exact against the first on every question.

    python -m benchmarks.bm25_scale LEXICAL_FOLDER [--copies 19] [--n 50] [--rounds 2]

LEXICAL_FOLDER is an index's ``lexical/<collection>`` folder, e.g. that of the 53k index
``make bench-scale`` leaves in its work folder (``bench-results/scale-work/53k/index/
lexical/``). Prints p50 / mean / p95 per way and the number of questions whose common terms
were only looked up for candidates. Nothing is asserted by a test; the exactness checks here
raise if the two ways ever disagree.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.core.text import strip_question_words
from assistant.index.lexical import LexicalIndex
from assistant.index.segmented import Postings, merged

ROOT = Path(__file__).resolve().parent.parent


def replicated(index: LexicalIndex, copies: int) -> Postings:
    """``copies`` copies of the index merged into one segment, plus three of its own segments."""
    p = index.postings
    one = merged(p.segments, p.alive)
    segs = [one] * copies + list(p.segments) * 3
    return Postings(segs, [np.zeros(len(s), dtype=bool) for s in segs], p.k1, p.b)


def full_then_pick(p: Postings, tokens: list[str], n: int) -> None:
    scores = p.scores(tokens)
    top = np.argpartition(-scores, n - 1)[:n]
    cut = scores[top].min()
    np.flatnonzero(scores > cut)
    np.flatnonzero(scores == cut)


def check_exact(p: Postings, tokens: list[str], n: int) -> bool:
    """``top`` holds every chunk a full scoring puts in the best n, with equal scores; True
    when it pruned (returned fewer than all positive-scoring chunks)."""
    slots, vals = p.top(tokens, n)
    full = p.scores(tokens)
    positive = np.flatnonzero(full > 0)
    if not len(positive):
        return False
    if not np.allclose(vals, full[slots], atol=1e-5):
        raise AssertionError(f"top's scores differ from full scoring for {tokens}")
    cut = np.sort(full[positive])[::-1][min(n, len(positive)) - 1]
    if not set(np.flatnonzero(full >= cut - 1e-6)) <= set(slots.tolist()):
        raise AssertionError(f"top missed a chunk of the best {n} for {tokens}")
    return len(slots) < len(positive)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="an index's lexical/<collection> folder")
    ap.add_argument("--copies", type=int, default=19)
    ap.add_argument("--n", type=int, default=50, help="candidates (retrieval.candidates)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--golden", type=Path, default=ROOT / "eval/golden.jsonl")
    args = ap.parse_args()
    index = LexicalIndex.load(args.folder)
    if index is None:
        raise SystemExit(f"no lexical index in {args.folder}")
    p = replicated(index, args.copies)
    questions = [json.loads(line)["question"] for line in args.golden.open(encoding="utf-8")]
    queries = [index.terms(strip_question_words(q) or q) for q in questions]
    print(f"{p.slots:,} chunks in {len(p.segments)} segments; {len(queries)} questions")
    for q in queries:  # warm: document frequencies, norms, pages of the segment files
        p.top(q, args.n)
        p.scores(q)
    ways: dict[str, Callable[[list[str]], object]] = {
        "full scoring, then pick": lambda q: full_then_pick(p, q, args.n),
        "top (MaxScore)": lambda q: p.top(q, args.n),
    }
    times: dict[str, list[float]] = {k: [] for k in ways}
    for _ in range(args.rounds):
        for name, fn in ways.items():
            for q in queries:
                t0 = time.perf_counter()
                fn(q)
                times[name].append((time.perf_counter() - t0) * 1000)
    pruned = sum(check_exact(p, q, args.n) for q in queries)
    print("| way | p50 ms | mean ms | p95 ms |\n|---|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {np.median(ts):.1f} | {np.mean(ts):.1f} | {np.percentile(ts, 95):.1f} |")
    print(f"exact on all {len(queries)} questions; pruned on {pruned}")


if __name__ == "__main__":
    main()
