"""Development sets: loading the shared format, the withheld documents, the corpus folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core.errors import AssistantError
from assistant.evaluation.devsets import (
    golden_questions,
    load_devset,
    with_withheld,
    withheld_docs,
    write_corpus,
)


def _write(folder: Path, docs: dict[str, str], questions: list[dict], name: str = "dev.jsonl"):
    folder.mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"doc_id": d, "lang": "zh", "text": t}, ensure_ascii=False) + "\n"
                for d, t in docs.items()), "utf-8")  # fmt: skip
    (folder / name).write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), "utf-8"
    )


def test_a_set_with_distractors_and_answer_kinds(tmp_path: Path) -> None:
    _write(tmp_path / "main", {"a": "甲文", "b": "乙文"}, [
        {"qid": "1", "question": "甲？", "answers": ["甲"], "gold_doc_ids": ["a"],
         "answer_kind": "heading"},
        {"qid": "2", "question": "乙？", "answers": ["乙"], "gold_doc_ids": ["b"]},
    ])  # fmt: skip
    _write(tmp_path / "other", {"c": "丙文", "a": "不该覆盖"}, [], "questions.jsonl")
    s = load_devset(tmp_path / "main", [tmp_path / "other"])
    assert s.name == "main"
    assert s.docs == {"a": "甲文", "b": "乙文", "c": "丙文"}
    assert s.own_docs == {"a", "b"}
    assert [q.score_answer for q in s.questions] == [False, True]


def test_withheld_documents_are_the_same_on_every_run(tmp_path: Path) -> None:
    docs = {f"d{i}": f"文{i}" for i in range(40)}
    qs = [{"qid": str(i), "question": "?", "answers": ["x"], "gold_doc_ids": [f"d{i}"]}
          for i in range(40)]  # fmt: skip
    _write(tmp_path / "s", docs, qs)
    s = load_devset(tmp_path / "s")
    held = withheld_docs(s, 0.15)
    assert len(held) == 6 and held == withheld_docs(load_devset(tmp_path / "s"), 0.15)
    after = with_withheld(s.questions, held)
    assert {q.qid for q in after if not q.answerable} == {d[1:] for d in held}


def test_write_corpus_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    assert write_corpus({"a": "甲", "b": "乙"}, folder) == 2
    before = (folder / "a.txt").stat().st_mtime_ns
    (folder / "stray.txt").write_text("x", "utf-8")
    assert write_corpus({"a": "甲", "b": "乙二"}, folder, leave_out=frozenset()) == 1
    assert (folder / "a.txt").stat().st_mtime_ns == before
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]
    write_corpus({"a": "甲", "b": "乙二"}, folder, leave_out=frozenset({"a"}))
    assert sorted(p.name for p in folder.iterdir()) == ["b.txt"]


def test_golden_questions_map_file_names_to_ids(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    rows = [{"id": "g1", "question": "q", "gold_sources": ["gwr-2024.txt"], "answers": ["a"]},
            {"id": "g2", "question": "q", "answerable": False}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    g1, g2 = golden_questions(path)
    assert g1.gold_docs == {"gwr-2024"} and g1.answerable
    assert not g2.answerable


def test_a_folder_that_is_no_set_is_named(tmp_path: Path) -> None:
    with pytest.raises(AssistantError, match=r"nothing.*corpus\.jsonl"):
        load_devset(tmp_path / "nothing")
