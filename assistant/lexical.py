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
from typing import Any

import numpy as np

from assistant.textutil import ANALYZERS


def fingerprint(ids: Iterable[str], analyzer: str, k1: float, b: float) -> str:
    h = hashlib.sha256(f"{analyzer}|{k1}|{b}".encode())
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class LexicalIndex:
    """BM25 over chunk texts, with each chunk's stored text and metadata."""

    def __init__(
        self,
        ids: list[str],
        retriever: Any,
        analyzer: str,
        fp: str,
        docs: list[str] | None = None,
        metas: list[dict[str, Any]] | None = None,
        doc_freq: dict[str, int] | None = None,
    ) -> None:
        self.ids = ids
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
        import bm25s

        analyze = ANALYZERS[analyzer]
        fp = fingerprint(ids, analyzer, k1, b)
        if not ids:
            return cls([], None, analyzer, fp, [], [], {})
        tokenized = [analyze(t) or ["\u2205"] for t in texts]
        doc_freq: dict[str, int] = {}
        for toks in tokenized:
            for t in set(toks):
                doc_freq[t] = doc_freq.get(t, 0) + 1
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index(tokenized, show_progress=False)
        return cls(list(ids), retriever, analyzer, fp, docs, metas, doc_freq)

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
        records = {"docs": self.docs, "metas": self.metas, "doc_freq": self.doc_freq}
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
            return cls(
                meta["ids"], retriever, meta["analyzer"], meta["fingerprint"],
                records["docs"], records["metas"], records["doc_freq"],
            )  # fmt: skip
        except Exception:  # missing, half-swapped or unreadable: derived data, rebuild it
            return None


def clean_stale(parent: Path) -> None:
    """Remove half-written folders left by a crash."""
    if parent.is_dir():
        for p in parent.iterdir():
            if ".tmp-" in p.name or ".old-" in p.name:
                shutil.rmtree(p, ignore_errors=True)
