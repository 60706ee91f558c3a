"""Evaluation harness: load a questions file, ask every question through a callable (the
``Assistant``), and keep one record per question: the answer, its citations, the passages."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.types import Answer


def load_questions(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{n} is not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not row.get("id") or not row.get("question"):
            raise AssistantError(f"{path}:{n} needs at least 'id' and 'question'")
        rows.append(row)
    return rows


def record(question: dict[str, Any], answer: Answer, latency_ms: float, k: int) -> dict[str, Any]:
    """One output line: the answer, its citations and the retrieved chunks."""
    return {
        "id": question["id"],
        "question": question["question"],
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [
            {
                "marker": c.marker,
                "source": c.source,
                "title": c.title,
                "doc_number": c.doc_number,
                "section": c.section,
                "page": c.page,
                "quote": c.quote,
                "chunk_id": c.chunk_id,
            }
            for c in answer.citations
        ],
        "retrieved": [
            {
                "rank": h.rank,
                "source": h.source,
                "chunk_id": h.chunk_id,
                "score": h.score,
                "text": h.text,
            }
            for h in answer.hits[:k]
        ],
        "latency_ms": round(latency_ms, 2),
    }


def run(
    questions: list[dict[str, Any]],
    ask: Callable[[str], Answer],
    k: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Ask every question; one record each (see ``record``)."""
    out = []
    for n, q in enumerate(questions, start=1):
        t0 = time.perf_counter()
        answer = ask(q["question"])
        out.append(record(q, answer, (time.perf_counter() - t0) * 1000, k))
        if progress:
            progress(n, len(questions))
    return out
