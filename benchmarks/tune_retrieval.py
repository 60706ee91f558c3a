"""Choose fusion, question-word stripping and the refusal threshold on the golden set.

    python benchmarks/tune_retrieval.py [--questions eval/golden.jsonl] [--index indexes/default]

Every configuration is run on the same index in one process; the table it prints is the one in
the README. The refusal threshold is chosen to maximise refusal F1 while answering as many
answerable questions as possible.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluation.harness import load_questions, run
from assistant.evaluation.metrics import summarize


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
    configs.append(("weighted", 0.2, False))
    configs = [(f, w, strip, 0.2) for f, w, strip in configs]
    configs += [("weighted", 0.2, True, b) for b in (0.0, 0.1, 0.3, 0.5)]
    print(
        "| fusion | dense weight | strip question words | year boost | recall@1 | recall@5 | "
        "MRR | evidence@5 | answer F1 | hit rate |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    assistant.settings.answer.min_evidence = 0.0
    defaults = retrieval.model_copy()
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
    assistant.retriever().settings = assistant.settings.retrieval = defaults
    threshold_sweep(assistant, questions)


def threshold_sweep(assistant: Assistant, questions: list[dict]) -> None:
    """Refusal precision/recall of Chinese questions for several ``answer.min_evidence``."""
    assistant.settings.answer.min_evidence = 0.0
    rows = [(assistant.ask(q["question"]).evidence, q.get("answerable", True))
            for q in questions if q.get("lang", "zh") == "zh"]  # fmt: skip
    print("\n| min_evidence | refusal precision | refusal recall | answerable refused |")
    print("|---|---|---|---|")
    unanswerable = sum(not ok for _, ok in rows)
    for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        refused = [ok for e, ok in rows if e < t]
        right = sum(not ok for ok in refused)
        precision = right / len(refused) if refused else 1.0
        print(f"| {t:.2f} | {precision:.3f} | {right / unanswerable:.3f} | {sum(refused)} |")


if __name__ == "__main__":
    main()
