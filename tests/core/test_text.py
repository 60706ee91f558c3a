"""Pure text helpers: sentences, lexical analyzers, question words, years, searched text."""

from __future__ import annotations

from assistant.core.text import (
    analyze_bigram,
    analyze_jieba,
    is_chinese,
    names_year,
    searchable_text,
    sentence_spans,
    strip_question_words,
    years_in,
)


def test_sentence_spans_cover_text() -> None:
    text = "第一句。“第二句！”Third one. 最后"
    spans = sentence_spans(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert [text[s:e].strip() for s, e in spans] == ["第一句。", "“第二句！”", "Third one.", "最后"]


def test_lexical_analyzers() -> None:
    assert analyze_bigram("人工智能+ AI") == ["人工", "工智", "智能", "ai"]
    assert "人工智能" in analyze_jieba("推进人工智能+行动")
    assert analyze_bigram("the 5G of 2025 C919 增长5.2%") == ["5g", "2025", "c919", "增长", "5.2%"]


def test_question_words_are_dropped() -> None:
    assert strip_question_words("哪一年首次提出新质生产力？").split() == ["首次提出新质生产力"]
    assert strip_question_words("What is the deficit ratio?").split() == ["the", "deficit", "ratio"]


def test_years_named_in_a_question_and_in_a_section() -> None:
    assert years_in("2025年和2024年的目标，不是12025或2100") == {"2024", "2025"}
    assert names_year("2025年政府工作报告", "一、2024年工作回顾", {"2024"})
    assert not names_year("政府工作报告", "一、工作回顾", {"2024"})


def test_language_and_searched_text() -> None:
    assert is_chinese("2025年GDP增长目标是多少？")
    assert not is_chinese("What is the GDP target for 2025?")
    assert searchable_text("标题", "一、总体要求", "正文。") == "标题 > 一、总体要求\n正文。"
    assert searchable_text("", "", "正文。") == "正文。"


def test_english_words_are_stemmed_and_stop_words_dropped() -> None:
    # Sentences from the MIIT press-release wording the issue quotes and a NY DMV page.
    a = analyze_bigram("The plan upgrades manufacturing and the upgrading of industries")
    b = analyze_bigram("upgrade industry manufactured")
    assert {"upgrad", "industri"} <= set(a) & set(b)
    assert not {"the", "and", "of"} & set(a)
    # Chinese runs are analysed as before (bigrams), beside the English words of a mixed text.
    mixed = analyze_bigram("工业互联网 Internet upgrades")
    assert {"工业", "互联", "联网", "internet", "upgrad"} <= set(mixed)
