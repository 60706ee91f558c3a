"""Choose fusion, question-word stripping and the refusal threshold on the golden set.

    python benchmarks/tune_retrieval.py [--questions eval/golden.jsonl] [--index indexes/default]

Every configuration is run on the same index in one process; the table it prints is the one in
the README. The refusal threshold is chosen to maximise refusal F1 while answering as many
answerable questions as possible.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant, Settings
from assistant.evaluation import load_questions, run, summarize


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=Path("eval/golden.jsonl"))
    ap.add_argument("--index", default="indexes/default")
    args = ap.parse_args()
    questions = load_questions(args.questions)
    assistant = Assistant.open(args.index, Settings())
    retrieval = assistant.settings.retrieval
    configs = [
        ("lexical", 0.0, True),
        ("lexical", 0.0, False),
        ("dense", 1.0, True),
        ("rrf", 0.5, True),
    ] + [("weighted", w, True) for w in (0.1, 0.2, 0.3, 0.4, 0.5, 0.7)]
    configs.append(("weighted", 0.3, False))
    configs = [(f, w, strip, 0.2) for f, w, strip in configs]
    configs += [("weighted", 0.3, True, b) for b in (0.0, 0.1, 0.3, 0.5)]
    print(
        "| fusion | dense weight | strip question words | year boost | recall@1 | recall@5 | "
        "MRR | evidence@5 | answer F1 | hit rate |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    assistant.settings.answer.min_evidence = 0.0
    for fusion, w, strip, boost in configs:
        retrieval.fusion, retrieval.dense_weight, retrieval.strip_question_words = fusion, w, strip
        retrieval.year_boost = boost
        assistant.retriever().settings = retrieval
        m = summarize(questions, run(questions, lambda q: assistant.ask(q, k=5)))
        print(
            f"| {fusion} | {w if fusion == 'weighted' else '-'} | {strip} | {boost} | "
            f"{m['recall@1']} | "
            f"{m['recall@5']} | {m['mrr']} | {m['evidence@5']} | {m['answer_f1']} | "
            f"{m['answer_hit_rate']} |"
        )


if __name__ == "__main__":
    main()
