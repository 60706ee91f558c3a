"""The evaluation harness end to end through the eval command: records and summary files."""

from __future__ import annotations

import json

from helpers import cli


def test_eval_command_writes_records_and_summary(tmp_path, settings, small_corpus) -> None:
    from assistant import Assistant

    Assistant(settings).index([small_corpus])
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in [
            {"id": "1", "question": "2025年拟安排地方政府专项债券多少？",
             "gold_sources": ["gwr-2025.txt"], "answers": ["拟安排地方政府专项债券4.4万亿元"]},
            {"id": "2", "question": "比特币挖矿有什么监管要求？", "answerable": False},
        ]),
        encoding="utf-8",
    )  # fmt: skip
    out, summ = tmp_path / "out.jsonl", tmp_path / "sum.json"
    env = {
        "ASSISTANT_EMBEDDING__MODEL": str(settings.embedding.model),
        "ASSISTANT_CHUNKING__TARGET_CHARS": "200",
        "ASSISTANT_CHUNKING__MAX_CHARS": "400",
    }

    proc = cli(["eval", str(qfile), "--index", str(settings.index_dir), "--out", str(out),
                "--summary", str(summ), "--k", "7"], env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "recall@5" in proc.stdout
    records = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == ["1", "2"]
    first = records[0]
    assert set(first) == {
        "id",
        "question",
        "answer",
        "abstained",
        "citations",
        "retrieved",
        "latency_ms",
    }
    assert len(first["retrieved"]) == 7
    assert first["retrieved"][0]["source"] == "gwr-2025.txt"
    assert "4.4万亿元" in first["answer"] and first["citations"][0]["source"] == "gwr-2025.txt"
    assert records[1]["abstained"] is True
    summary = json.loads(summ.read_text())
    assert summary["recall@1"] == 1.0 and summary["refusal_recall"] == 1.0
