"""Extractive answers: the question's best sentences from the retrieved passages, verbatim, each
marked [n]; and the evidence gate that refuses when the passages do not answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.text import (
    is_chinese,
    names_year,
    sentence_spans,
    strip_question_words,
    years_in,
)
from assistant.core.types import Answer, Hit, Language
from assistant.index.lexical import LexicalIndex
from assistant.qa.citations import citation_for

NOT_FOUND: dict[Language, str] = {
    "zh": "在已索引的文件中未找到答案。以下是最接近的段落，供参考。",
    "en": "Not found in the indexed documents. The closest passages are listed below.",
}


@dataclass
class Sentence:
    hit: Hit
    start: int  # offset inside hit.text
    end: int
    score: float

    @property
    def text(self) -> str:
        return self.hit.text[self.start : self.end].strip()


def language_of(question: str) -> Language:
    return "zh" if is_chinese(question) else "en"


def question_terms(question: str, lexical: LexicalIndex) -> dict[str, float]:
    """Distinct content terms of the question with their IDF weights."""
    terms = lexical.terms(strip_question_words(question)) or lexical.terms(question)
    return {t: lexical.idf(t) for t in dict.fromkeys(terms)}


def coverage(text: str, weights: dict[str, float], lexical: LexicalIndex) -> float:
    """Share of the question's IDF mass whose terms occur in ``text`` (0..1)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    present = set(lexical.terms(text))
    return sum(w for t, w in weights.items() if t in present) / total


def score_sentences(
    hits: list[Hit],
    weights: dict[str, float],
    lexical: LexicalIndex,
    years: frozenset[str] | set[str] = frozenset(),
) -> list[Sentence]:
    """Every sentence of every hit, scored by question-term coverage with a small rank prior;
    passages from a part of a document about the year the question names count more."""
    out: list[Sentence] = []
    for hit in hits:
        prior = 1.0 - 0.04 * (hit.rank - 1)
        if years:
            prior *= 1.2 if names_year(hit.title, hit.section, years) else 0.85
        context = coverage(hit.section + " " + hit.title, weights, lexical)
        for s, e in sentence_spans(hit.text):
            # A heading line has no end mark: keep it apart from the sentence after it.
            for line in re.finditer(r"[^\n]+", hit.text[s:e]):
                ls, le = s + line.start(), s + line.end()
                body = hit.text[ls:le].strip()
                if len(body) < 4:
                    continue
                cov = coverage(body, weights, lexical)
                out.append(Sentence(hit, ls, le, (cov + 0.25 * context) * prior))
    return out


def evidence_of(
    sentences: list[Sentence], weights: dict[str, float], lexical: LexicalIndex
) -> float:
    """How well the best passage covers the question: the gate for refusing."""
    best = 0.0
    for s in sentences:
        best = max(best, coverage(s.text, weights, lexical))
    return best


def extractive_answer(
    question: str,
    hits: list[Hit],
    lexical: LexicalIndex,
    *,
    min_evidence: float,
    min_dense_evidence: float = 1.0,
    max_sentences: int = 2,
    max_chars: int = 300,
    relative_cutoff: float = 0.7,
) -> Answer:
    """Pick the sentences that answer, keep them verbatim, order them, mark each with [n]."""
    lang = language_of(question)
    weights = question_terms(question, lexical)
    years = years_in(question)
    sentences = score_sentences(hits, weights, lexical, years)
    evidence = evidence_of(sentences, weights, lexical)
    dense = max((h.dense_score or 0.0 for h in hits), default=0.0)
    enough = evidence >= min_evidence or (lang != "zh" and dense >= min_dense_evidence)
    if not sentences or not enough:
        return Answer(question, NOT_FOUND[lang], [], hits, abstained=True, language=lang,
                      evidence=round(evidence, 4))  # fmt: skip
    ranked = sorted(sentences, key=lambda s: -s.score)
    if years and names_year(ranked[0].hit.title, ranked[0].hit.section, years):
        # The best sentence is about the year asked: other years' sentences would mislead.
        ranked = [s for s in ranked if names_year(s.hit.title, s.hit.section, years)]
    best = ranked[0].score
    chosen: list[Sentence] = []
    used = 0
    for s in ranked:
        if len(chosen) >= max_sentences or s.score < relative_cutoff * best:
            break
        if any(s.text == c.text for c in chosen):
            continue
        if chosen and used + len(s.text) > max_chars:
            continue
        chosen.append(s)
        used += len(s.text)
    # Order: passages by their best sentence, sentences by their place in the passage.
    best_of: dict[str, float] = {}
    for s in chosen:
        best_of[s.hit.chunk_id] = max(best_of.get(s.hit.chunk_id, 0.0), s.score)
    chosen.sort(key=lambda s: (-best_of[s.hit.chunk_id], s.hit.rank, s.start))
    markers: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    parts: list[str] = []
    for s in chosen:
        n = markers.setdefault(s.hit.chunk_id, len(markers) + 1)
        spans.setdefault(s.hit.chunk_id, []).append((s.start, s.end))
        parts.append(f"{s.text}[{n}]")
    by_id = {h.chunk_id: h for h in hits}
    citations = [citation_for(n, by_id[cid], spans[cid]) for cid, n in markers.items()]
    text = ("" if lang == "zh" else " ").join(parts)
    return Answer(question, text, citations, hits, language=lang, evidence=round(evidence, 4))
