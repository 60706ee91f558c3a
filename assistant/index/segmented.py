"""Segmented BM25 postings: immutable segments over term hashes, scored with collection-wide
live statistics, so adding or removing a notice costs its own chunks.

A ``Segment`` holds some chunks: their ids, document numbers and lengths, and postings keyed by
a stable 64-bit hash of each term (sorted), with forward lists (chunk → term, tf) for merging
and tombstoning. It is written once as one file and read back memory-mapped, so a reader's
memory grows with the postings its queries touch, not with the index. ``Postings`` is a list of
segments plus each segment's tombstones; it scores a query over all of them with the live chunk
count, live average length and live document frequencies, so the ranking equals one index built
from scratch over the live chunks (the same formula as bm25s's default, Lucene's: idf =
ln(1 + (N − df + 0.5)/(df + 0.5)), tf / (tf + k1·(1 − b + b·len/avglen)), summed over the query
tokens, repeats counted).
"""

from __future__ import annotations

import json
import math
import mmap
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_HASH_STEP = 200_000  # tokens hashed per numpy pass (bounds its memory)
_ARRAYS = ("ids", "doc", "lengths", "hashes", "ptr", "docs", "tfs", "fwd_ptr", "fwd_terms")


def term_hashes(tokens: Sequence[str]) -> np.ndarray:
    """A stable 64-bit hash of each token (FNV-1a over its code points, then a finaliser),
    computed with numpy: the same token gives the same hash in every process and segment."""
    out = np.empty(len(tokens), dtype=np.uint64)
    for a in range(0, len(tokens), _HASH_STEP):
        part = np.array(tokens[a : a + _HASH_STEP], dtype=str)
        if part.dtype.itemsize == 0:
            part = part.astype("U1")
        width = part.dtype.itemsize // 4
        codes = part.view(np.uint32).reshape(len(part), width).astype(np.uint64)
        h = np.full(len(part), _FNV_OFFSET, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for col in range(width):
                c = codes[:, col]
                h = np.where(c != 0, (h ^ c) * _FNV_PRIME, h)
            h ^= h >> np.uint64(33)
            h *= np.uint64(0xFF51AFD7ED558CCD)
            h ^= h >> np.uint64(33)
        out[a : a + len(part)] = h
    return out


@dataclass
class Segment:
    """Immutable postings of some chunks; see the module doc. ``hashes`` are sorted."""

    ids: np.ndarray  # bytes (S), the chunk ids, utf-8
    doc: np.ndarray  # int32, the document number of each chunk
    lengths: np.ndarray  # int32, tokens per chunk
    hashes: np.ndarray  # uint64, the segment's terms, sorted
    ptr: np.ndarray  # int64, postings of hashes[i] are docs[ptr[i]:ptr[i+1]]
    docs: np.ndarray  # int32, local chunk index, ascending within a term
    tfs: np.ndarray  # int32
    fwd_ptr: np.ndarray  # int64, the terms of chunk j are fwd_terms[fwd_ptr[j]:fwd_ptr[j+1]]
    fwd_terms: np.ndarray  # int32, index into ``hashes``
    name: str = field(default_factory=lambda: f"seg-{uuid.uuid4().hex[:12]}")

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(
        cls, ids: Sequence[str], tokens: Sequence[Sequence[str]], doc: Sequence[int] | None = None
    ) -> Segment:
        """A segment of chunks ``ids`` whose analysed terms are ``tokens``."""
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        hashes = term_hashes([t for toks in tokens for t in toks])
        chunk = np.repeat(np.arange(len(ids), dtype=np.int64), lengths)
        return cls.from_pairs(ids, hashes, chunk, np.ones(len(hashes), np.int64), lengths, doc)

    @classmethod
    def from_pairs(
        cls, ids: Sequence[str] | np.ndarray, hashes: np.ndarray, chunk: np.ndarray,
        tf: np.ndarray, lengths: np.ndarray, doc: Sequence[int] | np.ndarray | None = None,
    ) -> Segment:  # fmt: skip
        """A segment from (term hash, local chunk, count) triples; repeated pairs add up."""
        n = len(lengths)
        id_array = np.asarray([i.encode() for i in ids] if not isinstance(ids, np.ndarray)
                              else ids, dtype=bytes)  # fmt: skip
        if not len(id_array):
            id_array = np.zeros(0, dtype="S1")
        docs_of = np.zeros(n, np.int32) if doc is None else np.asarray(doc, dtype=np.int32)
        vocab, term_of = np.unique(hashes, return_inverse=True)
        keys = term_of.astype(np.int64) * max(n, 1) + chunk
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], tf[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        tfs = np.add.reduceat(weights, starts) if len(starts) else np.zeros(0, np.int64)
        keys = keys[starts]
        pair_term, docs = keys // max(n, 1), (keys % max(n, 1)).astype(np.int32)
        ptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(np.bincount(pair_term, minlength=len(vocab)))
        by_chunk = np.lexsort((pair_term, docs))
        fwd_ptr = np.zeros(n + 1, dtype=np.int64)
        fwd_ptr[1:] = np.cumsum(np.bincount(docs, minlength=n))
        return cls(id_array, docs_of, np.asarray(lengths, dtype=np.int32), vocab.astype(np.uint64),
                   ptr, docs, tfs.astype(np.int32), fwd_ptr,
                   pair_term[by_chunk].astype(np.int32))  # fmt: skip

    def row(self, h: np.uint64) -> int:
        i = int(np.searchsorted(self.hashes, h))
        return i if i < len(self.hashes) and self.hashes[i] == h else -1

    def postings(self, h: np.uint64) -> tuple[np.ndarray, np.ndarray]:
        i = self.row(h)
        if i < 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.docs[a:b], self.tfs[a:b]

    def triples(self, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term hash, chunk, tf) of the chunks where ``keep`` holds (for merging)."""
        counts = np.diff(self.fwd_ptr)
        chunk = np.repeat(np.arange(len(self), dtype=np.int64), counts)
        sel = keep[chunk]
        term = np.asarray(self.fwd_terms)[sel]
        pair_chunk = chunk[sel]
        # tf of each (chunk, term) pair: the postings are ordered by term, then chunk.
        pair_term = np.repeat(np.arange(len(self.hashes)), np.diff(self.ptr))
        order = np.lexsort((pair_term, np.asarray(self.docs)))  # by chunk, then term
        tf = np.asarray(self.tfs)[order][sel]
        return np.asarray(self.hashes)[term], pair_chunk, tf.astype(np.int64)

    # -- storage ----------------------------------------------------------------------------
    def save(self, folder: Path) -> dict[str, list[int | str]]:
        """Write the segment as ``NAME.bin`` (atomically) and return its layout (array name →
        [offset, length, dtype]), which the index keeps with the segment's name."""
        layout: dict[str, list[int | str]] = {}
        tmp = folder / f".{self.name}.tmp-{uuid.uuid4().hex[:6]}"
        offset = 0
        with open(tmp, "wb") as fh:
            for key in _ARRAYS:
                arr = np.ascontiguousarray(getattr(self, key))
                data = arr.tobytes()
                layout[key] = [offset, len(arr), arr.dtype.str]
                fh.write(data)
                pad = (-len(data)) % 8
                fh.write(b"\0" * pad)
                offset += len(data) + pad
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / f"{self.name}.bin")
        return layout

    @classmethod
    def open(cls, folder: Path, name: str, layout: dict[str, list[int | str]]) -> Segment:
        """The segment ``name`` memory-mapped from ``folder`` (read only)."""
        path = folder / f"{name}.bin"
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            # Plain arrays over one read-only mapping (np.memmap's subclass costs a Python call
            # per slice: a third of a query's time at a million chunks).
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        arrays = {}
        for key in _ARRAYS:
            offset, length, dtype = layout[key]
            dt = np.dtype(str(dtype))
            if int(length) == 0 or mm is None:
                arrays[key] = np.zeros(0, dtype=dt)
            else:
                arrays[key] = np.frombuffer(mm, dtype=dt, count=int(length), offset=int(offset))
        return cls(name=name, **arrays)


