"""The cold-start A/B runs fresh processes from each source tree it is given and prints one row
per tree; a folder that is not a checkout is refused by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from assistant.core.settings import Settings
from benchmarks.cold_start import PARTS

pytestmark = pytest.mark.subprocess


def run(args: list[str], model: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"ASSISTANT_EMBEDDING__MODEL": model} if model else {})}
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.cold_start", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_one_row_per_tree_and_the_parts_of_the_start(
    sample_index: Settings, tmp_path: Path
) -> None:
    copy = tmp_path / "same-tree"
    copy.symlink_to(ROOT, target_is_directory=True)
    done = run(["--rounds", "1", "--parts", "--index", str(sample_index.index_dir), str(ROOT),
                str(copy)], sample_index.embedding.model)  # fmt: skip
    assert done.returncode == 0, done.stderr
    tables = done.stdout.split("\n\n")
    rows = [
        line for line in tables[0].splitlines() if line.startswith((f"| {tmp_path}", f"| {ROOT}"))
    ]
    assert len(rows) == 2
    assert rows[0].endswith("| 1.00× |") and "| 1.00× |" in rows[0][: -len("| 1.00× |")]
    to_answer = float(rows[0].split("|")[2])
    assert 0.1 < to_answer < 60  # seconds: a clock mix-up between the processes would not be
    parts = [line for line in tables[1].splitlines() if line.startswith(f"| {ROOT} |")]
    assert [p.split("|")[2].strip() for p in parts] == list(PARTS)
    seconds = [float(p.split("|")[3]) for p in parts]
    # each part is a real stretch of time (a child clock read before the parent's start, or
    # layers timed in the wrong order, would make one negative); importing Chroma and answering
    # take time on any machine
    assert all(s >= 0 for s in seconds), seconds
    assert seconds[PARTS.index("`import chromadb`")] > 0.05


def test_a_folder_without_the_package_is_refused(tmp_path: Path) -> None:
    done = run(["--rounds", "1", str(tmp_path)])
    assert done.returncode == 2
    assert f"{tmp_path} holds no assistant/ package" in done.stderr
