"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, metadata filters, fusion."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.lexical import LexicalIndex
from assistant.settings import RetrievalSettings
from assistant.store import ChromaStore
from assistant.textutil import strip_question_words
from assistant.types import Hit, SearchFilters


def date_in_range(date: str, lo: str, hi: str) -> bool:
    """Compare at the precision both sides have: '2025' is within 2025-03-01..2025-12-31."""
    if not (lo or hi):
        return True
    if not date:
        return False
    if lo:
        n = min(len(date), len(lo))
        if date[:n] < lo[:n]:
            return False
    if hi:
        n = min(len(date), len(hi))
        if date[:n] > hi[:n]:
            return False
    return True


def matches(meta: dict[str, Any], f: SearchFilters) -> bool:
    if f.issuer and f.issuer not in str(meta.get("issuer", "")):
        return False
    if f.doc_type and meta.get("doc_type", "") != f.doc_type:
        return False
    if not date_in_range(str(meta.get("date", "")), f.date_from, f.date_to):
        return False
    return not (f.source and not fnmatch.fnmatchcase(str(meta.get("source", "")), f.source))


def chroma_where(f: SearchFilters) -> dict[str, Any] | None:
    """The part of the filters Chroma can apply itself (the rest is checked afterwards)."""
    parts: list[dict[str, Any]] = []
    if f.doc_type:
        parts.append({"doc_type": f.doc_type})
    if f.date_from[:4].isdigit():
        parts.append({"year": {"$gte": int(f.date_from[:4])}})
    if f.date_to[:4].isdigit():
        parts.append({"year": {"$lte": int(f.date_to[:4])}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def question_years(question: str) -> set[str]:
    """Years named in a question ("2025年", "in 2024")."""
    return set(_YEAR.findall(question))


def minmax(values: dict[str, float]) -> dict[str, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    if hi <= lo:
        return dict.fromkeys(values, 1.0)
    return {k: (v - lo) / (hi - lo) for k, v in values.items()}


def fuse(
    dense: dict[str, float], lexical: dict[str, float], method: str, dense_weight: float
) -> dict[str, float]:
    """Combine two ``chunk id -> score`` maps into one (higher is better)."""
    if method == "dense":
        return dict(dense)
    if method == "lexical":
        return dict(lexical)
    if method == "rrf":
        out: dict[str, float] = {}
        for scores in (dense, lexical):
            ranked = sorted(scores, key=lambda c: -scores[c])
            for rank, cid in enumerate(ranked):
                out[cid] = out.get(cid, 0.0) + 1.0 / (60 + rank + 1)
        return out
    d, lx = minmax(dense), minmax(lexical)
    return {
        cid: dense_weight * d.get(cid, 0.0) + (1 - dense_weight) * lx.get(cid, 0.0)
        for cid in set(d) | set(lx)
    }


class HybridRetriever:
    """Searches one collection with the model that built it and the BM25 index beside it."""

    def __init__(
        self,
        store: ChromaStore,
        collection: str,
        lexical: LexicalIndex,
        encode_query: Callable[[str], np.ndarray],
        settings: RetrievalSettings,
    ) -> None:
        self.store = store
        self.collection = collection
        self.lexical = lexical
        self.encode_query = encode_query
        self.settings = settings

    def lexical_query(self, question: str) -> str:
        if not self.settings.strip_question_words:
            return question
        stripped = strip_question_words(question)
        return stripped if stripped.strip() else question

    def _lexical(self, question: str, f: SearchFilters, n: int) -> dict[str, float]:
        scores = self.lexical.scores(self.lexical_query(question))
        if not len(scores):
            return {}
        if not f.is_empty():
            keep = np.array([matches(m, f) for m in self.lexical.metas], dtype=bool)
            scores = np.where(keep, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        return {self.lexical.ids[i]: float(scores[i]) for i in top if scores[i] > 0}

    def _dense(self, question: str, f: SearchFilters, n: int) -> dict[str, float]:
        if not self.lexical.ids:
            return {}
        vector = self.encode_query(question)
        rows = self.store.query(self.collection, vector, n, where=chroma_where(f))
        return {cid: sim for cid, sim, _doc, meta in rows if matches(meta, f)}

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        k = k or self.settings.k
        f = filters or SearchFilters()
        n = max(self.settings.candidates, k)
        method = self.settings.fusion
        lexical = self._lexical(question, f, n) if method != "dense" else {}
        dense = self._dense(question, f, n) if method != "lexical" else {}
        fused = fuse(dense, lexical, method, self.settings.dense_weight)
        years = question_years(question)
        if years and self.settings.year_boost and method in ("weighted", "lexical", "dense"):
            top = max(fused.values(), default=0.0)
            for cid in fused:
                pos = self.lexical.position.get(cid)
                if pos is None:
                    continue
                meta = self.lexical.metas[pos]
                where = f"{meta.get('title', '')} {meta.get('section', '')}"
                if any(y in where for y in years):
                    fused[cid] += self.settings.year_boost * top
        ranked = sorted(fused, key=lambda c: (-fused[c], c))[:k]
        hits = []
        for rank, cid in enumerate(ranked, start=1):
            pos = self.lexical.position.get(cid)
            if pos is None:  # not yet in the BM25 copy: a concurrent sync added it
                continue
            meta = self.lexical.metas[pos]
            hits.append(
                Hit(
                    rank=rank,
                    chunk_id=cid,
                    source=str(meta.get("source", "")),
                    text=self.lexical.docs[pos],
                    score=round(fused[cid], 6),
                    dense_score=dense.get(cid),
                    lexical_score=lexical.get(cid),
                    title=str(meta.get("title", "")),
                    doc_number=str(meta.get("doc_number", "")),
                    issuer=str(meta.get("issuer", "")),
                    date=str(meta.get("date", "")),
                    doc_type=str(meta.get("doc_type", "")),
                    url=str(meta.get("url", "")),
                    section=str(meta.get("section", "")),
                    page=meta.get("page"),
                    page_end=meta.get("page_end"),
                    start=int(meta.get("start", 0)),
                    end=int(meta.get("end", 0)),
                )
            )
        return hits
