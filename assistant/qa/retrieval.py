"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, metadata filters, fusion and
the boost for passages about the year a question names."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.core.settings import RetrievalSettings
from assistant.core.text import is_chinese, names_year, strip_question_words, years_in
from assistant.core.types import Hit, SearchFilters
from assistant.core.validity import (
    DocStatus,
    amended_note,
    facts_from_records,
    resolve,
    status_problem,
    today,
    warning,
)
from assistant.index.lexical import LexicalIndex
from assistant.index.store import ChromaStore
from assistant.qa.filters import chroma_where, matches
from assistant.qa.fusion import fuse

TYPICAL_SAMPLE = 256


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
        self._encode_query = encode_query
        self.settings = settings
        self._vectors: dict[str, np.ndarray] = {}
        self._sample: np.ndarray | None = None
        self._sample_zh = np.zeros(0, dtype=bool)
        self._statuses: dict[str, DocStatus] | None = None
        self._statuses_lock = threading.Lock()  # concurrent first questions resolve once
        self._replaced: tuple[str, set[str]] | None = None

    @property
    def statuses(self) -> dict[str, DocStatus]:
        """Each indexed document's validity, its repeal/amendment references resolved."""
        with self._statuses_lock:
            if self._statuses is None:
                self._statuses = resolve(facts_from_records(self.lexical.document_metas()))
            return self._statuses

    def issuers(self) -> list[str]:
        """The issuing bodies of the indexed documents."""
        return sorted({st.facts.issuer for st in self.statuses.values() if st.facts.issuer})

    def not_in_force(self, on: str) -> set[str]:
        """The sources of documents not in force on ``on``."""
        return {s for s, st in self.statuses.items() if not st.in_force(on)}

    def _replaced_now(self) -> set[str]:
        """The sources repealed or revised today (decided once a day per snapshot, not per
        question: at 10,000 documents it cost 30 ms a search)."""
        on = today()
        if self._replaced is None or self._replaced[0] != on:
            self._replaced = (on, {
                s for s, st in self.statuses.items()
                if status_problem(st, on)[0] in ("repealed", "revised")
            })  # fmt: skip
        return self._replaced[1]

    def encode_query(self, question: str) -> np.ndarray:
        """The question's vector (the last few are kept: answering asks for it again)."""
        vector = self._vectors.get(question)
        if vector is None:
            vector = np.asarray(self._encode_query(question), dtype=np.float32).reshape(-1)
            if len(self._vectors) >= 16:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[question] = vector
        return vector

    def typical_similarity(self, question: str) -> float:
        """The question's mean cosine similarity to a fixed sample of the collection's chunks
        in the other language than the question's (``TYPICAL_SAMPLE`` drawn once; all of them
        when none is in the other language): how near the model puts this question to any
        such passage at all, the baseline a cross-language match is measured against."""
        if self._sample is None:
            ids = self.lexical.sample(TYPICAL_SAMPLE)
            sample = self.store.vectors(self.collection, ids)
            norms = np.linalg.norm(sample, axis=1, keepdims=True) if len(sample) else 1.0
            self._sample = sample / np.maximum(norms, 1e-12)
            recs = self.lexical.records(ids)
            docs = [recs[i][0] if i in recs else "" for i in ids]
            self._sample_zh = np.array([is_chinese(d) for d in docs[: len(sample)]], dtype=bool)
        if not len(self._sample):
            return 0.0
        vector = self.encode_query(question)
        if self._sample.shape[1] != vector.shape[0]:
            return 0.0
        other = self._sample_zh != is_chinese(question)
        rows = self._sample[other] if other.any() else self._sample
        return float(np.mean(rows @ vector) / max(float(np.linalg.norm(vector)), 1e-12))

    def lexical_query(self, question: str) -> str:
        if not self.settings.strip_question_words:
            return question
        stripped = strip_question_words(question)
        return stripped if stripped.strip() else question

    def _lexical(self, question: str, f: SearchFilters, n: int) -> dict[str, float]:
        allowed = None
        if not f.is_empty():
            # Filters are on document metadata: decided once per document, applied per slot.
            out = self._excluded(f)
            keep = {
                d: matches(meta, f) and source not in out
                for d, (source, meta) in self.lexical.documents.items()
            }  # fmt: skip
            allowed = self.lexical.doc_mask(keep)
        slots, scores = self.lexical.top(self.lexical_query(question), n, allowed)
        if not len(slots):
            return {}
        n = min(n, len(slots))
        top = np.argpartition(-scores, n - 1)[:n]
        if len(slots) > n:
            # Chunks tied with the last one taken are chosen by id, not by where they sit in
            # the index: the candidates are a function of the live chunks, however the index
            # was built (segments written in another order give the same ones).
            cut = float(scores[top].min())
            above = np.flatnonzero(scores > cut)
            tied = sorted(self.lexical.slot_ids(slots[scores == cut]))
            ids = self.lexical.slot_ids(slots[above]) + tied[: n - len(above)]
            found = {cid: float(scores[i]) for cid, i in zip(ids[: len(above)], above, strict=True)}
            found.update(dict.fromkeys(ids[len(above) :], cut))
            return found
        return dict(zip(self.lexical.slot_ids(slots), (float(v) for v in scores), strict=True))

    def _dense(self, question: str, f: SearchFilters, n: int) -> dict[str, float]:
        if not self.lexical.count:
            return {}
        vector = self.encode_query(question)
        out = self._excluded(f)
        where = chroma_where(f)
        if out:
            nin = {"source": {"$nin": sorted(out)}}
            where = nin if where is None else {"$and": [*where.get("$and", [where]), nin]}
        if f.is_empty() and not out:  # nothing to check on the records: ids and scores only
            return {cid: sim for cid, sim, _, _ in self.store.query(self.collection, vector, n,
                                                                   records=False)}  # fmt: skip
        rows = self.store.query(self.collection, vector, n, where=where)
        return {
            cid: sim for cid, sim, _doc, meta in rows
            if matches(meta, f) and meta.get("source") not in out
        }  # fmt: skip

    def _excluded(self, f: SearchFilters) -> set[str]:
        on = f.validity_date()
        return self.not_in_force(on) if on else set()

    def _boost_years(
        self, fused: dict[str, float], years: set[str], recs: dict[str, tuple[str, dict[str, Any]]]
    ) -> None:
        """Chunks whose title or section names a year of the question gain a share of the top."""
        top = max(fused.values(), default=0.0)
        for cid in fused:
            meta = recs[cid][1] if cid in recs else None
            if meta is not None and names_year(
                str(meta.get("title", "")), str(meta.get("section", "")), years
            ):
                fused[cid] += self.settings.year_boost * top

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The ``k`` best chunks for ``question`` under ``filters``, ranked 1..k."""
        k = k or self.settings.k
        f = filters or SearchFilters()
        n = max(self.settings.candidates, k)
        method = self.settings.fusion
        lexical = self._lexical(question, f, n) if method != "dense" else {}
        dense = self._dense(question, f, n) if method != "lexical" else {}
        weight = (
            self.settings.dense_weight if is_chinese(question) else self.settings.dense_weight_other
        )
        fused = fuse(dense, lexical, method, weight)
        recs = self.lexical.records(list(fused))
        years = years_in(question)
        if years and self.settings.year_boost and method in ("weighted", "lexical", "dense"):
            self._boost_years(fused, years, recs)
        if not f.validity_date() and self.settings.superseded_weight < 1:
            replaced = self._replaced_now()
            for cid in fused if replaced else ():
                if cid in recs and recs[cid][1].get("source") in replaced:
                    fused[cid] *= self.settings.superseded_weight
        # A chunk not in the lexical copy (a concurrent sync added or removed it) is skipped
        # before the ranks are numbered, so ranks run 1..k without gaps.
        ranked = [c for c in sorted(fused, key=lambda c: (-fused[c], c)) if c in recs]
        hits = []
        for rank, cid in enumerate(ranked[:k], start=1):
            text, meta = recs[cid]
            hits.append(_hit(rank, cid, text, meta, fused[cid], dense.get(cid), lexical.get(cid)))
        self.annotate(hits, f.validity_date() or today(), "zh" if is_chinese(question) else "en")
        return hits

    def annotate(self, hits: list[Hit], on: str, lang: str = "zh") -> None:
        """Mark each hit in force or not on ``on``, with the warning (and amendments) to show."""
        for hit in hits:
            st = self.statuses.get(hit.source)
            if st is None:
                continue
            hit.in_force = st.in_force(on)
            notes = [n for n in (warning(st, on, lang), amended_note(st, on, lang)) if n]
            hit.validity_note = "；".join(notes) if lang == "zh" else "; ".join(notes)


def _hit(
    rank: int, cid: str, text: str, meta: dict[str, Any], score: float,
    dense: float | None, lexical: float | None,
) -> Hit:  # fmt: skip
    return Hit(
        rank=rank,
        chunk_id=cid,
        source=str(meta.get("source", "")),
        text=text,
        score=round(score, 6),
        dense_score=dense,
        lexical_score=lexical,
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
        ocr=bool(meta.get("ocr", False)),
    )
