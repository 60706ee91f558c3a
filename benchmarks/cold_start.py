"""Cold start as an A/B: fresh processes answering one question, alternating between source
trees (say a ``git worktree`` of an earlier commit and this checkout), on the same index with
the same interpreter, so that a machine whose speed drifts from minute to minute drifts for
every tree alike. Prints each tree's median, min and max seconds from process start to the first
answer (the child reads the system-wide monotonic clock the parent read before starting it), and
to the process's exit, and the ratio of the medians to the first tree's. With ``--parts`` the
child also times where the start goes (the interpreter, the libraries Chroma and this package
share, this package's own modules, Chroma's import, then opening the index and answering) and a
second table shows each part's median.

    git worktree add /tmp/prev 57f1600
    .venv/bin/python -m benchmarks.cold_start --index indexes/default /tmp/prev .
    .venv/bin/python -m benchmarks.cold_start --parts --index indexes/default .
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

# CLOCK_MONOTONIC is one clock for every process of the machine (POSIX), so the child's
# readings and the parent's start can be subtracted.
NOW = "time.clock_gettime(time.CLOCK_MONOTONIC)"
CODE = (
    "import sys, time\n"
    "from assistant import Assistant, Settings\n"
    "Assistant(Settings(index_dir=sys.argv[1])).ask(sys.argv[2])\n"
    f"print({NOW})\n"
)
# The same, importing in layers and reading the clock after each.
PARTS_CODE = (
    "import time\n"
    f"t = [{NOW}]\n"
    "import json, sys, numpy, pydantic, pydantic_settings\n"
    f"t.append({NOW})\n"
    "from assistant import Assistant, Settings\n"
    f"t.append({NOW})\n"
    "import chromadb\n"
    f"t.append({NOW})\n"
    "Assistant(Settings(index_dir=sys.argv[1])).ask(sys.argv[2])\n"
    f"t.append({NOW})\n"
    "print(json.dumps(t))\n"
)
PARTS = (
    "interpreter start",
    "numpy, pydantic, pydantic-settings (Chroma imports them too)",
    "this package's own modules (`import assistant`)",
    "`import chromadb`",
    "open the index, BM25 and the model (in a thread), first answer",
    "exit (the interpreter's teardown)",
)


def clock() -> float:
    """The clock ``NOW`` reads in a child process, read here."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def one_start(tree: Path, index: str, question: str, parts: bool) -> list[float]:
    """Seconds of each part of one fresh process's start in ``tree`` (``PARTS`` with ``parts``,
    else the time to the answer and then to the exit)."""
    t0 = clock()
    # The child's working folder comes first on sys.path: it imports that tree's package.
    done = subprocess.run(
        [sys.executable, "-c", PARTS_CODE if parts else CODE, index, question], cwd=tree,
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    end = clock()
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    stamps = [t0, *(marks if parts else [marks]), end]
    return [b - a for a, b in itertools.pairwise(stamps)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="source trees (folders holding assistant/)")
    ap.add_argument("--index", type=Path, default=Path("indexes/default"))
    ap.add_argument("--question", default="2013年经济增长预期目标定为多少？")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--parts", action="store_true", help="also time the start's parts")
    args = ap.parse_args(argv)
    index = str(args.index.resolve())
    for tree in args.trees:
        if not (tree / "assistant" / "__init__.py").is_file():
            ap.error(f"{tree} holds no assistant/ package; give a checkout of this project")
    runs: dict[Path, list[list[float]]] = {t: [] for t in args.trees}
    for r in range(args.rounds):
        for tree in args.trees:
            runs[tree].append(one_start(tree, index, args.question, args.parts))
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
    answer = {t: [sum(x[:-1]) for x in xs] for t, xs in runs.items()}
    whole = {t: [sum(x) for x in xs] for t, xs in runs.items()}
    base, base_exit = (statistics.median(d[args.trees[0]]) for d in (answer, whole))
    print("| tree | to the first answer: median s | min s | max s | vs first | to exit: median s "
          "| vs first |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for tree in args.trees:
        a, w = statistics.median(answer[tree]), statistics.median(whole[tree])
        print(f"| {tree} | {a:.2f} | {min(answer[tree]):.2f} | {max(answer[tree]):.2f} "
              f"| {a / base:.2f}× | {w:.2f} | {w / base_exit:.2f}× |")  # fmt: skip
    if args.parts:
        print()
        print("| tree | part of the start | median s |")
        print("|---|---|---|")
        for tree, xs in runs.items():
            for i, label in enumerate(PARTS):
                print(f"| {tree} | {label} | {statistics.median(x[i] for x in xs):.2f} |")


if __name__ == "__main__":
    main()
