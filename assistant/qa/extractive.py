"""Extractive answers: the units of the retrieved passages that answer (a sentence, a whole
enumeration, what a heading says …), scored by the answer model, quoted verbatim and marked [n];
and the gates that refuse when the passages do not answer."""

from __future__ import annotations

from assistant.core.text import (
    comparable,
    is_chinese,
    lcs_length,
    names_year,
    strip_question_words,
    years_in,
)
from assistant.core.types import Answer, Hit, Language, ShortAnswer
from assistant.index.lexical import LexicalIndex
from assistant.qa.answer_model import (
    HAND,
    Candidate,
    Passage,
    Question,
    featurize,
    shipped_model,
)
from assistant.qa.citations import citation_for
from assistant.qa.crosslingual import (
    NOTE,
    Encoder,
    crosslingual_candidates,
    margin,
    other_language,
)
from assistant.qa.injection import addresses_the_assistant
from assistant.qa.linear import LinearModel
from assistant.qa.refusal import refusal_features, shipped_refusal_model
from assistant.qa.short_answer import short_span
from assistant.qa.units import units

NOT_FOUND: dict[Language, str] = {
    "zh": "在已索引的文件中未找到答案。以下是最接近的段落，供参考。",
    "en": "Not found in the indexed documents. The closest passages are listed below.",
}


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


def evidence_of(cands: list[Candidate], weights: dict[str, float], lexical: LexicalIndex) -> float:
    """How well the best unit covers the question's terms: the coverage gate for refusing."""
    return max((c.features[0] for c in cands), default=0.0) if weights else 0.0


def candidates(
    q: Question, hits: list[Hit], lexical: LexicalIndex, model: LinearModel
) -> list[Candidate]:
    """Every unit of every passage, featurized and scored."""
    top = max((h.score for h in hits), default=0.0)
    out: list[Candidate] = []
    for hit in hits:
        if addresses_the_assistant(hit.text):
            continue  # a planted instruction is never an answer
        passage = Passage.of(hit, lexical.terms)
        for unit in units(hit.text, head=hit.start == 0):
            c = Candidate(hit, unit, featurize(q, passage, unit, lexical.terms, top))
            c.p = model.probability(c.features)
            out.append(c)
    return out


def whole_enumeration_first(q: Question, ranked: list[Candidate]) -> list[Candidate]:
    """For a question that asks for several things (哪些, 措施, 步骤 …), a clause that is one
    item of an enumeration gives way to the enumeration holding it, when the model scores that
    at least half as high: "三必问是哪三问？" is answered with all three."""
    if "list" not in q.cues or not ranked or ranked[0].unit.kind != "clause":
        return ranked
    best = ranked[0]
    wholes = [
        c for c in ranked[1:]
        if c.hit.chunk_id == best.hit.chunk_id and c.unit.kind in ("items", "sentence", "list")
        and c.unit.start <= best.unit.start and best.unit.end <= c.unit.end and c.unit.items > 1
        and c.p >= 0.5 * best.p
    ]  # fmt: skip
    if not wholes:
        return ranked
    whole = max(wholes, key=lambda c: c.p)
    return [whole, *(c for c in ranked if c is not whole)]


def _similar(a: str, b: str) -> bool:
    """Near-duplicates: the shorter's characters stand, in order, in the longer (≥ 80 %)."""
    ca, cb = comparable(a), comparable(b)
    if not ca or not cb:
        return False
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    return lcs_length(short, long_) >= 0.8 * len(short)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return (
        a.hit.chunk_id == b.hit.chunk_id and a.unit.start < b.unit.end and b.unit.start < a.unit.end
    )


def choose(
    ranked: list[Candidate], max_units: int, max_chars: int, relative: float
) -> list[Candidate]:
    """The best unit, and more while they score within ``relative`` of it, fit ``max_chars``,
    and neither overlap nor repeat what is chosen."""
    chosen: list[Candidate] = []
    used = 0
    for c in ranked:
        if len(chosen) >= max_units or (chosen and c.p < relative * chosen[0].p):
            break
        if any(_overlaps(c, x) or _similar(c.text, x.text) for x in chosen):
            continue
        if chosen and used + len(c.text) > max_chars:
            continue
        chosen.append(c)
        used += len(c.text)
    return chosen


