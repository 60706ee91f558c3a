"""Cold start as an A/B: fresh processes answering one question, alternating between source
trees (say a ``git worktree`` of an earlier commit and this checkout), on the same index with
the same interpreter, so that a machine whose speed drifts from minute to minute drifts for
every tree alike. Prints each tree's median, min and max seconds from interpreter start to the
first answer, and its ratio to the first tree's median.

    git worktree add /tmp/prev 57f1600
    .venv/bin/python -m benchmarks.cold_start --index indexes/default /tmp/prev .
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

CODE = (
    "import sys\n"
    "from assistant import Assistant, Settings\n"
    "Assistant(Settings(index_dir=sys.argv[1])).ask(sys.argv[2])\n"
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="source trees (folders holding assistant/)")
    ap.add_argument("--index", type=Path, default=Path("indexes/default"))
    ap.add_argument("--question", default="2013年经济增长预期目标定为多少？")
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args(argv)
    index = str(args.index.resolve())
    for tree in args.trees:
        if not (tree / "assistant" / "__init__.py").is_file():
            ap.error(f"{tree} holds no assistant/ package; give a checkout of this project")
    seconds: dict[Path, list[float]] = {t: [] for t in args.trees}
    for r in range(args.rounds):
        for tree in args.trees:
            t0 = time.perf_counter()
            # The child's working folder comes first on sys.path: it imports that tree's package.
            subprocess.run(
                [sys.executable, "-c", CODE, index, args.question], cwd=tree, check=True,
                capture_output=True,
            )  # fmt: skip
            seconds[tree].append(time.perf_counter() - t0)
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
    base = statistics.median(seconds[args.trees[0]])
    print("| tree | median s | min s | max s | vs first |")
    print("|---|---|---|---|---|")
    for tree, ts in seconds.items():
        m = statistics.median(ts)
        print(f"| {tree} | {m:.2f} | {min(ts):.2f} | {max(ts):.2f} | {m / base:.2f}× |")


if __name__ == "__main__":
    main()
