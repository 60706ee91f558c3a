"""Search and ask latency on an index, over the golden questions (figures, not assertions).

    python benchmarks/latency.py [--index indexes/default] [--rounds 3]

Prints p50/p95 in milliseconds for search and for extractive ask, after one warm-up pass, and
the cold start of the first question (model and index loading) as a ratio to a warm ask.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from assistant import Assistant
from assistant.evaluation.metrics import percentile


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default="indexes/default")
    ap.add_argument("--questions", type=Path, default=Path("eval/golden.jsonl"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    questions = [json.loads(x)["question"] for x in args.questions.read_text("utf-8").splitlines()]
    t0 = time.perf_counter()
    a = Assistant.open(args.index)
    a.ask(questions[0])
    cold = (time.perf_counter() - t0) * 1000
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for _ in range(args.rounds):
        for q in questions:
            for name, fn in (("search", a.search), ("ask", a.ask)):
                t = time.perf_counter()
                fn(q)
                timings[name].append((time.perf_counter() - t) * 1000)
    print(f"{len(questions)} questions x {args.rounds} rounds, {os.cpu_count()} cores")
    print("| operation | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, values in timings.items():
        print(f"| {name} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")
    warm = percentile(timings["ask"], 0.5)
    print(f"cold start to first answer: {cold:.0f} ms ({cold / warm:.0f}x a warm ask p50)")


if __name__ == "__main__":
    main()
