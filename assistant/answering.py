"""Extractive answers: the question's best sentences from the retrieved passages, verbatim, each
marked [n]; and the evidence gate that refuses when the passages do not answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexical import LexicalIndex
from assistant.textutil import is_chinese, sentence_spans, strip_question_words
from assistant.types import Answer, Citation, Hit

_YEAR4 = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

NOT_FOUND = {
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


def language_of(question: str) -> str:
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
    hits: list[Hit], weights: dict[str, float], lexical: LexicalIndex, years: set[str] = frozenset()
) -> list[Sentence]:
    """Every sentence of every hit, scored by question-term coverage with a small rank prior;
    passages from a part of a document about the year the question names count more."""
    out: list[Sentence] = []
    for hit in hits:
        prior = 1.0 - 0.04 * (hit.rank - 1)
        if years:
            prior *= 1.2 if _names_year(hit, years) else 0.85
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


def _names_year(hit: Hit, years: set[str]) -> bool:
    return any(y in f"{hit.title} {hit.section}" for y in years)


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
    sentences = score_sentences(hits, weights, lexical, set(_YEAR4.findall(question)))
    evidence = evidence_of(sentences, weights, lexical)
    dense = max((h.dense_score or 0.0 for h in hits), default=0.0)
    enough = evidence >= min_evidence or (lang != "zh" and dense >= min_dense_evidence)
    if not sentences or not enough:
        return Answer(question, NOT_FOUND[lang], [], hits, abstained=True, language=lang,
                      evidence=round(evidence, 4))  # fmt: skip
    ranked = sorted(sentences, key=lambda s: -s.score)
    years = set(_YEAR4.findall(question))
    if years and _names_year(ranked[0].hit, years):
        # The best sentence is about the year asked: other years' sentences would mislead.
        ranked = [s for s in ranked if _names_year(s.hit, years)]
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


def merge_spans(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Verbatim quotes: sentences that follow each other directly (same paragraph) become one."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        gap = text[merged[-1][1] : s] if merged else "x"
        if (
            merged
            and not gap.strip()
            and "\n" not in gap
            and "\n" not in text[merged[-1][0] : e].strip()
        ):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [text[s:e].strip() for s, e in merged]


def citation_for(marker: int, hit: Hit, spans: list[tuple[int, int]]) -> Citation:
    quotes = merge_spans(hit.text, spans)
    return Citation(
        marker=marker,
        chunk_id=hit.chunk_id,
        source=hit.source,
        title=hit.title,
        doc_number=hit.doc_number,
        issuer=hit.issuer,
        date=hit.date,
        section=hit.section,
        page=hit.page,
        quote=" … ".join(quotes),
        passage=hit.text,
        url=hit.url,
        quotes=quotes,
    )


_FOLLOW_MARK = re.compile(
    r"^(那么|那|还有|另外|再问一下|再问|and\s+|what about\s+|how about\s+)", re.I
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_PRONOUN = re.compile(r"(它|其|该|这些|这个|这项|此|那个|they|it|this|that)", re.I)
_TAIL = re.compile(r"(?:[呢吗？?。\s]|是)+$")


def rewrite_followup(question: str, history: list[tuple[str, str]]) -> str:
    """A stand-alone form of a follow-up question, by rule (the extractive mode's rewriter).

    ``history`` holds earlier (stand-alone question, answer) pairs, oldest first. Examples, after
    "2024年赤字率是多少？": "那2025年呢？" → "2025年赤字率是多少？"; "专项债券呢？" →
    "2024年专项债券呢？"; "它比上年提高多少？" → "2024年赤字率 它比上年提高多少？".
    """
    if not history:
        return question
    previous = history[-1][0]
    q = question.strip()
    marked = bool(_FOLLOW_MARK.match(q))
    body = _FOLLOW_MARK.sub("", q).strip()
    prev_year = _YEAR.search(previous)
    year = _YEAR.search(body)
    rest = _TAIL.sub("", _YEAR.sub("", body)).strip()
    if year and prev_year and len(rest) <= 2:
        return re.sub(r"(?:19|20)\d{2}", year.group(1), previous, count=1)
    short = len(body) <= 16
    if not (marked or short or _PRONOUN.search(body)):
        return question
    if _PRONOUN.search(body) or not rest:
        topic = _TAIL.sub("", strip_question_words(previous)).strip()
        return f"{topic} {body}"
    if prev_year and not year:
        return f"{prev_year.group(1)}年{body}"
    return body if marked else question
