"""How likely a candidate unit is to be the answer: its features (question-term coverage, what
it adds beyond the question, the kind of content the question asks for, where it stands) and a
logistic model over them, whose weights ship as a small JSON file (``answer_weights.json``,
written by ``benchmarks/train_answer_model.py``). Pure, given the lexical analyzer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from assistant.core.text import (
    QUESTION_WORD,
    comparable,
    lcs_length,
    names_year,
    strip_question_words,
)
from assistant.core.types import Hit
from assistant.qa.cues import CUES, asks, holds_kind
from assistant.qa.linear import LinearModel, pick, read_models
from assistant.qa.units import KINDS, Span, Unit, is_heading, sentences

WEIGHTS_FILE = Path(__file__).with_name("answer_weights.json")

FEATURES: tuple[str, ...] = (
    "coverage", "coverage_with_context", "lead_coverage", "echo", "new_terms", "length",
    "heading", "title_echo", "document_lead", "rank", "relative_score", "dense",
    "rarest_term", "ends_with_colon", "items", "year_match", "year_other",
    "sentence_coverage", "before_coverage", "after_coverage", "character_overlap", "position",
    "is_question", "after_question", "question_in_order", "before_wh_in_order",
    "after_wh_in_order",
    *(f"kind_{k}" for k in KINDS),
    *(f"asks_{c}_holds" for c in CUES),
    *(f"asks_{c}_lacks" for c in CUES),
)  # fmt: skip


@dataclass
class Question:
    """What the scorer needs of the question: its content terms with IDF weights, the kinds of
    answer it asks for, the years it names."""

    text: str
    weights: dict[str, float]
    cues: frozenset[str]
    years: Collection[str] = ()
    rarest: str = ""
    chars: frozenset[str] = frozenset()
    content: str = ""  # the question without its question words, as the measures compare it
    left: str = (
        ""  # what stands before the first question word ("若游戏中离，则" of "…则多少分钟内…")
    )
    right: str = ""  # and after it

    @classmethod
    def of(cls, text: str, weights: dict[str, float], years: Collection[str]) -> Question:
        rarest = max(weights, key=lambda t: weights[t]) if weights else ""
        content = strip_question_words(text)
        m = QUESTION_WORD.search(text)
        left, right = (text[: m.start()], text[m.end() :]) if m else ("", "")
        return cls(text, weights, asks(text), years, rarest, frozenset(_chars(content)),
                   comparable(content), comparable(left), comparable(right))  # fmt: skip


@dataclass
class Candidate:
    """A unit of a retrieved passage with its features and, once scored, its probability."""

    hit: Hit
    unit: Unit
    features: list[float] = field(default_factory=list)
    p: float = 0.0

    @property
    def text(self) -> str:
        return self.hit.text[self.unit.start : self.unit.end]


def _coverage(terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total > 0 else 0.0


def _tight(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


@dataclass
class Passage:
    """A retrieved passage cut into sentences, each with its terms, for context features."""

    hit: Hit
    spans: list[Span]
    terms: list[set[str]]

    @classmethod
    def of(cls, hit: Hit, analyze: Callable[[str], list[str]]) -> Passage:
        spans = sentences(hit.text, head=hit.start == 0)
        return cls(hit, spans, [set(analyze(hit.text[s.start : s.end])) for s in spans])

    def around(self, unit: Unit) -> tuple[set[str], set[str], set[str], bool]:
        """Terms of the sentences holding the unit, of the one before, of the one after, and
        whether the one before asks a question (a Q&A page: the answer follows it)."""
        inside = [i for i, s in enumerate(self.spans) if s.start < unit.end and unit.start < s.end]
        if not inside:
            return set(), set(), set(), False
        first, last = inside[0], inside[-1]
        holding = set().union(*(self.terms[i] for i in inside))
        before = self.terms[first - 1] if first > 0 else set()
        after = self.terms[last + 1] if last + 1 < len(self.terms) else set()
        asked = first > 0 and _is_question(
            self.hit.text[self.spans[first - 1].start : self.spans[first - 1].end]
        )
        return holding, before, after, asked


def _in_order(part: str, text: str) -> float:
    """Share of ``part``'s characters that ``text`` holds in the same order."""
    return lcs_length(part, text) / len(part) if part else 0.0


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("”’\"'）)").endswith(("？", "?"))


