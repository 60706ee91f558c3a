"""A fresh assistant's first questions: the model is loaded (in a thread, while the store
opens) once, however many questions arrive together, and they get the answers a warm
assistant gives."""

from __future__ import annotations

import threading

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
