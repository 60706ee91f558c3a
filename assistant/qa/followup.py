"""Follow-up questions made stand-alone by rule ("那2025年呢？" after a question about 2024): the
extractive mode's rewriter (LLM mode asks the chat model first)."""

from __future__ import annotations

import re

from assistant.core.text import strip_question_words

_FOLLOW_MARK = re.compile(
    r"^(那么|那|还有|另外|再问一下|再问|and\s+|what about\s+|how about\s+)", re.I
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_PRONOUN = re.compile(r"(它|其|该|这些|这个|这项|此|那个|they|it|this|that)", re.I)
_TAIL = re.compile(r"(?:[呢吗？?。\s]|是)+$")


def rewrite_followup(question: str, history: list[tuple[str, str]]) -> str:
    """A stand-alone form of a follow-up question, by rule (the extractive mode's rewriter).

    ``history`` holds earlier (stand-alone question, answer) pairs, oldest first. Examples, after
    "2024年赤字率是多少？": "那2025年呢？" → "2025年赤字率是多少？"; "专项债券呢？" →
    "2024年专项债券呢？"; "它比上年提高多少？" → "2024年赤字率 它比上年提高多少？".
    """
    if not history:
        return question
    previous = history[-1][0]
    q = question.strip()
    marked = bool(_FOLLOW_MARK.match(q))
    body = _FOLLOW_MARK.sub("", q).strip()
    prev_year = _YEAR.search(previous)
    year = _YEAR.search(body)
    rest = _TAIL.sub("", _YEAR.sub("", body)).strip()
    if year and prev_year and len(rest) <= 2:
        return re.sub(r"(?:19|20)\d{2}", year.group(1), previous, count=1)
    short = len(body) <= 16
    if not (marked or short or _PRONOUN.search(body)):
        return question
    if _PRONOUN.search(body) or not rest:
        topic = _TAIL.sub("", strip_question_words(previous)).strip()
        return f"{topic} {body}"
    if prev_year and not year:
        return f"{prev_year.group(1)}年{body}"
    return body if marked else question
