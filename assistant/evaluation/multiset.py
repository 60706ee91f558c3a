"""The multi-set evaluation: each development set indexed as a new user would index it (its
documents written as ``DOC_ID.txt`` into a folder, that folder synced), every question asked,
then a share of the gold documents withheld (removed from the folder, synced again) and every
question asked again to measure refusals. The golden set, over an index already built, is one
more row.

The assistant is reached through ``Target``, so this service knows nothing of how an index is
built or a question answered: the ``Assistant`` facade passes itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.core.text import is_chinese
from assistant.core.types import Answer, SyncReport
from assistant.evaluation.devsets import DevSet, with_withheld, withheld_docs, write_corpus
from assistant.evaluation.measures import (
    EvalQuestion,
    Outcome,
    answer_measures,
    holds,
    refusal_measures,
)

Say = Callable[[str], None]


class Target(Protocol):
    """What the evaluation needs of an assistant."""

    def index(self, paths: Sequence[str | Path] | None = None) -> SyncReport: ...

    def ask(self, question: str, k: int | None = None) -> Answer: ...


@dataclass
class SetResult:
    """One row of the table: the measures on the whole index, the refusal measures with the
    withheld documents out, and the per-question records of both runs."""

    name: str
    documents: int
    chunks: int
    index_seconds: float
    measures: dict[str, Any]
    refusals: dict[str, Any] = field(default_factory=dict)
    withheld: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


def doc_id_of(source: str) -> str:
    """The document id of a source path: the file name without its extension."""
    return Path(source).stem


def outcome_of(qid: str, answer: Answer, latency_ms: float, k: int) -> Outcome:
    cited = [(doc_id_of(c.source), c.title) for c in answer.citations]
    verbatim = all(q in c.passage for c in answer.citations for q in (c.quotes or [c.quote]))
    return Outcome(
        qid=qid,
        abstained=answer.abstained,
        answer=answer.text,
        retrieved_docs=[doc_id_of(h.source) for h in answer.hits[:k]],
        retrieved_texts=[h.text for h in answer.hits[:k]],
        cited_docs=[d for d, _ in cited],
        cited_titles=cited,
        quotes_verbatim=verbatim,
        latency_ms=latency_ms,
        short_answer=answer.short.text if answer.short else "",
        evidence=answer.evidence,
        confidence=answer.confidence,
        support=answer.support,
        cross_margin=answer.cross_margin,
        cross_lift=answer.cross_lift,
        dense=max((h.dense_score or 0.0 for h in answer.hits[:k]), default=0.0),
        cross_dense=max(
            (h.dense_score or 0.0 for h in answer.hits[:k]
             if is_chinese(h.text) != is_chinese(answer.question)),
            default=0.0,
        ),
    )  # fmt: skip


def record_of(q: EvalQuestion, o: Outcome, run: str) -> dict[str, Any]:
    """One output line, with what each measure saw, for reading the failures."""
    return {
        "run": run,
        "qid": q.qid,
        "question": q.question,
        "gold_docs": sorted(q.gold_docs),
        "answers": q.answers,
        "answerable": q.answerable,
        "abstained": o.abstained,
        "answer": o.answer,
        "short_answer": o.short_answer,
        "retrieved_docs": o.retrieved_docs,
        "cited_docs": o.cited_docs,
        "titles": [t for _, t in o.cited_titles],
        "hit": (not o.abstained) and holds(o.answer, q.answers),
        "evidence_at_5": any(holds(t, q.answers) for t in o.retrieved_texts[:5]),
        "latency_ms": round(o.latency_ms, 2),
        "evidence": o.evidence,
        "confidence": o.confidence,
        "support": o.support,
        "dense": o.dense,
        "cross_dense": o.cross_dense,
        "cross_margin": o.cross_margin,
        "cross_lift": o.cross_lift,
    }


def ask_all(
    questions: list[EvalQuestion], target: Target, k: int, say: Say | None = None
) -> dict[str, Outcome]:
    out: dict[str, Outcome] = {}
    for n, q in enumerate(questions, start=1):
        t0 = time.perf_counter()
        answer = target.ask(q.question, k=k)
        out[q.qid] = outcome_of(q.qid, answer, (time.perf_counter() - t0) * 1000, k)
        if say and (n % 100 == 0 or n == len(questions)):
            say(f"  asked {n}/{len(questions)}")
    return out


def run_devset(
    devset: DevSet,
    target: Target,
    corpus_dir: Path,
    *,
    withhold: float = 0.15,
    k: int = 5,
    say: Say | None = None,
) -> SetResult:
    """Index the whole set, ask; withhold ``withhold`` of its gold documents, sync, ask again."""
    say = say or (lambda _m: None)
    written = write_corpus(devset.docs, corpus_dir)
    say(f"{devset.name}: {len(devset.docs)} documents ({written} files written), syncing …")
    t0 = time.perf_counter()
    report = target.index([corpus_dir])
    seconds = time.perf_counter() - t0
    if report.failed:
        names = ", ".join(p.source for p in report.failed[:5])
        say(f"  {len(report.failed)} documents failed to index: {names}")
    say(f"  {report.chunks_total} chunks ({report.chunks_embedded} embedded) in {seconds:.1f} s")
    full = ask_all(devset.questions, target, k, say)
    result = SetResult(
        devset.name, len(devset.docs), report.chunks_total, seconds,
        answer_measures(devset.questions, full),
        records=[record_of(q, full[q.qid], "full") for q in devset.questions],
    )  # fmt: skip
    held = withheld_docs(devset, withhold)
    if held:
        write_corpus(devset.docs, corpus_dir, leave_out=held)
        target.index([corpus_dir])
        questions = with_withheld(devset.questions, held)
        say(f"  withheld {len(held)} gold documents: asking again …")
        partial = ask_all(questions, target, k, say)
        result.withheld = len(held)
        result.refusals = refusal_measures(questions, partial)
        result.records += [record_of(q, partial[q.qid], "withheld") for q in questions]
        # Leave the whole set indexed (vectors from the cache), for questions asked by hand.
        write_corpus(devset.docs, corpus_dir)
        target.index([corpus_dir])
    return result


def run_golden(
    questions: list[EvalQuestion], target: Target, *, k: int = 5, say: Say | None = None
) -> SetResult:
    """The golden set over an index already built: its own unanswerable questions give the
    refusal measures."""
    outcomes = ask_all(questions, target, k, say)
    return SetResult(
        "golden (sample corpus)", 0, 0, 0.0, answer_measures(questions, outcomes),
        refusals=refusal_measures(questions, outcomes),
        records=[record_of(q, outcomes[q.qid], "full") for q in questions],
    )  # fmt: skip


COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (header, group, key)
    ("recall@1", "measures", "recall@1"),
    ("recall@5", "measures", "recall@5"),
    ("evidence@5", "measures", "evidence@5"),
    ("answer hit", "measures", "answer_hit"),
    ("answer F1", "measures", "answer_f1"),
    ("short F1", "measures", "short_f1"),
    ("answer chars p50", "measures", "answer_chars_p50"),
    ("cites gold", "measures", "cites_gold"),
    ("quotes verbatim", "measures", "quotes_verbatim"),
    ("titles real", "measures", "titles_real"),
    ("false refusals", "measures", "false_refusals"),
    ("withheld: refusal P", "refusals", "refusal_precision"),
    ("withheld: refusal R", "refusals", "refusal_recall"),
    ("withheld: false refusals", "refusals", "false_refusals"),
    ("ask p50 ms", "measures", "latency_ms_p50"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def table(results: list[SetResult]) -> str:
    """The results as one Markdown table, a row per set."""
    head = ["set", "questions", "chunks", *(c[0] for c in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        row = [r.name, str(r.measures.get("questions")), str(r.chunks or "–")]
        for _h, group, key in COLUMNS:
            src = r.measures if group == "measures" else r.refusals
            row.append(_cell(src.get(key)))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