def _chars(text: str) -> set[str]:
    return {ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum()}


def featurize(
    q: Question, passage: Passage, unit: Unit, analyze: Callable[[str], list[str]],
    top_score: float,
) -> list[float]:  # fmt: skip
    """The feature vector of ``unit`` of a passage for question ``q`` (in ``FEATURES`` order)."""
    hit = passage.hit
    text = hit.text[unit.start : unit.end]
    terms = set(analyze(text))
    holding, before, after, asked = passage.around(unit)
    lead = hit.text[unit.lead_start : unit.lead_end] if unit.lead_start >= 0 else ""
    lead_terms = set(analyze(lead)) if lead else set()
    context = set(analyze(f"{hit.title} {hit.section}")) | lead_terms
    qterms = set(q.weights)
    echo = len(terms & qterms) / len(terms) if terms else 1.0
    new = len(terms - qterms)
    tight, title = _tight(text), _tight(hit.title)
    tight_text = comparable(text)
    title_echo = bool(title) and (
        tight in title or (len(tight) <= len(title) + 4 and title in tight)
    )
    years_here = names_year(hit.title, hit.section, q.years) or any(y in text for y in q.years)
    out = [
        _coverage(terms, q.weights),
        _coverage(terms | context, q.weights),
        _coverage(lead_terms, q.weights),
        echo,
        math.log1p(new),
        math.log1p(len(text)),
        float(is_heading(text)),
        float(title_echo),
        float(hit.start == 0 and unit.start < 60),
        1.0 / max(hit.rank, 1),
        hit.score / top_score if top_score > 0 else 0.0,
        float(hit.dense_score or 0.0),
        float(bool(q.rarest) and q.rarest in terms),
        float(text.rstrip().endswith(("：", ":"))),
        math.log1p(unit.items - 1),
        float(bool(q.years) and years_here),
        float(bool(q.years) and not years_here),
        _coverage(holding, q.weights),
        _coverage(before, q.weights),
        _coverage(after, q.weights),
        len(_chars(text) & q.chars) / len(q.chars) if q.chars else 0.0,
        unit.start / max(len(hit.text), 1),
        float(_is_question(text)),
        _coverage(before, q.weights) if asked else 0.0,
        _in_order(q.content, tight_text),
        _in_order(q.left, tight_text),
        _in_order(q.right, tight_text),
    ]
    out += [float(unit.kind == k) for k in KINDS]
    holds = {c: holds_kind(text, c) for c in q.cues}
    out += [float(c in q.cues and holds[c]) for c in CUES]
    out += [float(c in q.cues and not holds[c]) for c in CUES]
    return out


# Hand weights (the scorer before the learned one): coverage, some context, a rank prior, and
# the obvious penalties for echoes, headings and list introductions.
_HAND_WEIGHTS = {
    "coverage": 3.0, "coverage_with_context": 0.75, "rank": 0.4, "echo": -0.5,
    "heading": -1.0, "title_echo": -1.0, "ends_with_colon": -0.5,
}  # fmt: skip
HAND = LinearModel(
    weights=tuple(_HAND_WEIGHTS.get(n, 0.0) for n in FEATURES),
    bias=-2.0,
    mean=tuple(0.0 for _ in FEATURES),
    scale=tuple(1.0 for _ in FEATURES),
    names=FEATURES,
)


@cache
def shipped_model(embedding_model: str = "") -> LinearModel:
    """The learned model shipped with the package for ``embedding_model`` (the portable one,
    trained without dense similarities, for any other model; the hand weights when the file
    is absent)."""
    if not WEIGHTS_FILE.is_file():
        return HAND
    return pick(read_models(WEIGHTS_FILE.read_text(encoding="utf-8"), FEATURES), embedding_model)