def extractive_answer(
    question: str,
    hits: list[Hit],
    lexical: LexicalIndex,
    *,
    min_evidence: float,
    min_confidence: float = 0.0,
    min_dense_evidence: float = 1.0,
    max_sentences: int = 2,
    max_chars: int = 300,
    relative_cutoff: float = 0.5,
    min_support: float = 0.0,
    min_support_other: float = 0.0,
    model: LinearModel | None = None,
    refusal_model: LinearModel | None = None,
    embedding_model: str = "",
    encoder: Encoder | None = None,
    min_cross_margin: float = 0.0,
    typical_dense: float | None = None,
    min_cross_lift: float = 0.0,
) -> Answer:
    """Pick the units that answer, keep them verbatim, order them, mark each with [n].
    ``embedding_model`` names the model that gave the hits' dense similarities: the shipped
    models trained with it use them, others do not. With an ``encoder``, a question whose best
    passage is in another language is answered across languages (``crosslingual``);
    ``typical_dense`` is the question's mean similarity to the index, the baseline there."""
    lang = language_of(question)
    weights = question_terms(question, lexical)
    years = years_in(question)
    q = Question.of(question, weights, years)
    cands = candidates(
        q, hits, lexical, model or (shipped_model(embedding_model) if lang == "zh" else HAND)
    )
    evidence = evidence_of(cands, weights, lexical)
    ranked = sorted(cands, key=lambda c: (-c.p, len(c.text)))
    enough = bool(ranked) and evidence >= min_evidence and ranked[0].p >= min_confidence
    confidence = round(ranked[0].p, 4) if ranked else 0.0
    refusal = shipped_refusal_model(embedding_model) if refusal_model is None else refusal_model
    support = 1.0
    if refusal is not None and ranked:
        terms_of = {h.chunk_id: set(lexical.terms(f"{h.title} {h.section} {h.text}")) for h in hits}
        support = round(refusal.probability(refusal_features(q, hits, ranked, terms_of)), 4)
    enough = enough and support >= (min_support if lang == "zh" else min_support_other)
    cross = other_language(question, hits)
    if encoder is not None and cross and hits and hits[0] in cross:
        return _crosslingual_answer(
            q, hits, cross, encoder, lang, evidence, confidence, support, min_cross_margin,
            min_cross_lift, typical_dense,
        )  # fmt: skip
    if lang != "zh" and not enough:
        # Across languages (an English question, Chinese passages) words cannot be compared:
        # the dense similarity of the passages in the other language decides, and only their
        # units may be quoted — never a passage in the question's own language that failed the
        # gates above (a planted "answer: …" sentence).
        other = {h.chunk_id for h in hits if is_chinese(h.text)}
        best = max((h.dense_score or 0.0 for h in hits if h.chunk_id in other), default=0.0)
        if best >= min_dense_evidence:
            enough = True
            ranked = [c for c in ranked if c.hit.chunk_id in other]
    if not ranked or not enough:
        return Answer(question, NOT_FOUND[lang], [], hits, abstained=True, language=lang,
                      evidence=round(evidence, 4), confidence=confidence,
                      support=support)  # fmt: skip
    if years and names_year(ranked[0].hit.title, ranked[0].hit.section, years):
        # The best unit is about the year asked: other years' passages would mislead.
        ranked = [c for c in ranked if names_year(c.hit.title, c.hit.section, years)]
    ranked = whole_enumeration_first(q, ranked)
    chosen = choose(ranked, max_sentences, max_chars, relative_cutoff)
    answer = _compose(question, chosen, hits, lang, evidence)
    answer.confidence, answer.support = confidence, support
    answer.notes += [
        f"not quoted: a passage of {h.source} addresses the assistant instead of the reader"
        for h in hits
        if addresses_the_assistant(h.text)
    ]
    return answer


def _crosslingual_answer(
    q: Question, hits: list[Hit], cross: list[Hit], encoder: Encoder, lang: Language,
    evidence: float, confidence: float, support: float, min_margin: float, min_lift: float,
    typical: float | None,
) -> Answer:  # fmt: skip
    """The unit of the other-language passages the embedding model puts closest to the
    question, when it stands out from the other units by ``min_margin`` and the best passage
    stands out from the question's ``typical`` similarity to the index by ``min_lift``; else a
    refusal."""
    cands = [c for c in crosslingual_candidates(q, cross, encoder)
             if not addresses_the_assistant(c.hit.text)]  # fmt: skip
    lead = round(margin(cands), 4)
    near = max((h.dense_score or 0.0 for h in cross), default=0.0)
    lift = round(near - typical, 4) if typical is not None else None
    if not cands or lead < min_margin or (lift is not None and lift < min_lift):
        return Answer(q.text, NOT_FOUND[lang], [], hits, abstained=True, language=lang,
                      evidence=round(evidence, 4), confidence=confidence, support=support,
                      cross_margin=lead, cross_lift=lift)  # fmt: skip
    answer = _compose(q.text, cands[:1], hits, lang, evidence)
    answer.confidence, answer.support, answer.cross_margin = confidence, support, lead
    answer.cross_lift = lift
    answer.notes.append(NOTE[is_chinese(cands[0].hit.text)])
    return answer


def _compose(
    question: str, chosen: list[Candidate], hits: list[Hit], lang: Language, evidence: float
) -> Answer:
    # Order: passages by their best unit, units by their place in the passage.
    best_of: dict[str, float] = {}
    for c in chosen:
        best_of[c.hit.chunk_id] = max(best_of.get(c.hit.chunk_id, 0.0), c.p)
    chosen = sorted(chosen, key=lambda c: (-best_of[c.hit.chunk_id], c.hit.rank, c.unit.start))
    markers: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    parts: list[str] = []
    for c in chosen:
        n = markers.setdefault(c.hit.chunk_id, len(markers) + 1)
        spans.setdefault(c.hit.chunk_id, []).append((c.unit.start, c.unit.end))
        parts.append(f"{c.text.strip()}[{n}]")
    by_id = {h.chunk_id: h for h in hits}
    citations = [citation_for(n, by_id[cid], spans[cid]) for cid, n in markers.items()]
    text = ("" if lang == "zh" else " ").join(parts)
    short = _short(question, chosen[0], markers) if chosen else None
    return Answer(question, text, citations, hits, language=lang, evidence=round(evidence, 4),
                  short=short)  # fmt: skip


def _short(question: str, first: Candidate, markers: dict[str, int]) -> ShortAnswer | None:
    """The short answer inside the first quoted unit, with its offsets in the answer text
    (which starts with that unit) and in the cited passage."""
    raw = first.text
    lead = len(raw) - len(raw.lstrip())
    unit = raw.strip()
    span = short_span(question, unit)
    if span is None:
        return None
    s, e = span
    at = first.unit.start + lead
    return ShortAnswer(unit[s:e], markers[first.hit.chunk_id], s, e, at + s, at + e)
