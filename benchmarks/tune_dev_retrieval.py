"""Choose the retrieval settings on every set at once: fusion, dense weight, BM25 analyzer and
parameters, question-word stripping, year boost.

Runs over the indexes ``make eval-dev`` built (indexes/dev-sets/SET/index) and the sample
index (indexes/default, with eval/golden.jsonl); each configuration is the default settings
with one change. Prints recall@1, recall@5 and evidence@5 per set and their mean over the sets,
so no single set decides. (Chunk size changes the stored chunks: compare it by re-running
``make eval-dev`` with ASSISTANT_CHUNKING__TARGET_CHARS / __MAX_CHARS set.)

    python -m benchmarks.tune_dev_retrieval [--sets ncp-policy-qa ...]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from assistant import Assistant, Settings
from assistant.evaluation.devsets import EvalQuestion, golden_questions, load_devset
from assistant.evaluation.measures import holds

ROOT = Path(__file__).resolve().parents[1]

CONFIGS: list[tuple[str, dict[str, dict[str, Any]]]] = [
    ("default", {}),
    ("lexical only", {"retrieval": {"fusion": "lexical"}}),
    ("dense only", {"retrieval": {"fusion": "dense"}}),
    ("rrf", {"retrieval": {"fusion": "rrf"}}),
    *[(f"dense weight {w}", {"retrieval": {"dense_weight": w}}) for w in (0.1, 0.3, 0.5)],
    *[
        (f"dense weight (not Chinese) {w}", {"retrieval": {"dense_weight_other": w}})
        for w in (0.2, 0.35, 0.5)
    ],
    ("keep question words", {"retrieval": {"strip_question_words": False}}),
    ("no year boost", {"retrieval": {"year_boost": 0.0}}),
    ("jieba words", {"lexical": {"analyzer": "jieba"}}),
    ("jieba + bigrams", {"lexical": {"analyzer": "jieba+bigram"}}),
    ("BM25 k1 1.5", {"lexical": {"k1": 1.5}}),
    ("BM25 k1 0.9", {"lexical": {"k1": 0.9}}),
    ("BM25 b 0.5", {"lexical": {"b": 0.5}}),
    ("BM25 b 0.9", {"lexical": {"b": 0.9}}),
]


def settings_for(index_dir: Path, change: dict[str, dict[str, Any]]) -> Settings:
    base = Settings()
    update: dict[str, Any] = {"index_dir": index_dir}
    for part, values in change.items():
        update[part] = getattr(base, part).model_copy(update=values)
    return base.model_copy(update=update)


def measure(assistant: Assistant, questions: list[EvalQuestion]) -> dict[str, float]:
    r1 = r5 = ev = n = n_ans = 0
    for q in questions:
        if not q.answerable or not q.gold_docs:
            continue
        hits = assistant.search(q.question, k=5)
        docs = [Path(h.source).stem for h in hits]
        n += 1
        r1 += bool(docs) and docs[0] in q.gold_docs
        r5 += any(d in q.gold_docs for d in docs)
        if q.answers:
            n_ans += 1
            ev += any(holds(h.text, q.answers) for h in hits)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "evidence@5": ev / max(n_ans, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev-sets", type=Path, default=ROOT.parent / "shared/data/dev-sets")
    ap.add_argument("--work", type=Path, default=ROOT / "indexes/dev-sets")
    ap.add_argument(
        "--sets", nargs="+",
        default=["ncp-policy-qa", "doc2dial-gov-en", "xquad-en2zh", "cmrc2018-trial"],
    )  # fmt: skip
    args = ap.parse_args()
    sets: list[tuple[str, Path, list[EvalQuestion]]] = [
        ("golden", ROOT / "indexes/default", golden_questions(ROOT / "eval/golden.jsonl"))
    ]
    for name in args.sets:
        sets.append((name, args.work / name / "index", load_devset(args.dev_sets / name).questions))
    head = " | ".join(f"{n} r@1 / r@5 / ev@5" for n, _, _ in sets)
    print(f"| configuration | {head} | mean r@1 | mean r@5 | mean ev@5 |")
    print("|---|" + "---|" * (len(sets) + 3))
    for label, change in CONFIGS:
        cells, means = [], {"recall@1": [], "recall@5": [], "evidence@5": []}
        for _name, index, questions in sets:
            m = measure(Assistant(settings_for(index, change)), questions)
            cells.append(f"{m['recall@1']:.3f} / {m['recall@5']:.3f} / {m['evidence@5']:.3f}")
            for k in means:
                means[k].append(m[k])
        mean = " | ".join(f"{statistics.mean(v):.3f}" for v in means.values())
        print(f"| {label} | {' | '.join(cells)} | {mean} |", flush=True)


if __name__ == "__main__":
    main()
