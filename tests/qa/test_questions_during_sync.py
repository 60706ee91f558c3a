"""Questions asked while a sync runs see the old or the new state of a document, never an error."""

from __future__ import annotations

import threading

from helpers import copy_reports, make_settings

from assistant import Assistant


def test_questions_during_a_sync(tmp_path, tiny_model, small_corpus) -> None:
    settings = make_settings(tmp_path / "index", tiny_model)
    Assistant(settings).index([small_corpus])
    copy_reports(small_corpus, ("gwr-2021", "gwr-2022"))
    doc = small_corpus / "gwr-2025.txt"
    doc.write_text(doc.read_text("utf-8").replace("4.4万亿元", "4.5万亿元"), "utf-8")
    (small_corpus / "npc-resolution-14-3.txt").unlink()

    errors: list[BaseException] = []
    answers: list[str] = []
    done = threading.Event()

    def asker() -> None:
        reader = Assistant(settings)
        while not done.is_set():
            try:
                a = reader.ask("2025年拟安排地方政府专项债券多少？")
                answers.append(a.text)
                for c in a.citations:
                    assert all(q in c.passage for q in c.quotes)
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=asker) for _ in range(3)]
    for t in threads:
        t.start()
    report = Assistant(settings).index([small_corpus])
    done.set()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert report.updated == ["gwr-2025.txt"] and len(report.added) == 2
    assert len(answers) >= 3
    # Every answer saw the old or the new figure.
    assert all(("4.4万亿元" in t) or ("4.5万亿元" in t) or "未找到" in t for t in answers)
    assert "4.5万亿元" in Assistant(settings).ask("2025年拟安排地方政府专项债券多少？").text
