"""Evaluation metrics over per-question records (pure functions, tested by hand-computed values).

Metrics over answerable questions (those with ``gold_sources``): document recall@1/@5 and MRR
(the rank of the first retrieved chunk from a gold source), evidence@5 (a gold answer inside one
of the top 5 chunks), answer F1 (character-level, LCS-based as in CMRC 2018; an abstention scores
0), answer hit rate (gold-answer recall >= 0.8), and the share of answers citing a gold source.
Over all questions: refusal precision and recall for the unanswerable ones, latency p50/p95.
"""

from __future__ import annotations

import re
import statistics
import string
from collections.abc import Iterable
from typing import Any

_PUNCT = set(string.punctuation) | set(
    "，。、；：？！“”‘’（）《》〈〉【】『』「」—…·～﹏￥％＋－＝／＼｜　 \t\n\r"
)
_MARKER = re.compile(r"\[\d+\]")


def segment(text: str) -> list[str]:
    """CMRC-style tokens: each Chinese character, each English word / number, no punctuation."""
    text = _MARKER.sub("", text).lower()
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and ch.isalnum():
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        if ch not in _PUNCT and not ch.isspace():
            out.append(ch)
    if word:
        out.append(word)
    return out


def lcs_len(a: list[str], b: list[str]) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def f1_recall(prediction: str, golds: Iterable[str]) -> tuple[float, float]:
    """Best (F1, recall) of ``prediction`` against any gold answer, character level."""
    pred = segment(prediction)
    best_f1 = best_recall = 0.0
    for gold in golds:
        g = segment(gold)
        lcs = lcs_len(pred, g)
        if not lcs:
            continue
        p, r = lcs / len(pred), lcs / len(g)
        best_f1 = max(best_f1, 2 * p * r / (p + r))
        best_recall = max(best_recall, r)
    return best_f1, best_recall


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0.01 .. 0.99, in steps of 0.01), interpolated between closest ranks."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def is_answerable(q: dict[str, Any]) -> bool:
    if "answerable" in q:
        return bool(q["answerable"])
    return bool(q.get("gold_sources") or q.get("answers"))


def summarize(questions: list[dict[str, Any]], records: list[dict[str, Any]]) -> dict[str, Any]:
    """All metrics for ``records`` (one per question, matched by id)."""
    by_id = {r["id"]: r for r in records}
    n_ret = r1 = r5 = mrr = 0.0
    n_ev = ev5 = 0.0
    n_ans = f1_sum = hits = cited = 0.0
    refused_unans = refused = unans = 0
    for q in questions:
        rec = by_id[q["id"]]
        answerable = is_answerable(q)
        refused += rec["abstained"]
        if not answerable:
            unans += 1
            refused_unans += rec["abstained"]
            continue
        gold = set(q.get("gold_sources") or [])
        golds = q.get("answers") or []
        if gold:
            n_ret += 1
            rank = next((r["rank"] for r in rec["retrieved"] if r["source"] in gold), None)
            r1 += rank is not None and rank <= 1
            r5 += rank is not None and rank <= 5
            mrr += 1.0 / rank if rank else 0.0
            cited += any(c["source"] in gold for c in rec["citations"])
        if golds:
            n_ev += 1
            ev5 += any(a in r["text"] for a in golds for r in rec["retrieved"][:5])
            n_ans += 1
            f1, recall = (0.0, 0.0) if rec["abstained"] else f1_recall(rec["answer"], golds)
            f1_sum += f1
            hits += recall >= 0.8
    lat = [r["latency_ms"] for r in records]

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "questions": len(questions),
        "answerable": len(questions) - unans,
        "unanswerable": unans,
        "recall@1": ratio(r1, n_ret),
        "recall@5": ratio(r5, n_ret),
        "mrr": ratio(mrr, n_ret),
        "evidence@5": ratio(ev5, n_ev),
        "answer_f1": ratio(f1_sum, n_ans),
        "answer_hit_rate": ratio(hits, n_ans),
        "cites_gold_source": ratio(cited, n_ret),
        "refusal_precision": ratio(refused_unans, refused),
        "refusal_recall": ratio(refused_unans, unans),
        "latency_ms_p50": round(percentile(lat, 0.5), 2),
        "latency_ms_p95": round(percentile(lat, 0.95), 2),
    }
