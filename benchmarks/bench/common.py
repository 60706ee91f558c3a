"""What the benchmark's parent and its child steps share: paths, the result marker, logging,
and the settings a step runs with."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared/data/gov-work-reports/reports.jsonl"
RESULT = "BENCH-RESULT "


def step_settings(a: dict[str, Any]) -> Settings:
    """The default settings with the step's index folder and model (if it names them)."""
    s = Settings()
    update: dict[str, Any] = {"index_dir": Path(a["index"])} if a.get("index") else {}
    if a.get("model"):
        update["embedding"] = s.embedding.model_copy(update={"model": a["model"]})
    if a.get("chroma_url"):
        update["chroma"] = s.chroma.model_copy(update={"url": a["chroma_url"]})
    return s.model_copy(update=update)


def log(msg: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
