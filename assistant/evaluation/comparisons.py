"""Comparison questions measured cell by cell against gold figures (pure functions).

A gold cell names the year's report (``source``) and acceptable answers, or has no source when
the index cannot answer it (a year with no report, a topic the report does not mention). A
cell is a *hit* when it is found, its citation is of the gold report, and its text holds a gold
answer (``measures.holds``); a gold "not found" cell is a hit when the cell says not found. A
cell quoting a document of another year than its own is counted apart (the target is 0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.types import Answer
from assistant.evaluation.measures import holds


@dataclass
class GoldCell:
    item: str
    source: str  # "" when the cell must say not found
    answers: list[str]


@dataclass
class ComparisonQuestion:
    qid: str
    question: str
    lang: str
    cells: list[GoldCell]


def load_comparisons(path: Path) -> list[ComparisonQuestion]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        cells = [GoldCell(str(c["item"]), c.get("source", ""), list(c.get("answers", [])))
                 for c in row["cells"]]  # fmt: skip
        out.append(ComparisonQuestion(row.get("id", f"line{n}"), row["question"],
                                      row.get("lang", "zh"), cells))  # fmt: skip
    return out


def score_question(q: ComparisonQuestion, answer: Answer) -> list[dict[str, Any]]:
    """One record per gold cell: what the answer's cell said, and whether it is a hit."""
    got = {c.item: c for c in (answer.comparison.cells if answer.comparison else [])}
    cites = {c.marker: c for c in answer.citations}
    records = []
    for gold in q.cells:
        cell = got.get(gold.item)
        found = bool(cell and cell.found)
        cited = cites.get(cell.marker) if cell and cell.marker is not None else None
        source = cited.source if cited else ""
        year_of_cited = (cited.date or "")[:4] if cited else ""
        if gold.source:
            hit = found and source == gold.source and holds(cell.text if cell else "", gold.answers)
        else:
            hit = not found
        records.append({
            "qid": q.qid, "item": gold.item, "gold_source": gold.source, "found": found,
            "source": source, "text": cell.text if cell else "(no cell)", "hit": hit,
            "other_year": bool(found and year_of_cited and year_of_cited != gold.item),
            "detected": answer.comparison is not None,
        })  # fmt: skip
    return records


def summarize(records: list[dict[str, Any]], questions: int) -> dict[str, Any]:
    answerable = [r for r in records if r["gold_source"]]
    absent = [r for r in records if not r["gold_source"]]
    return {
        "questions": questions,
        "detected": len({r["qid"] for r in records if r["detected"]}),
        "cells": len(records),
        "cell_hit": round(sum(r["hit"] for r in records) / max(1, len(records)), 4),
        "answerable_cells": len(answerable),
        "answerable_hit": round(sum(r["hit"] for r in answerable) / max(1, len(answerable)), 4),
        "not_found_cells": len(absent),
        "not_found_right": sum(r["hit"] for r in absent),
        "answerable_said_not_found": sum(not r["found"] for r in answerable),
        "other_year_cells": sum(r["other_year"] for r in records),
    }
