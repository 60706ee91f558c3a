"""A fresh assistant's first questions: the model is loaded (in a thread, while the store
opens) once, however many questions arrive together, and they get the answers a warm
assistant gives; a new process answering one imports nothing it does not need."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from assistant import Assistant

QUESTIONS = ["2025年国内生产总值增长目标是多少？", "赤字率拟按多少安排？", "人工智能+行动"] * 3


def test_concurrent_first_questions_load_one_model_and_answer_as_a_warm_one(sample_index) -> None:
    warm = Assistant(sample_index)
    want = {q: [h.chunk_id for h in warm.search(q, k=5)] for q in set(QUESTIONS)}
    fresh = Assistant(sample_index)
    got: dict[int, list[str]] = {}
    models: set[int] = set()

    def ask(i: int) -> None:
        got[i] = [h.chunk_id for h in fresh.search(QUESTIONS[i], k=5)]
        models.add(id(fresh.embeddings))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(QUESTIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fresh._warm_up is not None
    fresh._warm_up.join(timeout=60)
    assert not fresh._warm_up.is_alive()
    assert len(models) == 1 and models == {id(fresh.embeddings)}
    assert all(got[i] == want[q] for i, q in enumerate(QUESTIONS))


@pytest.mark.subprocess
def test_a_first_question_imports_neither_langchain_nor_the_ingest_side(sample_index) -> None:
    """A new process answering one question loads only what answering needs (LangChain alone
    is about 0.3 s of a cold start); asking for the model through the public property still
    gives a LangChain ``Embeddings``."""
    code = (
        "import sys, json\n"
        "from assistant import Assistant, Settings\n"
        "a = Assistant(Settings.model_validate_json(sys.argv[1]))\n"
        "answer = a.ask('2025年国内生产总值增长目标是多少？')\n"
        "light = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] == 'langchain_core' or m.startswith('assistant.ingest'))\n"
        "from langchain_core.embeddings import Embeddings\n"
        "print(json.dumps({'light': light, 'cited': bool(answer.citations),\n"
        "                  'langchain': isinstance(a.embeddings, Embeddings)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sample_index.model_dump_json()],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"light": [], "cited": True, "langchain": True}
