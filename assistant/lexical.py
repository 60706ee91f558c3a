"""BM25 over Chinese character bigrams and/or jieba words (bm25s), kept beside Chroma.

The index is derived data: it is rebuilt from the Chroma collection whenever its fingerprint
(analyzer, chunk ids) no longer matches, and it is saved atomically (a new folder, then a rename).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.textutil import ANALYZERS


def fingerprint(ids: Iterable[str], analyzer: str, k1: float, b: float) -> str:
    h = hashlib.sha256(f"{analyzer}|{k1}|{b}".encode())
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class LexicalIndex:
    """BM25 over chunk texts; ``search`` returns ``(chunk id, score)`` best first."""

    def __init__(self, ids: list[str], retriever, analyzer: str, fp: str) -> None:
        self.ids = ids
        self._retriever = retriever
        self.analyzer = analyzer
        self.fingerprint = fp
        self._analyze = ANALYZERS[analyzer]
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(
        cls, ids: list[str], texts: list[str], analyzer: str = "bigram", k1: float = 1.2,
        b: float = 0.75,
    ) -> LexicalIndex:  # fmt: skip
        import bm25s

        analyze = ANALYZERS[analyzer]
        fp = fingerprint(ids, analyzer, k1, b)
        if not ids:
            return cls([], None, analyzer, fp)
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index([analyze(t) or ["\u2205"] for t in texts], show_progress=False)
        return cls(list(ids), retriever, analyzer, fp)

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        if self._retriever is None:
            return []
        tokens = [t for t in self._analyze(query) if t in self._vocab]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a new sibling folder, then swap it in; a crash leaves the old or nothing."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(f"{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.mkdir()
        meta = {"ids": self.ids, "analyzer": self.analyzer, "fingerprint": self.fingerprint}
        if self._retriever is not None:
            self._retriever.save(str(tmp / "bm25"))
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when it is missing or unreadable (then rebuild it)."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            retriever = None
            if meta["ids"]:
                import bm25s

                retriever = bm25s.BM25.load(str(folder / "bm25"))
            return cls(meta["ids"], retriever, meta["analyzer"], meta["fingerprint"])
        except (OSError, ValueError, KeyError):
            return None


def clean_stale(parent: Path) -> None:
    """Remove half-written folders left by a crash."""
    if parent.is_dir():
        for p in parent.iterdir():
            if ".tmp-" in p.name or ".old-" in p.name:
                shutil.rmtree(p, ignore_errors=True)
