"""Development sets in the shared format: a folder with ``corpus.jsonl`` (``doc_id``, ``lang``,
``text``) and a questions file (``dev.jsonl`` or ``questions.jsonl``: ``qid``, ``question``,
``answers``, ``gold_doc_ids``), optionally with distractor documents from other sets; the
documents written as ``DOC_ID.txt`` into a folder to index (as the sets are measured); and the
deterministic choice of gold documents withheld to measure refusals.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.evaluation.measures import EvalQuestion

QUESTION_FILES = ("dev.jsonl", "questions.jsonl")
# doc2dial marks answers that are fragments or headings: only whole sentences are scored.
SCORED_KINDS = frozenset({"sentence"})


def _jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"cannot read {path} ({exc.strerror}); check the path") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{n} is not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise AssistantError(f"{path}:{n} must hold a JSON object")
        rows.append(row)
    return rows


@dataclass
class DevSet:
    """A set's documents (``doc_id`` → text), the ids of its own (non-distractor) documents,
    and its questions."""

    name: str
    docs: dict[str, str]
    own_docs: frozenset[str]
    questions: list[EvalQuestion]
    skipped: int = 0  # rows whose question is empty


def _corpus(folder: Path) -> dict[str, str]:
    docs: dict[str, str] = {}
    path = folder / "corpus.jsonl"
    for n, row in enumerate(_jsonl(path), start=1):
        doc_id, text = row.get("doc_id"), row.get("text")
        if not isinstance(doc_id, str) or not isinstance(text, str) or not doc_id:
            raise AssistantError(f"{path}:{n} needs 'doc_id' and 'text'")
        if "/" in doc_id or doc_id.startswith("."):
            raise AssistantError(f"{path}:{n}: doc_id {doc_id!r} cannot be a file name")
        docs[doc_id] = text
    return docs


def load_devset(folder: Path, distractors: list[Path] | None = None) -> DevSet:
    """The set in ``folder`` (see the module docstring), with the documents of the
    ``distractors`` folders added to its index."""
    if not (folder / "corpus.jsonl").is_file():
        raise AssistantError(f"{folder} has no corpus.jsonl; name a development-set folder")
    qfile = next((folder / f for f in QUESTION_FILES if (folder / f).is_file()), None)
    if qfile is None:
        raise AssistantError(f"{folder} has neither of {list(QUESTION_FILES)}")
    docs = _corpus(folder)
    own = frozenset(docs)
    for extra in distractors or []:
        for doc_id, text in _corpus(extra).items():
            docs.setdefault(doc_id, text)
    questions = []
    skipped = 0
    for n, row in enumerate(_jsonl(qfile), start=1):
        if not row.get("qid") or "question" not in row:
            raise AssistantError(f"{qfile}:{n} needs 'qid' and 'question'")
        if not str(row["question"]).strip():
            skipped += 1  # the real sets hold a few rows without a question: nothing to ask
            continue
        kind = row.get("answer_kind")
        questions.append(
            EvalQuestion(
                qid=str(row["qid"]),
                question=str(row["question"]),
                answers=[str(a) for a in row.get("answers") or []],
                gold_docs=frozenset(str(d) for d in row.get("gold_doc_ids") or []),
                answerable=bool(row.get("gold_doc_ids")),
                score_answer=kind is None or kind in SCORED_KINDS,
            )
        )
    return DevSet(folder.name, docs, own, questions, skipped)


def golden_questions(path: Path) -> list[EvalQuestion]:
    """The golden set (``id``, ``question``, ``gold_sources`` as file names, ``answers``,
    ``answerable``) in the same form; its gold documents are the file names' stems."""
    out = []
    for n, row in enumerate(_jsonl(path), start=1):
        if not row.get("id") or not row.get("question"):
            raise AssistantError(f"{path}:{n} needs at least 'id' and 'question'")
        gold = frozenset(Path(str(s)).stem for s in row.get("gold_sources") or [])
        answerable = bool(row.get("answerable", bool(gold)))
        out.append(
            EvalQuestion(str(row["id"]), str(row["question"]),
                         [str(a) for a in row.get("answers") or []], gold, answerable)
        )  # fmt: skip
    return out


def withheld_docs(devset: DevSet, share: float) -> frozenset[str]:
    """``share`` of the set's gold documents, chosen by a hash of their ids (the same choice
    on every run and every machine)."""
    gold = sorted(
        {d for q in devset.questions for d in q.gold_docs if d in devset.own_docs},
        key=lambda d: hashlib.sha256(f"withhold:{d}".encode()).hexdigest(),
    )
    return frozenset(gold[: round(share * len(gold))])


def with_withheld(questions: list[EvalQuestion], withheld: frozenset[str]) -> list[EvalQuestion]:
    """The questions as they stand once ``withheld`` is out of the index: those whose gold
    documents are all withheld cannot be answered."""
    return [
        replace(q, answerable=False) if q.gold_docs and q.gold_docs <= withheld else q
        for q in questions
    ]


def write_corpus(
    docs: dict[str, str], folder: Path, leave_out: frozenset[str] = frozenset()
) -> int:
    """``docs`` as ``DOC_ID.txt`` files in ``folder``, without those in ``leave_out``: files
    whose text is already right are not touched (the sync sees them unchanged), files of other
    documents are removed. Returns how many files were written."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{d}.txt": t for d, t in docs.items() if d not in leave_out}
    for path in folder.iterdir():
        if path.is_file() and path.name not in wanted:
            path.unlink()
    written = 0
    for name, text in wanted.items():
        path = folder / name
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.write_bytes(data)
        written += 1
    return written
