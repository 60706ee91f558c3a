"""Comparison questions over the sample corpus, cell by cell (eval/comparisons.jsonl: 41
questions over the Government Work Reports 2013–2025 — growth, deficit, special bonds, jobs,
CPI, unemployment, industrial internet, AI, tax cuts; 8 in English; 9 cells the index cannot
answer: 2020 has no report, or the report does not mention the topic).

A cell is a hit when it quotes its own year's report and holds a gold answer, or says "not
found" where the gold cell is empty; "other-year cells" counts cells citing a document of
another year (the target is 0).

    python -m eval.comparison_accuracy [--index indexes/default] [--errors]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant import Assistant
from assistant.evaluation.comparisons import load_comparisons, score_question, summarize

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="indexes/default")
    ap.add_argument("--questions", default=ROOT / "eval" / "comparisons.jsonl", type=Path)
    ap.add_argument("--errors", action="store_true", help="print every cell that is not a hit")
    args = ap.parse_args(argv)
    assistant = Assistant.open(args.index)
    questions = load_comparisons(args.questions)
    records = []
    seconds = []
    for q in questions:
        t0 = time.perf_counter()
        answer = assistant.ask(q.question)
        seconds.append(time.perf_counter() - t0)
        records += [dict(r, lang=q.lang) for r in score_question(q, answer)]
    s = summarize(records, len(questions))
    print(f"comparison questions: {s['questions']} (detected as comparisons: {s['detected']}), "
          f"cells: {s['cells']}")  # fmt: skip
    print("| cells | all | zh | en | answerable | gold not found | other-year cells | ask p50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    zh = [r for r in records if r["lang"] == "zh"]
    en = [r for r in records if r["lang"] == "en"]
    nf = f"{s['not_found_right']}/{s['not_found_cells']}"
    p50 = sorted(seconds)[len(seconds) // 2] * 1000
    print(f"| hit | {s['cell_hit']:.3f} | {_hit(zh):.3f} ({len(zh)}) | {_hit(en):.3f} ({len(en)}) "
          f"| {s['answerable_hit']:.3f} | {nf} said not found | {s['other_year_cells']} "
          f"| {p50:.0f} |")  # fmt: skip
    if args.errors:
        for r in records:
            if not r["hit"]:
                gold = r["gold_source"] or "not found"
                print(f"{r['qid']} {r['item']} gold {gold}: {r['text'][:90]}")


def _hit(rows: list[dict]) -> float:
    return sum(r["hit"] for r in rows) / max(1, len(rows))


if __name__ == "__main__":
    main()
