"""Answers across languages: an English question over Chinese passages (or the reverse).

Words cannot be compared across languages, so the units of the passages in the other language
are scored by the embedding model itself — the question as a query against each unit as a
passage (multilingual e5 puts translations close together) — with a small preference for a
unit that holds what the question asks for (a figure, a date: they cross languages as digits).
The quote stays verbatim, in its own language; the answer says so.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.core.text import is_chinese
from assistant.core.types import Hit
from assistant.qa.answer_model import Candidate, Question
from assistant.qa.cues import holds_kind
from assistant.qa.units import units

MAX_UNITS = 64
MAX_UNIT_CHARS = 220
MIN_UNIT_CHARS = 12  # a salutation ("各位代表！") or a bare heading says nothing to quote
CUE_BONUS = 0.01
RANK_PRIOR = 0.02  # the retriever's order still says something: a small prior for rank 1
NOTE = {
    True: "The quoted passage is in Chinese (extractive mode does not translate).",
    False: "The quoted passage is in English (extractive mode does not translate).",
}


class Encoder(Protocol):
    """What is needed of the embedding model."""

    def encode_query(self, text: str) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def other_language(question: str, hits: list[Hit]) -> list[Hit]:
    """The passages, among the first five, written in another language than ``question``."""
    zh = is_chinese(question)
    return [h for h in hits[:5] if is_chinese(h.text) != zh]


def crosslingual_candidates(q: Question, hits: list[Hit], encoder: Encoder) -> list[Candidate]:
    """The units of ``hits`` scored by their similarity to the question (best first): ``p``
    holds the score (similarity, cue bonus, rank prior), ``features[0]`` the similarity."""
    cands: list[Candidate] = []
    for hit in hits:
        for unit in units(hit.text, head=hit.start == 0):
            if unit.kind in ("sentence", "clause", "under_heading") and (
                _content_chars(hit.text[unit.start : unit.end]) >= MIN_UNIT_CHARS
                and unit.end - unit.start <= MAX_UNIT_CHARS
            ):
                cands.append(Candidate(hit, unit))
    cands = cands[:MAX_UNITS]
    if not cands:
        return []
    query = np.asarray(encoder.encode_query(q.text), dtype=np.float32)
    vectors = np.asarray(encoder.encode_passages([c.text for c in cands]), dtype=np.float32)
    sims = vectors @ query
    typed = [k for k in ("figure", "time", "contact") if k in q.cues]
    for c, sim in zip(cands, sims, strict=True):
        bonus = CUE_BONUS if typed and any(holds_kind(c.text, k) for k in typed) else 0.0
        c.features = [float(sim)]
        c.p = float(sim) + bonus + RANK_PRIOR / c.hit.rank
    return sorted(cands, key=lambda c: (-c.p, c.unit.end - c.unit.start))


def _content_chars(text: str) -> int:
    """Letters, digits and Chinese characters in ``text`` (punctuation and spaces left out)."""
    return sum(ch.isalnum() for ch in text)


def margin(ranked: list[Candidate]) -> float:
    """How far the best unit stands above the typical one: a raw cosine says little (e5 puts
    most pairs near 0.8), its lead over the other units says more."""
    if len(ranked) < 2:
        return 0.0
    rest = [c.features[0] for c in ranked[1:]]
    return ranked[0].features[0] - float(np.median(rest))
