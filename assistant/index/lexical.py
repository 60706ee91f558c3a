"""BM25 over Chinese character bigrams and/or jieba words (bm25s), kept beside Chroma.

The index is derived data: it is rebuilt from the Chroma collection whenever its fingerprint
(analyzer, BM25 parameters, chunk ids) no longer matches, and it is saved atomically (a new
folder, then a rename). It also keeps each chunk's text and metadata, so a lexical hit needs no
round trip to Chroma and filters apply to lexical candidates too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.core.text import ANALYZER_VERSION, ANALYZERS

if TYPE_CHECKING:
    import bm25s

EMPTY = "\u2205"  # the term of a chunk with no terms, so that every chunk has one


def _encode(terms_of_text: list[str], terms: list[str], term_ids: dict[str, int]) -> np.ndarray:
    """Term ids of one text, growing the vocabulary with unseen terms."""
    out = np.empty(len(terms_of_text), dtype=np.int32)
    for n, term in enumerate(terms_of_text):
        i = term_ids.get(term)
        if i is None:
            i = term_ids[term] = len(terms)
            terms.append(term)
        out[n] = i
    return out


def fingerprint(ids: Iterable[str], analyzer: str, k1: float, b: float) -> str:
    h = hashlib.sha256(f"{analyzer}|{ANALYZER_VERSION}|{k1}|{b}".encode())
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class LexicalIndex:
    """BM25 over chunk texts, with each chunk's stored text and metadata."""

    def __init__(
        self,
        ids: list[str],
        retriever: bm25s.BM25 | None,
        analyzer: str,
        fp: str,
        docs: list[str] | None = None,
        metas: list[dict[str, Any]] | None = None,
        doc_freq: dict[str, int] | None = None,
        terms: list[str] | None = None,
        tokens: list[np.ndarray] | None = None,
    ) -> None:
        self.ids = ids
        # Every chunk's analysed terms as ids into ``vocabulary``: an update re-analyses only the
        # chunks that changed (None for an index saved without them: it is rebuilt instead).
        self.vocabulary = terms
        self.tokens = tokens
        self._retriever = retriever
        self.analyzer = analyzer
        self.fingerprint = fp
        self.docs = docs if docs is not None else [""] * len(ids)
        self.metas = metas if metas is not None else [{} for _ in ids]
        self.doc_freq = doc_freq or {}
        self.position = {cid: i for i, cid in enumerate(ids)}
        self._analyze = ANALYZERS[analyzer]
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        analyzer: str = "bigram",
        k1: float = 1.2,
        b: float = 0.75,
        docs: list[str] | None = None,
        metas: list[dict[str, Any]] | None = None,
    ) -> LexicalIndex:
        """Index ``texts`` (what is searched); ``docs``/``metas`` are kept for hits."""
        terms: list[str] = []
        term_ids: dict[str, int] = {}
        tokens = [_encode(ANALYZERS[analyzer](t), terms, term_ids) for t in texts]
        docs = docs if docs is not None else [""] * len(ids)
        metas = metas if metas is not None else [{} for _ in ids]
        return cls._assemble(list(ids), tokens, terms, analyzer, k1, b, docs, metas)

    def updated(
        self,
        removed: set[str],
        added: dict[str, tuple[str, str, dict[str, Any]]],
        k1: float,
        b: float,
    ) -> LexicalIndex:
        """A new index without the chunks in ``removed`` and with ``added`` (id -> searched
        text, stored text, metadata) written over; only the added chunks are analysed."""
        if self.tokens is None or self.vocabulary is None:
            raise ValueError("this index was saved without its tokens; rebuild it")
        terms = list(self.vocabulary)
        term_ids = {t: i for i, t in enumerate(terms)}
        keep = [i for i, cid in enumerate(self.ids) if cid not in removed and cid not in added]
        analyze = ANALYZERS[self.analyzer]
        ids = [self.ids[i] for i in keep] + list(added)
        tokens = [self.tokens[i] for i in keep]
        tokens += [_encode(analyze(text), terms, term_ids) for text, _, _ in added.values()]
        docs = [self.docs[i] for i in keep] + [doc for _, doc, _ in added.values()]
        metas = [self.metas[i] for i in keep] + [meta for _, _, meta in added.values()]
        return self._assemble(ids, tokens, terms, self.analyzer, k1, b, docs, metas)

    @classmethod
    def _assemble(
        cls, ids: list[str], tokens: list[np.ndarray], terms: list[str], analyzer: str,
        k1: float, b: float, docs: list[str], metas: list[dict[str, Any]],
    ) -> LexicalIndex:  # fmt: skip
        import bm25s

        fp = fingerprint(ids, analyzer, k1, b)
        if not ids:
            return cls([], None, analyzer, fp, [], [], {}, terms, [])
        if EMPTY not in terms:
            terms.append(EMPTY)
        empty = terms.index(EMPTY)
        lists = [t.tolist() if len(t) else [empty] for t in tokens]
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index((lists, {t: i for i, t in enumerate(terms)}), show_progress=False)
        per_doc = [np.unique(t) for t in tokens if len(t)]
        counts = (
            np.bincount(np.concatenate(per_doc), minlength=len(terms))
            if per_doc
            else np.zeros(0, np.int64)
        )
        doc_freq = {terms[i]: int(c) for i, c in enumerate(counts) if c}
        return cls(ids, retriever, analyzer, fp, docs, metas, doc_freq, terms, tokens)

    def terms(self, text: str) -> list[str]:
        return self._analyze(text)

    def idf(self, term: str) -> float:
        """Inverse document frequency; unseen terms get the largest value."""
        n = max(len(self.ids), 1)
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (in ``self.ids`` order) for ``query``."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in self._analyze(query) if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """``(chunk id, score)`` of the ``k`` best chunks with a positive score."""
        scores = self.scores(query)
        if not len(scores):
            return []
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a new sibling folder, then swap it in; a crash leaves the old or nothing."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(f"{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.mkdir()
        if self._retriever is not None:
            self._retriever.save(str(tmp / "bm25"))
        records: dict[str, Any] = {
            "docs": self.docs,
            "metas": self.metas,
            "doc_freq": self.doc_freq,
            "terms": self.vocabulary,
        }
        if self.tokens is not None:
            lengths = np.array([len(t) for t in self.tokens], dtype=np.int64)
            flat = np.concatenate(self.tokens) if self.tokens else np.zeros(0, np.int32)
            np.save(tmp / "tokens.npy", flat.astype(np.int32))
            np.save(tmp / "lengths.npy", lengths)
        (tmp / "records.json").write_text(json.dumps(records, ensure_ascii=False), "utf-8")
        meta = {"ids": self.ids, "analyzer": self.analyzer, "fingerprint": self.fingerprint}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(folder, old)
        try:
            os.replace(tmp, folder)
        except OSError:
            # Another process or thread put its own copy there first (readers rebuild too);
            # keep theirs: a stale copy is detected by its fingerprint and rebuilt.
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when it is missing or unreadable (then rebuild it)."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            records = json.loads((folder / "records.json").read_text(encoding="utf-8"))
            retriever = None
            if meta["ids"]:
                import bm25s

                retriever = bm25s.BM25.load(str(folder / "bm25"))
            if not len(meta["ids"]) == len(records["docs"]) == len(records["metas"]):
                return None  # read while another writer swapped the folder: rebuild
            tokens = None
            if records.get("terms") is not None and (folder / "tokens.npy").is_file():
                flat = np.load(folder / "tokens.npy")
                lengths = np.load(folder / "lengths.npy")
                if len(lengths) == len(meta["ids"]) and int(lengths.sum()) == len(flat):
                    tokens = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
            return cls(
                meta["ids"], retriever, meta["analyzer"], meta["fingerprint"],
                records["docs"], records["metas"], records["doc_freq"],
                records.get("terms"), tokens,
            )  # fmt: skip
        except Exception:  # missing, half-swapped or unreadable: derived data, rebuild it
            return None


def clean_stale(parent: Path) -> None:
    """Remove half-written folders left by a crash."""
    if parent.is_dir():
        for p in parent.iterdir():
            if ".tmp-" in p.name or ".old-" in p.name:
                shutil.rmtree(p, ignore_errors=True)