def layout_json(layout: dict[str, list[int | str]]) -> str:
    return json.dumps(layout, separators=(",", ":"))


class Postings:
    """BM25 over segments with tombstones and shared live statistics; see the module doc."""

    def __init__(
        self, segments: list[Segment], dead: list[np.ndarray], k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.k1, self.b = k1, b
        self.segments = segments
        self.alive = [~d for d in dead]
        self.offsets = np.zeros(len(segments) + 1, dtype=np.int64)
        self.offsets[1:] = np.cumsum([len(s) for s in segments])
        self.n = int(sum(int(a.sum()) for a in self.alive))
        self.total_len = int(
            sum(
                int(np.asarray(s.lengths)[a].sum())
                for s, a in zip(segments, self.alive, strict=True)
            )
        )
        self._whole = [bool(a.all()) for a in self.alive]
        self._df: dict[int, int] = {}
        self._doc_of: np.ndarray | None = None
        self._norm: np.ndarray | None = None
        self._live: np.ndarray | None = None

    @property
    def slots(self) -> int:
        """Chunks in all segments, tombstoned ones included (the length of ``scores``)."""
        return int(self.offsets[-1])

    def doc_of(self) -> np.ndarray:
        """The document number of every slot (for filters)."""
        if self._doc_of is None:
            parts = [np.asarray(s.doc) for s in self.segments]
            self._doc_of = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        return self._doc_of

    def live(self) -> np.ndarray:
        parts = list(self.alive)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)

    def chunk_id(self, slot: int) -> str:
        s = int(np.searchsorted(self.offsets, slot, side="right")) - 1
        return bytes(self.segments[s].ids[slot - int(self.offsets[s])]).decode()

    def df(self, h: np.uint64) -> int:
        """Live chunks holding the term of hash ``h``."""
        key = int(h)
        got = self._df.get(key)
        if got is None:
            got = 0
            for seg, live, whole in zip(self.segments, self.alive, self._whole, strict=True):
                docs, _ = seg.postings(h)
                got += len(docs) if whole else int(live[docs].sum())
            self._df[key] = got
        return got

    def idf_of(self, h: np.uint64) -> float:
        df = self.df(h)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def _norms(self) -> np.ndarray:
        """``k1·(1 − b + b·len/avglen)`` of every slot, computed once per snapshot."""
        if self._norm is None:
            avg = self.total_len / self.n
            parts = [self.k1 * (1 - self.b + self.b * np.asarray(s.lengths, np.float64) / avg)
                     for s in self.segments]  # fmt: skip
            self._norm = (np.concatenate(parts) if parts else np.zeros(0)).astype(np.float32)
        return self._norm

    def _usable(self, allowed: np.ndarray | None) -> np.ndarray | None:
        """Slots that may be returned (live, and ``allowed``), or None for all of them."""
        if all(self._whole):
            return allowed
        if self._live is None:
            self._live = self.live()
        return self._live if allowed is None else self._live & allowed

    def _weights(self, tokens: Sequence[str]) -> list[tuple[float, int]]:
        """(idf summed over the query's repeats of the term, term hash) of each known term,
        the rarest first (each term's score is below its weight: tf/(tf + norm) < 1)."""
        weights: dict[int, float] = {}
        for h in term_hashes(list(tokens)):
            if self.df(h):
                weights[int(h)] = weights.get(int(h), 0.0) + self.idf_of(h)
        return sorted(((w, key) for key, w in weights.items()), key=lambda x: (-x[0], x[1]))

    def _spans(self, keys: Sequence[int]) -> list[list[tuple[int, int, int]]]:
        """For each term hash: (segment, start, end) of its postings in each segment holding
        it (one lookup per segment for all the terms)."""
        out: list[list[tuple[int, int, int]]] = [[] for _ in keys]
        if not len(keys):
            return out
        want = np.asarray(keys, dtype=np.uint64)
        for s, seg in enumerate(self.segments):
            hashes = seg.hashes
            if not len(hashes):
                continue
            i = np.minimum(np.searchsorted(hashes, want), len(hashes) - 1)
            hit = np.flatnonzero(hashes[i] == want)
            if not len(hit):
                continue
            rows = i[hit]
            starts, ends = seg.ptr[rows].tolist(), seg.ptr[rows + 1].tolist()
            for t, a, b in zip(hit.tolist(), starts, ends, strict=True):
                out[t].append((s, a, b))
        return out

    def _add(
        self, acc: np.ndarray, spans: list[tuple[int, int, int]], w: float,
        only: np.ndarray | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Add a term's BM25 part (its postings at ``spans``) to ``acc``: over the whole
        postings, in one pass over all segments, or, given the sorted slots ``only``, to those
        slots alone (looked up segment by segment, when they are few next to the postings).
        The slots it added to."""
        norms = self._norms()
        if only is None:
            if not spans:
                return np.zeros(0, np.int64)
            segs = self.segments
            docs = np.concatenate([segs[s].docs[a:b] for s, a, b in spans])
            tfs = np.concatenate([segs[s].tfs[a:b] for s, a, b in spans])
            base = np.repeat(self.offsets[[s for s, _, _ in spans]], [b - a for _, a, b in spans])
            at = docs.astype(np.int64) + base
            tf = tfs.astype(np.float32)
            acc[at] += np.float32(w) * tf / (tf + norms[at])
            return at
        parts = []
        for s, a, b in spans:
            seg = self.segments[s]
            docs, tfs = seg.docs[a:b], seg.tfs[a:b]
            lo, hi = int(self.offsets[s]), int(self.offsets[s + 1])
            i, j = np.searchsorted(only, [lo, hi])
            local = only[i:j] - lo
            if not len(local):
                continue
            if len(local) * 16 < len(docs):
                pos = np.minimum(np.searchsorted(docs, local), len(docs) - 1)
                hit = docs[pos] == local
                docs, tfs = local[hit], tfs[pos[hit]]
            at = docs.astype(np.int64) + lo
            tf = tfs.astype(np.float32)
            acc[at] += np.float32(w) * tf / (tf + norms[at])
            parts.append(at)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every slot for the query ``tokens`` (tombstoned slots score 0)."""
        out = np.zeros(self.slots, dtype=np.float32)
        if not self.n or not tokens:
            return out
        terms = self._weights(tokens)
        for (w, _), spans in zip(terms, self._spans([k for _, k in terms]), strict=True):
            self._add(out, spans, w)
        usable = self._usable(None)
        if usable is not None:
            out[~usable] = 0.0
        return out

    def top(
        self, tokens: Sequence[str], n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Slots and exact scores of the live (and ``allowed``) chunks that can be among the
        ``n`` best for ``tokens``: every one scoring at least the ``n``-th best, ties
        included, and maybe some below. Terms are added rarest first; once the weights of
        the terms left sum to less than the ``n``-th best score so far, no chunk outside the
        current candidates can reach the top ``n`` (MaxScore), so the common terms' long
        postings are only looked up for those candidates. Scores equal ``scores``'s."""
        empty = np.zeros(0, np.int64), np.zeros(0, np.float32)
        if not self.n or not tokens or n < 1:
            return empty
        acc = np.zeros(self.slots, dtype=np.float32)
        usable = self._usable(allowed)
        terms = self._weights(tokens)
        rest = float(sum(w for w, _ in terms))  # the most any chunk can still gain
        left = sum(self.df(np.uint64(key)) for _, key in terms)  # postings still to add
        seen = np.zeros(self.slots, dtype=bool)
        touched: list[np.ndarray] = []  # each slot once, in the order first scored
        done = checked = 0
        cand: np.ndarray | None = None
        for (w, key), spans in zip(terms, self._spans([k for _, k in terms]), strict=True):
            # A check costs about the postings added so far: worth it while many are left,
            # and made again only once that work has doubled (so all checks cost ≤ 2× it).
            if cand is None and touched and left > 2 * done and done >= 2 * checked:
                checked = max(done, 1)
                cand = _candidates(acc, np.concatenate(touched), usable, n, rest)
            if cand is None:
                at = self._add(acc, spans, w)
                new = at[~seen[at]]
                seen[new] = True
                touched.append(new)
                done += len(at)
            else:
                self._add(acc, spans, w, cand)
            left -= self.df(np.uint64(key))
            rest -= w
        slots = cand if cand is not None else np.flatnonzero(acc)
        if usable is not None:
            slots = slots[usable[slots]]
        vals = acc[slots]
        keep = vals > 0
        return slots[keep], vals[keep]

    def search(self, tokens: Sequence[str], k: int = 10) -> list[tuple[str, float]]:
        """``(chunk id, score)`` of the ``k`` best live chunks with a positive score."""
        slots, vals = self.top(tokens, k)
        if not len(slots):
            return []
        k = min(k, len(slots))
        best = np.argpartition(-vals, k - 1)[:k]
        return sorted(((self.chunk_id(int(slots[i])), float(vals[i])) for i in best),
                      key=lambda x: (-x[1], x[0]))  # fmt: skip


def _candidates(
    acc: np.ndarray, touched: np.ndarray, usable: np.ndarray | None, n: int, rest: float
) -> np.ndarray | None:
    """The slots that can still reach the ``n``-th best score, given partial scores ``acc``
    (nonzero on ``touched`` alone) and at most ``rest`` more each; None when a slot not
    touched yet still can (a margin covers float rounding)."""
    if usable is not None:
        touched = touched[usable[touched]]
    if len(touched) < n:
        return None
    part = acc[touched]
    theta = float(np.partition(part, len(part) - n)[len(part) - n])
    bound = rest * (1 + 1e-5) + 1e-6
    if bound >= theta:
        return None
    out: np.ndarray = np.sort(touched[part + bound >= theta])  # sorted: ``_add`` looks in it
    return out


def merged(segments: Sequence[Segment], alive: Sequence[np.ndarray]) -> Segment:
    """One segment holding the live chunks of ``segments`` (tombstoned ones dropped)."""
    ids, docs, lengths, hashes, chunks, tfs = [], [], [], [], [], []
    base = 0
    for seg, live in zip(segments, alive, strict=True):
        local = np.cumsum(live) - 1  # new local index of each kept chunk
        h, c, tf = seg.triples(live)
        hashes.append(h)
        chunks.append(local[c] + base)
        tfs.append(tf)
        ids.append(np.asarray(seg.ids)[live])
        docs.append(np.asarray(seg.doc)[live])
        lengths.append(np.asarray(seg.lengths)[live])
        base += int(live.sum())
    return Segment.from_pairs(
        np.concatenate(ids) if ids else np.zeros(0, "S1"),
        np.concatenate(hashes) if hashes else np.zeros(0, np.uint64),
        np.concatenate(chunks) if chunks else np.zeros(0, np.int64),
        np.concatenate(tfs) if tfs else np.zeros(0, np.int64),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
        np.concatenate(docs) if docs else np.zeros(0, np.int32),
    )
