"""Metric functions checked against values computed by hand."""

from __future__ import annotations

import pytest

from assistant.evaluation.metrics import f1_recall, lcs_len, percentile, segment, summarize


def test_segment_and_lcs() -> None:
    assert segment("赤字率按3%安排[1]，GDP grew 5.2%.") == [
        "赤",
        "字",
        "率",
        "按",
        "3",
        "安",
        "排",
        "gdp",
        "grew",
        "5",
        "2",
    ]
    assert lcs_len(list("ABCBDAB"), list("BDCABA")) == 4


def test_f1_by_hand() -> None:
    # pred 赤字率拟按3%安排 -> 8 tokens (赤 字 率 拟 按 3 安 排); gold 赤字率3% -> 4 tokens.
    # LCS = 4: precision 4/8, recall 4/4, F1 = 2*0.5*1/(1.5) = 0.6667.
    f1, recall = f1_recall("赤字率拟按3%安排。", ["赤字率3%"])
    assert f1 == pytest.approx(2 / 3) and recall == 1.0
    assert f1_recall("毫不相关", ["赤字率"]) == (0.0, 0.0)
    # The best gold answer counts.
    assert f1_recall("粮食产量", ["产量", "粮食产量"])[0] == 1.0


def test_percentile() -> None:
    assert percentile([10, 20, 30, 40], 0.5) == 25
    assert percentile([10, 20, 30, 40], 0.95) == pytest.approx(38.5)


def _rec(qid, answer, abstained, sources, texts, cited, latency):
    return {
        "id": qid, "question": "", "answer": answer, "abstained": abstained,
        "citations": [{"source": s} for s in cited],
        "retrieved": [{"rank": i + 1, "source": s, "text": t, "chunk_id": f"c{i}", "score": 1.0}
                      for i, (s, t) in enumerate(zip(sources, texts, strict=True))],
        "latency_ms": latency,
    }  # fmt: skip


def test_summary_by_hand() -> None:
    questions = [
        {"id": "a", "question": "", "gold_sources": ["A.txt"], "answers": ["甲乙"]},
        {"id": "b", "question": "", "gold_sources": ["B.txt"], "answers": ["丙丁"]},
        {"id": "c", "question": "", "gold_sources": ["C.txt"], "answers": ["戊己"]},
        {"id": "u", "question": "", "answerable": False},
        {"id": "v", "question": "", "answerable": False},
    ]
    records = [
        # a: gold at rank 1, evidence in top 5, answer exactly the gold, cites A.
        _rec("a", "甲乙[1]", False, ["A.txt", "X.txt"], ["甲乙。", "无"], ["A.txt"], 10),
        # b: gold at rank 2, no evidence text, answer 丙戊 (LCS 1: P=1/2 R=1/2 F1=0.5), cites X.
        _rec("b", "丙戊[1]", False, ["X.txt", "B.txt"], ["无", "无"], ["X.txt"], 20),
        # c: gold never retrieved, abstained (F1 0), so not a hit.
        _rec("c", "未找到", True, ["X.txt"], ["戊己在此"], [], 30),
        _rec("u", "未找到", True, ["X.txt"], ["无"], [], 40),  # correct refusal
        _rec("v", "某句[1]", False, ["X.txt"], ["无"], ["X.txt"], 50),  # missed refusal
    ]
    m = summarize(questions, records)
    assert m["recall@1"] == round(1 / 3, 4)
    assert m["recall@5"] == round(2 / 3, 4)
    assert m["mrr"] == round((1 + 0.5 + 0) / 3, 4)
    assert m["evidence@5"] == round(2 / 3, 4)  # a and c have the gold text in their chunks
    assert m["answer_f1"] == round((1.0 + 0.5 + 0.0) / 3, 4)
    assert m["answer_hit_rate"] == round(1 / 3, 4)
    assert m["cites_gold_source"] == round(1 / 3, 4)
    assert m["refusal_precision"] == 0.5  # refused c and u; only u is unanswerable
    assert m["refusal_recall"] == 0.5  # u refused, v answered
    assert m["latency_ms_p50"] == 30 and m["latency_ms_p95"] == pytest.approx(48)
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (5, 3, 2)
