"""The measures of the development sets (``../shared/data/dev-sets/README.md``), per question and
per set (pure functions).

A gold answer is *held* by a text when the longest common subsequence of their characters —
lower case, punctuation and white space dropped, citation markers removed — covers at least 80 %
of the gold answer's characters. That one test gives evidence@5 (a passage shown holds it) and
the answer hit (the answer holds it). Answer F1 is CMRC 2018's (characters for Chinese, words for
English). Refusals are measured with a share of the gold documents withheld from the index: the
questions about them must be refused, the others must not be.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.core.text import comparable, lcs_length
from assistant.evaluation.metrics import _MARKER, f1_recall, percentile

HOLD_SHARE = 0.8


def held_share(text: str, gold: str) -> float:
    """Share of ``gold``'s comparable characters that ``text`` holds, in order (0..1)."""
    g = comparable(gold)
    if not g:
        return 0.0
    return lcs_length(g, comparable(text)) / len(g)


def holds(text: str, golds: Iterable[str], share: float = HOLD_SHARE) -> bool:
    """True when ``text`` holds at least ``share`` of one of the gold answers."""
    return any(held_share(text, g) >= share for g in golds)


@dataclass
class EvalQuestion:
    """One question of a set: what counts as its gold documents and answers."""

    qid: str
    question: str
    answers: list[str] = field(default_factory=list)
    gold_docs: frozenset[str] = frozenset()
    # False for questions the index cannot answer (golden set's unanswerable ones, and the
    # questions whose gold documents were all withheld).
    answerable: bool = True
    # False where a set marks the answer as a fragment or a heading (doc2dial): retrieval is
    # measured, the answer is not.
    score_answer: bool = True


@dataclass
class Outcome:
    """What the assistant did with one question, reduced to what the measures need."""

    qid: str
    abstained: bool
    answer: str
    retrieved_docs: list[str]  # document ids of the passages shown, best first
    retrieved_texts: list[str]
    cited_docs: list[str]
    cited_titles: list[tuple[str, str]]  # (document id, title shown)
    quotes_verbatim: bool
    latency_ms: float
    short_answer: str = ""
    evidence: float = 0.0  # the answer's gates: term coverage, model confidence, dense similarity
    confidence: float = 0.0
    support: float = 0.0
    dense: float = 0.0
    cross_dense: float = 0.0  # over passages in the other language than the question
    cross_margin: float = 0.0
    cross_lift: float | None = None


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def title_is_real(doc_id: str, title: str) -> bool:
    """A title that is neither empty nor the file name (what a citation falls back to)."""
    t = title.strip()
    return bool(t) and comparable(t) != comparable(doc_id) and not t.endswith(".txt")


def answer_measures(questions: list[EvalQuestion], outcomes: dict[str, Outcome]) -> dict[str, Any]:
    """Retrieval, evidence, answers, citations and latency over the answerable questions."""
    asked = [q for q in questions if q.answerable and q.gold_docs]
    r1 = r5 = cites = ev5 = 0
    scored = hits = 0
    f1_sum = 0.0
    short_f1 = 0.0
    refused = 0
    lengths: list[int] = []
    verbatim = answered = 0
    real = cited = 0
    for q in asked:
        o = outcomes[q.qid]
        docs = o.retrieved_docs[:5]
        r1 += bool(docs) and docs[0] in q.gold_docs
        r5 += any(d in q.gold_docs for d in docs)
        cites += any(d in q.gold_docs for d in o.cited_docs)
        refused += o.abstained
        if not o.abstained:
            answered += 1
            verbatim += o.quotes_verbatim
            lengths.append(len(_MARKER.sub("", o.answer)))
            for doc_id, title in o.cited_titles:
                cited += 1
                real += title_is_real(doc_id, title)
        if not q.answers:
            continue
        ev5 += any(holds(t, q.answers) for t in o.retrieved_texts[:5])
        if not q.score_answer:
            continue
        scored += 1
        if not o.abstained:
            hits += holds(o.answer, q.answers)
            f1_sum += f1_recall(o.answer, q.answers)[0]
            # The short span where the answer has one, else the quoted sentences.
            short_f1 += f1_recall(o.short_answer or o.answer, q.answers)[0]
    lat = [outcomes[q.qid].latency_ms for q in questions if q.qid in outcomes]
    n_ans = sum(1 for q in asked if q.answers)
    return {
        "questions": len(questions),
        "answerable": len(asked),
        "recall@1": _ratio(r1, len(asked)),
        "recall@5": _ratio(r5, len(asked)),
        "evidence@5": _ratio(ev5, n_ans),
        "answer_hit": _ratio(hits, scored),
        "answer_f1": _ratio(f1_sum, scored),
        "short_f1": _ratio(short_f1, scored),
        "answer_chars_p50": round(statistics.median(lengths), 1) if lengths else None,
        "cites_gold": _ratio(cites, len(asked)),
        "quotes_verbatim": _ratio(verbatim, answered),
        "false_refusals": _ratio(refused, len(asked)),
        "titles_real": _ratio(real, cited),
        "latency_ms_p50": round(percentile(lat, 0.5), 2),
        "latency_ms_p95": round(percentile(lat, 0.95), 2),
    }


def refusal_measures(questions: list[EvalQuestion], outcomes: dict[str, Outcome]) -> dict[str, Any]:
    """Refusal precision / recall (questions that cannot be answered must be refused) and the
    share of answerable questions refused."""
    must = [q for q in questions if not q.answerable]
    can = [q for q in questions if q.answerable]
    refused_must = sum(outcomes[q.qid].abstained for q in must)
    refused_can = sum(outcomes[q.qid].abstained for q in can)
    return {
        "must_refuse": len(must),
        "refusal_precision": _ratio(refused_must, refused_must + refused_can),
        "refusal_recall": _ratio(refused_must, len(must)),
        "false_refusals": _ratio(refused_can, len(can)),
    }
