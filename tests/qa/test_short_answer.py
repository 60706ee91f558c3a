"""The short answer inside a quoted sentence: where the question word stands."""

from __future__ import annotations

from assistant.qa.short_answer import short_span


def _short(question: str, text: str) -> str | None:
    span = short_span(question, text)
    return text[span[0] : span[1]] if span else None


def test_the_words_around_the_question_word_frame_the_answer() -> None:
    text = "为免影响比赛，若游戏中离的玩家，则4分钟内不得进行配对。"
    assert _short("若游戏中离，则多少分钟内不得进行配对？", text) == "4分钟"


def test_a_figure_the_question_words_stand_next_to() -> None:
    text = "今年发展主要预期目标是：国内生产总值增长5%左右；单位国内生产总值能耗降低2.5%左右。"
    assert _short("国内生产总值增长目标是多少？", text) == "5%"


def test_large_figures_keep_their_magnitude() -> None:
    text = "拟安排地方政府专项债券4.4万亿元、比上年增加5000亿元。"
    assert _short("拟安排地方政府专项债券多少？", text) == "4.4万亿元"


def test_a_date() -> None:
    text = "本通知自2020年2月10日起施行，有效期至疫情解除。"
    assert _short("本通知何时起施行？", text) == "2020年2月10日"


def test_lists_and_ways_get_no_short_answer() -> None:
    text = "企业可通过网上办、掌上办、邮寄办等方式办理。"
    assert _short("企业可以通过哪些方式办理？", text) is None
    assert _short("企业如何办理？", text) is None
