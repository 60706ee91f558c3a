"""The development-set measures: LCS holding, per-set answer measures, refusals (pure)."""

from __future__ import annotations

import random

from assistant.evaluation.measures import (
    EvalQuestion,
    Outcome,
    answer_measures,
    comparable,
    held_share,
    holds,
    lcs_length,
    refusal_measures,
    title_is_real,
)


def _dp_lcs(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def test_bit_parallel_lcs_equals_the_textbook_table() -> None:
    rng = random.Random(7)
    for _ in range(300):
        a = "".join(rng.choice("甲乙丙丁ab") for _ in range(rng.randint(0, 30)))
        b = "".join(rng.choice("甲乙丙丁ab") for _ in range(rng.randint(0, 80)))
        assert lcs_length(a, b) == _dp_lcs(a, b), (a, b)


def test_comparable_drops_markers_punctuation_space_and_case() -> None:
    assert comparable("免征 增值税，[1] Ａpp！") == "免征增值税app"


def test_a_gold_answer_is_held_at_80_percent_in_order() -> None:
    gold = "至新冠肺炎疫情解除为止"
    assert held_share("证明有效期至新冠肺炎疫情解除为止。[1]", gold) == 1.0
    assert holds("有效期至新冠肺炎疫情解除", [gold])  # 9 of 11 characters
    assert not holds("疫情解除", [gold])
    assert not holds("止为除解情疫炎肺冠新至", [gold])  # the characters, not in order


def _o(qid: str, **kw: object) -> Outcome:
    base = dict(qid=qid, abstained=False, answer="", retrieved_docs=[], retrieved_texts=[],
                cited_docs=[], cited_titles=[], quotes_verbatim=True, latency_ms=10.0)  # fmt: skip
    base.update(kw)
    return Outcome(**base)  # type: ignore[arg-type]


def test_answer_measures_on_two_questions() -> None:
    qs = [
        EvalQuestion("q1", "三必问是哪三问？", ["问清户籍；问清近期出行轨迹"], frozenset({"d1"})),
        EvalQuestion("q2", "何时复工？", ["2月10日"], frozenset({"d2"})),
    ]
    outcomes = {
        "q1": _o("q1", answer="问清户籍；问清近期出行轨迹；问清有无不适症状[1]",
                 retrieved_docs=["d1", "d9"], retrieved_texts=["问清户籍；问清近期出行轨迹"],
                 cited_docs=["d1"], cited_titles=[("d1", "关于做好返岗人员排查的通知")]),
        "q2": _o("q2", answer="企业复工时间另行通知[1]", retrieved_docs=["d9", "d2"],
                 retrieved_texts=["企业复工时间另行通知", "自2月10日起复工"],
                 cited_docs=["d9"], cited_titles=[("d9", "d9")]),
    }  # fmt: skip
    m = answer_measures(qs, outcomes)
    assert (m["recall@1"], m["recall@5"]) == (0.5, 1.0)
    assert m["evidence@5"] == 1.0
    assert m["answer_hit"] == 0.5
    assert m["cites_gold"] == 0.5
    assert m["titles_real"] == 0.5  # "d9" is the file name
    assert m["false_refusals"] == 0.0


def test_refusals_with_withheld_documents() -> None:
    qs = [
        EvalQuestion("a", "x", ["y"], frozenset({"d1"})),
        EvalQuestion("b", "x", ["y"], frozenset({"d2"}), answerable=False),
        EvalQuestion("c", "x", ["y"], frozenset({"d3"}), answerable=False),
    ]
    outcomes = {"a": _o("a", abstained=True), "b": _o("b", abstained=True), "c": _o("c")}
    m = refusal_measures(qs, outcomes)
    assert m == {"must_refuse": 2, "refusal_precision": 0.5, "refusal_recall": 0.5,
                 "false_refusals": 1.0}  # fmt: skip


def test_real_titles() -> None:
    assert title_is_real("5e09fa", "关于阶段性减免企业社会保险费的通知")
    assert not title_is_real("gwr-2024", "gwr-2024")
    assert not title_is_real("gwr-2024", "")
    assert not title_is_real("x", "notes.txt")
