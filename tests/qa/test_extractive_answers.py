"""Extractive answers on real sentences: whole enumerations, no question echoes, no repeats,
short answers whose offsets point at the quoted text, refusals."""

from __future__ import annotations

from helpers import CORPUS

from assistant.core.settings import AnswerSettings
from assistant.core.types import Hit
from assistant.index.lexical import LexicalIndex
from assistant.qa.extractive import extractive_answer

# The 2024 Government Work Report (corpus/gwr-2024.txt) and notices written in its style.
TARGETS = ("今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上，城镇调查失业率"
           "5.5%左右；居民消费价格涨幅3%左右；居民收入增长和经济增长同步；国际收支保持基本平衡；"
           "粮食产量1.3万亿斤以上。")  # fmt: skip
RELIEF = ("天津市出台10条措施支持中小企业渡过难关 近日，天津市出台10条措施支持中小企业渡过难关。"
          "据测算，各项措施涉及财政资金大约50亿元。措施自发布之日起施行。")  # fmt: skip
FILLER = ("关于做好春节期间生活必需品供应工作的通知 各区商务部门要加强市场监测，保障蔬菜、肉蛋奶等"
          "生活必需品供应，严厉打击哄抬物价行为。")  # fmt: skip


def _background() -> list[str]:
    """Paragraphs of the sample corpus, so that term weights are those of a real index."""
    paras = []
    for path in sorted(CORPUS.glob("gwr-20*.txt"))[:4]:
        paras += [p for p in path.read_text("utf-8").split("\n") if len(p) > 40]
    return paras


BACKGROUND = _background()


def _hits(question: str, *passages: tuple[str, str, str]) -> tuple[list[Hit], LexicalIndex]:
    """Hits as the retriever makes them: BM25 scores from an index that also holds the
    background paragraphs, dense similarities as e5 gives related passages."""
    ids = [f"c{i}" for i in range(len(passages))] + [f"b{i}" for i in range(len(BACKGROUND))]
    texts = [f"{title}\n{text}" for _src, title, text in passages] + BACKGROUND
    lexical = LexicalIndex.build(ids, texts, docs=[t for *_, t in passages] + BACKGROUND)
    hits = []
    scores = lexical.scores(question)
    for i, (src, title, text) in enumerate(passages):
        hits.append(Hit(rank=i + 1, chunk_id=ids[i], source=src, text=text, score=1.0 - 0.1 * i,
                        dense_score=0.85 - 0.02 * i, lexical_score=float(scores[i]),
                        title=title, end=len(text)))  # fmt: skip
    return hits, lexical


def _ask(question: str, hits: list[Hit], lexical: LexicalIndex):
    a = AnswerSettings()
    return extractive_answer(
        question, hits, lexical, min_evidence=a.min_evidence, min_confidence=a.min_confidence,
        min_support=a.min_support, min_dense_evidence=a.min_dense_evidence,
        max_sentences=a.max_sentences, max_chars=a.max_chars, relative_cutoff=a.relative_cutoff,
    )  # fmt: skip


def test_an_enumeration_is_answered_whole() -> None:
    question = "今年发展主要预期目标有哪些？"
    hits, lexical = _hits(
        question, ("gwr-2024.txt", "政府工作报告", TARGETS), ("n.txt", "通知", FILLER)
    )
    answer = _ask(question, hits, lexical)
    assert not answer.abstained
    for item in ("国内生产总值增长5%左右", "城镇新增就业1200万人以上", "国际收支保持基本平衡"):
        assert item in answer.text
    assert answer.citations[0].source == "gwr-2024.txt"


def test_the_headline_restating_the_question_is_not_the_answer() -> None:
    question = "天津市支持中小企业渡过难关的措施涉及多少财政资金？"
    hits, lexical = _hits(question, ("tj.txt", "天津市出台10条措施支持中小企业渡过难关", RELIEF),
                          ("n.txt", "通知", FILLER))  # fmt: skip
    answer = _ask(question, hits, lexical)
    assert "50亿元" in answer.text
    assert not answer.text.startswith("天津市出台10条措施")
    assert answer.short is not None and answer.short.text == "大约50亿元"


def test_short_answer_offsets_point_into_the_answer_and_the_passage() -> None:
    question = "天津市支持中小企业渡过难关的措施涉及多少财政资金？"
    hits, lexical = _hits(question, ("tj.txt", "天津市出台10条措施支持中小企业渡过难关", RELIEF))
    answer = _ask(question, hits, lexical)
    short = answer.short
    assert short is not None
    assert answer.text[short.start : short.end] == short.text
    cited = next(c for c in answer.citations if c.marker == short.marker)
    assert cited.passage[short.passage_start : short.passage_end] == short.text


def test_the_same_sentence_from_two_notices_is_quoted_once() -> None:
    a = "答：纳税人可登录後通过选择“我要办税”，进入“对纳税人延期申报核准”，填写并提交申请核准表。"
    b = "答：纳税人可登录后通过选择“我要办税”，进入“对纳税人延期申报核准”，填写并提交申请核准表。"
    question = "纳税人如何办理延期申报核准？"
    hits, lexical = _hits(
        question, ("a.txt", "延期申报问答", a), ("b.txt", "延期申报问答（转载）", b)
    )
    answer = _ask(question, hits, lexical)
    assert answer.text.count("我要办税") == 1


def test_passages_that_do_not_answer_are_refused_with_them_shown() -> None:
    question = "海南省对返岗农民工的交通补贴标准是多少？"
    hits, lexical = _hits(question, ("n.txt", "关于做好春节期间生活必需品供应工作的通知", FILLER))
    hits[0].dense_score = 0.70
    answer = _ask(question, hits, lexical)
    assert answer.abstained and answer.citations == [] and answer.hits == hits
    assert "未找到" in answer.text
