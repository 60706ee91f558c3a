"""Whether the retrieved passages answer the question at all: the refusal model (pure).

Passages can share many words with a question and still not answer it — another city's notice,
another year's figure. Beside the answer model's confidence in its best unit, the model looks at
what the question pins down: its rarest terms, the places and bodies it names, the terms it
quotes ("三优先", 《…》) — do the passages shown mention them? Its weights ship as
``refusal_weights.json`` (``benchmarks/train_answer_model.py``, trained by withholding each
question's gold documents from its passages); ``support`` is its probability that the passages
answer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from assistant.core.types import Hit
from assistant.qa.answer_model import Candidate, Question
from assistant.qa.linear import LinearModel, pick, read_models

WEIGHTS_FILE = Path(__file__).with_name("refusal_weights.json")

FEATURES: tuple[str, ...] = (
    "confidence", "confidence_margin", "unit_coverage", "passage_coverage", "rarest_shown",
    "rare_terms_shown", "quoted_shown", "places_shown", "bodies_shown", "dense",
    "lexical_strength", "same_document_units", "title_coverage", "places_in_best",
    "rare_terms_in_best",
)  # fmt: skip

_QUOTED = re.compile(r"[“\"《「]([^”\"》」]{2,20})[”\"》」]")
_PLACE = re.compile(
    r"[\u4e00-\u9fff]{2,6}?(?:自治区|特别行政区|省|市|自治州|州|盟|区|县|旗|镇|乡|街道)"
)
_BODY = re.compile(
    r"[\u4e00-\u9fff]{2,10}?(?:部|委员会|局|厅|署|办公室|办公厅|银行|海关|法院|检察院|人民政府)"
)


def _shown(needles: list[str], haystack: str) -> float:
    """Share of ``needles`` found in ``haystack`` (1.0 when there are none)."""
    if not needles:
        return 1.0
    return sum(n in haystack for n in needles) / len(needles)


def refusal_features(
    q: Question, hits: list[Hit], ranked: list[Candidate], terms_of: dict[str, set[str]]
) -> list[float]:
    """Features of the question against the passages shown (``hits``, best first), given the
    answer model's ranked units and each passage's terms (by chunk id)."""
    shown = " ".join(f"{h.title} {h.section} {h.text}" for h in hits[:3])
    top_terms: set[str] = set().union(*(terms_of.get(h.chunk_id, set()) for h in hits[:3]))
    total = sum(q.weights.values())
    by_idf = sorted(q.weights, key=lambda t: -q.weights[t])
    rare = by_idf[:3]
    best = ranked[0] if ranked else None
    second = ranked[1].p if len(ranked) > 1 else 0.0
    lexical = max((h.lexical_score or 0.0 for h in hits), default=0.0)
    question = q.text
    places = [m.group(0) for m in _PLACE.finditer(question)]
    bodies = [m.group(0) for m in _BODY.finditer(question)]
    quoted = [m.group(1) for m in _QUOTED.finditer(question)]
    same_doc = (
        sum(1 for c in ranked[:5] if best is not None and c.hit.source == best.hit.source) / 5
        if ranked
        else 0.0
    )
    return [
        best.p if best else 0.0,
        (best.p - second) if best else 0.0,
        best.features[0] if best else 0.0,
        sum(w for t, w in q.weights.items() if t in top_terms) / total if total > 0 else 0.0,
        float(bool(rare) and rare[0] in top_terms),
        sum(t in top_terms for t in rare) / len(rare) if rare else 1.0,
        _shown(quoted, shown),
        _shown(places, shown),
        _shown(bodies, shown),
        max((h.dense_score or 0.0 for h in hits), default=0.0),
        lexical / total if total > 0 else 0.0,
        same_doc,
        _title_coverage(q, best, terms_of) if best else 0.0,
        _shown(places, f"{best.hit.title} {best.hit.text}") if best else 0.0,
        sum(t in terms_of.get(best.hit.chunk_id, set()) for t in rare) / len(rare)
        if best and rare
        else 0.0,
    ]


def _title_coverage(q: Question, best: Candidate, terms_of: dict[str, set[str]]) -> float:
    title = best.hit.title
    total = sum(q.weights.values())
    if not title or total <= 0:
        return 0.0
    return sum(w for t, w in q.weights.items() if t in title) / total


@cache
def shipped_refusal_model(embedding_model: str = "") -> LinearModel | None:
    """The refusal model shipped with the package for ``embedding_model`` (the portable one for
    any other model), or None when the file is absent (then only the thresholds gate)."""
    if not WEIGHTS_FILE.is_file():
        return None
    return pick(read_models(WEIGHTS_FILE.read_text(encoding="utf-8"), FEATURES), embedding_model)
