"""A segmented BM25 index (issue 17, step 1): a large main segment plus small delta segments
that share collection-wide statistics, deletions as tombstones, and merges — as Lucene and
Tantivy do — so that adding or removing a notice costs its own chunks, not a recomputation of
the whole score matrix.

Each segment is immutable once written: its chunk ids, lengths, postings (term → chunk, term
frequency) and forward lists (chunk → terms, for tombstoning). The index keeps, over live chunks
only, the chunk count, the total length and each term's document frequency, and scores a query
at search time with those global statistics, so the ranking over all segments equals the ranking
of one index built from scratch over the live chunks (the same formula as bm25s's default,
Lucene's: idf = ln(1 + (N − df + 0.5)/(df + 0.5)), tf / (tf + k1·(1 − b + b·len/avglen)), summed
over the query's tokens, repeats counted).

Not yet wired into the sync and the retriever (they still use ``LexicalIndex``).
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Segment:
    """Immutable postings of some chunks. ``terms`` are the segment's own terms, sorted."""

    ids: list[str]
    lengths: np.ndarray  # int32, one per chunk
    terms: list[str]
    ptr: np.ndarray  # int64, postings of terms[i] are docs[ptr[i]:ptr[i+1]]
    docs: np.ndarray  # int32, local chunk index
    tfs: np.ndarray  # int32
    fwd_ptr: np.ndarray  # int64, terms of chunk j are fwd_terms[fwd_ptr[j]:fwd_ptr[j+1]]
    fwd_terms: np.ndarray  # int32, index into ``terms``
    name: str = field(default_factory=lambda: f"seg-{uuid.uuid4().hex[:12]}")
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row = {t: i for i, t in enumerate(self.terms)}

    @classmethod
    def build(cls, ids: Sequence[str], tokens: Sequence[Sequence[str]]) -> Segment:
        """A segment of chunks ``ids`` whose analysed terms are ``tokens`` (vectorised: the
        term / chunk pairs are counted by sorting their packed keys)."""
        n = len(ids)
        lengths = np.array([len(t) for t in tokens], dtype=np.int32)
        flat = [t for toks in tokens for t in toks]
        if not flat:
            empty = np.zeros(0, np.int32)
            return cls(list(ids), lengths, [], np.zeros(1, np.int64), empty, empty,
                       np.zeros(n + 1, np.int64), empty)  # fmt: skip
        vocab, term_of = np.unique(np.array(flat, dtype=str), return_inverse=True)
        terms = vocab.tolist()
        doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, tfs = np.unique(term_of.astype(np.int64) * n + doc_of, return_counts=True)
        pair_term, docs = keys // n, (keys % n).astype(np.int32)
        ptr = np.zeros(len(terms) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(np.bincount(pair_term, minlength=len(terms)))
        # The same pairs ordered by chunk, for the forward lists.
        by_doc = np.lexsort((pair_term, docs))
        fwd_terms = pair_term[by_doc].astype(np.int32)
        fwd_ptr = np.zeros(n + 1, dtype=np.int64)
        fwd_ptr[1:] = np.cumsum(np.bincount(docs, minlength=n))
        return cls(list(ids), lengths, terms, ptr, docs, tfs.astype(np.int32), fwd_ptr,
                   fwd_terms)  # fmt: skip

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        i = self._row.get(term)
        if i is None:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.docs[a:b], self.tfs[a:b]

    def terms_of(self, j: int) -> list[str]:
        a, b = int(self.fwd_ptr[j]), int(self.fwd_ptr[j + 1])
        return [self.terms[i] for i in self.fwd_terms[a:b]]

    def save(self, folder: Path) -> None:
        """Write once as ``NAME.npz`` (+ its ids and terms as JSON), atomically."""
        tmp = folder / f".{self.name}.tmp-{uuid.uuid4().hex[:6]}.npz"
        np.savez(tmp, lengths=self.lengths, ptr=self.ptr, docs=self.docs, tfs=self.tfs,
                 fwd_ptr=self.fwd_ptr, fwd_terms=self.fwd_terms)  # fmt: skip
        words = folder / f".{self.name}.tmp-{uuid.uuid4().hex[:6]}.json"
        words.write_text(json.dumps({"ids": self.ids, "terms": self.terms}, ensure_ascii=False),
                         encoding="utf-8")  # fmt: skip
        os.replace(words, folder / f"{self.name}.json")
        os.replace(tmp, folder / f"{self.name}.npz")

    @classmethod
    def load(cls, folder: Path, name: str) -> Segment:
        arrays = np.load(folder / f"{name}.npz")
        words = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        return cls(words["ids"], arrays["lengths"], words["terms"], arrays["ptr"], arrays["docs"],
                   arrays["tfs"], arrays["fwd_ptr"], arrays["fwd_terms"], name)  # fmt: skip


class SegmentedBM25:
    """BM25 over segments with shared live statistics; see the module doc."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.segments: list[Segment] = []
        self.alive: list[np.ndarray] = []  # bool per chunk of each segment
        self.where: dict[str, tuple[int, int]] = {}  # chunk id → (segment, local index)
        self.df: dict[str, int] = {}
        self.n = 0
        self.total_len = 0

    # -- changes ----------------------------------------------------------------------------
    def add(self, ids: Sequence[str], tokens: Sequence[Sequence[str]]) -> None:
        """Index chunks ``ids`` (an id already indexed is replaced) as one new segment."""
        if len(ids) != len(tokens) or len(set(ids)) != len(ids):
            raise ValueError("ids must be unique and as many as the token lists")
        self.remove([i for i in ids if i in self.where])
        if ids:
            self._attach(Segment.build(ids, tokens))

    def _attach(self, seg: Segment, alive: np.ndarray | None = None) -> None:
        s = len(self.segments)
        live = np.ones(len(seg.ids), dtype=bool) if alive is None else alive
        self.segments.append(seg)
        self.alive.append(live)
        for j in np.flatnonzero(live):
            self.where[seg.ids[j]] = (s, int(j))
        # The segment's live statistics at once: chunks, length, and per term the live chunks
        # holding it.
        self.n += int(live.sum())
        self.total_len += int(seg.lengths[live].sum())
        pair_term = np.repeat(np.arange(len(seg.terms)), np.diff(seg.ptr))
        counts = np.bincount(pair_term[live[seg.docs]], minlength=len(seg.terms))
        for i in np.flatnonzero(counts):
            t = seg.terms[i]
            self.df[t] = self.df.get(t, 0) + int(counts[i])

    def _count(self, seg: Segment, j: int, sign: int) -> None:
        self.n += sign
        self.total_len += sign * int(seg.lengths[j])
        for t in seg.terms_of(j):
            c = self.df.get(t, 0) + sign
            if c:
                self.df[t] = c
            else:
                self.df.pop(t, None)

    def remove(self, ids: Sequence[str]) -> None:
        """Tombstone chunks ``ids`` (unknown ids are ignored)."""
        for cid in ids:
            found = self.where.pop(cid, None)
            if found is None:
                continue
            s, j = found
            self.alive[s][j] = False
            self._count(self.segments[s], j, -1)

    def merge(self, max_segments: int = 1) -> None:
        """Merge the two smallest segments (dropping tombstoned chunks) until at most
        ``max_segments`` remain; with 1, also purge the last segment's tombstones. The live
        statistics do not change."""
        max_segments = max(1, max_segments)
        while len(self.segments) > max_segments:
            order = sorted(range(len(self.segments)), key=lambda s: len(self.segments[s].ids))
            self._merge_segments(order[:2])
        if max_segments == 1 and self.segments and not self.alive[0].all():
            self._merge_segments([0])

    def _merge_segments(self, pick: list[int]) -> None:
        ids: list[str] = []
        tokens: list[list[str]] = []
        for s in pick:
            seg, live = self.segments[s], self.alive[s]
            for j in np.flatnonzero(live):
                ids.append(seg.ids[j])
                tokens.append(self._tokens(seg, int(j)))
        keep = [s for s in range(len(self.segments)) if s not in pick]
        self.segments = [self.segments[s] for s in keep]
        self.alive = [self.alive[s] for s in keep]
        if ids:
            self.segments.append(Segment.build(ids, tokens))
            self.alive.append(np.ones(len(ids), dtype=bool))
        self.where = {
            cid: (s, j)
            for s, (seg, live) in enumerate(zip(self.segments, self.alive, strict=True))
            for j, cid in enumerate(seg.ids) if live[j]
        }  # fmt: skip

    def _tokens(self, seg: Segment, j: int) -> list[str]:
        """The chunk's terms with their frequencies, as a token list."""
        out: list[str] = []
        for t in seg.terms_of(j):
            docs, tfs = seg.postings(t)
            k = int(np.searchsorted(docs, j))
            out.extend([t] * int(tfs[k]))
        return out

    # -- queries ----------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: Sequence[str]) -> dict[str, float]:
        """BM25 score of every live chunk matching a query token (repeats counted)."""
        if not self.n:
            return {}
        avg = self.total_len / self.n
        out: dict[str, float] = {}
        weights: dict[str, float] = {}
        for t in query:
            if t in self.df:
                weights[t] = weights.get(t, 0.0) + self.idf(t)
        for seg, live in zip(self.segments, self.alive, strict=True):
            acc = np.zeros(len(seg.ids), dtype=np.float64)
            for t, w in weights.items():
                docs, tfs = seg.postings(t)
                if not len(docs):
                    continue
                norm = self.k1 * (1 - self.b + self.b * seg.lengths[docs] / avg)
                acc[docs] += w * tfs / (tfs + norm)
            for j in np.flatnonzero((acc > 0) & live):
                out[seg.ids[j]] = float(acc[j])
        return out

    def search(self, query: Sequence[str], k: int = 10) -> list[tuple[str, float]]:
        scored = self.scores(query)
        return sorted(scored.items(), key=lambda x: (-x[1], x[0]))[:k]

    # -- storage ----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the segments not yet on disk, then the manifest (segment names, tombstones)
        atomically: a crash leaves the previous manifest and its segments usable."""
        folder.mkdir(parents=True, exist_ok=True)
        for seg in self.segments:
            if not (folder / f"{seg.name}.npz").is_file():
                seg.save(folder)
        manifest = {
            "k1": self.k1, "b": self.b,
            "segments": [
                {"name": seg.name, "dead": np.flatnonzero(~live).tolist()}
                for seg, live in zip(self.segments, self.alive, strict=True)
            ],
        }  # fmt: skip
        tmp = folder / f".manifest.tmp-{uuid.uuid4().hex[:6]}"
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(tmp, folder / "manifest.json")
        listed = {s.name for s in self.segments}
        for p in folder.iterdir():  # segments merged away, and half-written files
            stem = p.name.split(".")[0]
            if (stem.startswith("seg-") and stem not in listed) or ".tmp-" in p.name:
                p.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path) -> SegmentedBM25:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        index = cls(manifest["k1"], manifest["b"])
        for entry in manifest["segments"]:
            seg = Segment.load(folder, entry["name"])
            live = np.ones(len(seg.ids), dtype=bool)
            live[entry["dead"]] = False
            index._attach(seg, live)
        return index
