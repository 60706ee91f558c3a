"""Combining the dense and the lexical candidate lists into one score per chunk (pure)."""

from __future__ import annotations

# Reciprocal rank fusion's constant, as in Cormack, Clarke & Buettcher (SIGIR 2009): it damps
# the weight of the very first ranks so that one list's top hit cannot dominate the sum.
RRF_K = 60


def minmax(values: dict[str, float]) -> dict[str, float]:
    """Scores scaled to 0..1 (all 1.0 when they are equal)."""
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
                out[cid] = out.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        return out
    d, lx = minmax(dense), minmax(lexical)
    return {
        cid: dense_weight * d.get(cid, 0.0) + (1 - dense_weight) * lx.get(cid, 0.0)
        for cid in set(d) | set(lx)
    }
