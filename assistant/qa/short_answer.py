"""The short answer inside a quoted sentence, for a factoid question (pure): the figure, date,
name or place that stands where the question has its question word.

"若游戏中离，则多少分钟内不得进行配对？" over "…中离的玩家4分钟内不得进行配对…" gives "4分钟":
the words around 多少 in the question are found around the answer in the sentence. When only
one side is found, or the question asks for a kind of content (a figure, a date, a phone
number), the nearest such content is taken. Lists, ways and reasons get no short answer.
"""

from __future__ import annotations

import re

from assistant.qa.cues import asks

_WH = re.compile(
    r"多少|几(?=[\u4e00-\u9fff])|哪一?(?:年|月|天|日|位|个|家|种|座|所|支|国|省|市|部|届|次|场|项|队)|"
    r"哪里|哪儿|何时|何地|何处|什么时候|什么地方|什么|谁|哪"
)
_NO_SHORT = {"list", "how", "why"}
_EDGE = "，。；：、！？,.;:!?（）()《》“”\"' \u3000"
_STOP_RIGHT = re.compile(r"[，。；：、！？,;:!?（(]|\.(?!\d)")
_KIND = {
    "figure": re.compile(
        r"(?:大约|约|近|超过|超|逾|达|共)?\d[\d,.]*\s*(?:%|％|万亿|亿|万|千|百)?\s*(?:元|吨|个|家|人|名|项|条|次|倍|天|户|件|台|辆|套|批|所|亩|公里|米|岁|分钟|小时|年|月|日)?|"
        r"[一二三四五六七八九十百千万两]+[个家人项条次倍天万亿元吨年]"
    ),
    "time": re.compile(
        r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*\d{1,2}[时点:：]\d{0,2})?|"
        r"\d{1,2}\s*月(?:份|底|初|中旬)?"
    ),
    "contact": re.compile(r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|123\d\d|https?://\S+|www\.\S+|\d{10,}"),
}
MAX_SHORT = 40


def _anchor_right(right: str, text: str, after: int) -> tuple[int, int]:
    """(start, length) of the longest prefix of ``right`` found in ``text`` from ``after``."""
    right = right.lstrip(_EDGE)
    for n in range(min(len(right), 12), 1, -1):
        i = text.find(right[:n], after)
        if i >= 0:
            return i, n
    return -1, 0


def _anchor_left(left: str, text: str, before: int) -> int:
    """End offset of the longest suffix of ``left`` found in ``text`` before ``before``."""
    left = left.rstrip(_EDGE)
    for n in range(min(len(left), 12), 1, -1):
        i = text.rfind(left[-n:], 0, before)
        if i >= 0:
            return i + n
    return -1


def _trim(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return (s, e) if 0 < e - s <= MAX_SHORT else None


def short_span(question: str, text: str) -> tuple[int, int] | None:
    """``(start, end)`` of the short answer in ``text``, or None (see the module docstring)."""
    kinds = asks(question)
    if kinds & _NO_SHORT and not kinds & {"figure", "time", "contact"}:
        return None
    m = _WH.search(question)
    if not m:
        return _by_kind(kinds, text, question)
    left, right = question[: m.start()], question[m.end() :].rstrip("？?。 ")
    r_at, _n = _anchor_right(right, text, 0) if right.strip(_EDGE) else (len(text), 0)
    l_end = _anchor_left(left, text, r_at if r_at >= 0 else len(text)) if left.strip(_EDGE) else -1
    typed = kinds & {"figure", "time", "contact"}
    if r_at >= 0 and l_end >= 0 and l_end < r_at:
        if r_at == len(text):  # the question ends with its question word: up to the clause end
            stop = _STOP_RIGHT.search(text, l_end + 1)
            r_at = stop.start() if stop else r_at
        span = _trim(text, l_end, r_at)
        if span and m.group(0) in ("多少", "几"):
            span = _with_measure_word(text, span, right)
        if span and typed:
            # A date or figure inside the frame is the answer: "自2020年2月10日" → the date.
            inner = _by_kind(typed, text, question, span[0], span[1])
            if inner:
                return inner
        if span:
            return span
    if typed and 0 < r_at < len(text):
        # The figure or date next to where the question's words are found.
        near = _by_kind(typed, text, question, max(0, r_at - 25), r_at + 25)
        if near:
            return near
    return _by_kind(typed, text, question)


def _with_measure_word(text: str, span: tuple[int, int], right: str) -> tuple[int, int]:
    """ "4" before "分钟内" when the question asks 多少分钟: the measure word joins the figure."""
    s, e = span
    measure = re.match(r"[\u4e00-\u9fff]{1,2}", right.lstrip(_EDGE))
    if measure and text.startswith(measure.group(0), e):
        return s, e + len(measure.group(0))
    return span


def _by_kind(
    kinds: frozenset[str], text: str, question: str, lo: int = 0, hi: int | None = None
) -> tuple[int, int] | None:
    """The figure, date or number of the asked kind that the question's words stand closest
    to: "国内生产总值增长5%左右" rather than "能耗降低2.5%" for "…增长目标是多少"."""
    qchars = set(question)
    best: tuple[float, int, int] | None = None
    for kind in ("contact", "time", "figure"):
        if kind not in kinds:
            continue
        for m in _KIND[kind].finditer(text):
            if m.start() < lo or (hi is not None and m.end() > hi):
                continue
            if not m.group(0).strip() or m.group(0) in question:
                continue
            before = set(text[max(0, m.start() - 8) : m.start()])
            after = set(text[m.end() : m.end() + 4])
            score = len(before & qchars) + 0.5 * len(after & qchars)
            if best is None or score > best[0]:
                best = (score, m.start(), m.end())
    return _trim(text, best[1], best[2]) if best else None
