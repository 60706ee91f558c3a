"""Two runs of the multi-set table side by side (``make eval-dev``'s ``summary.json`` each):
every quality figure that differs, set by set, and the largest difference; latencies and sizes
are left out. Used to decide whether another embedding backend keeps the default's quality
(issue 18: every figure within 0.005).

    python -m eval.compare_runs BASE/summary.json OTHER/summary.json [--tolerance 0.005]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

# Sizes and timings, not quality: leaf names, and parts of names (latency_ms_p50, …).
SIZES = {"documents", "chunks", "withheld", "questions", "answerable", "must_refuse"}
TIMINGS = ("latency", "seconds", "chars")


def figures(row: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """The quality figures of one set's summary, nested keys joined with dots."""
    out: dict[str, float] = {}
    for key, value in row.items():
        name = prefix + key
        if isinstance(value, dict):
            out.update(figures(value, name + "."))
        elif isinstance(value, int | float) and not (
            key in SIZES or any(x in key for x in TIMINGS)
        ):
            out[name] = float(value)
    return out


def differences(
    base: dict[str, Any], other: dict[str, Any]
) -> dict[str, list[tuple[str, float, float]]]:
    """Per set present in both: (figure, base value, other value) for every figure that moved."""
    out = {}
    for name in base:
        if name not in other:
            continue
        a, b = figures(base[name]), figures(other[name])
        out[name] = [(k, a[k], b[k]) for k in a if k in b and abs(a[k] - b[k]) > 1e-9]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("base", type=Path)
    ap.add_argument("other", type=Path)
    ap.add_argument("--tolerance", type=float, default=0.005)
    args = ap.parse_args()
    base = json.loads(args.base.read_text("utf-8"))
    other = json.loads(args.other.read_text("utf-8"))
    worst = 0.0
    outside = 0
    for name, moved in differences(base, other).items():
        text = "; ".join(f"{k} {a:.3f} → {b:.3f}" for k, a, b in moved) or "identical"
        print(f"{name}: {text}")
        for _, a, b in moved:
            worst = max(worst, abs(a - b))
            outside += abs(a - b) > args.tolerance + 1e-9
    print(f"largest difference {worst:.4f}; {outside} figures outside ±{args.tolerance}")


if __name__ == "__main__":
    main()
