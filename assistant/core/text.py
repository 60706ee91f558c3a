"""Pure text helpers: sentence boundaries, lexical analyzers (bigrams, jieba words), question
phrasing, years named in a text, and the text a chunk is searched by."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cache
from typing import Any

# A sentence ends after 。！？； (full or half width) or after . ! ? followed by space/end,
# together with any closing quotes or brackets that follow the mark.
_SENT_END = re.compile(r"""(?:[。！？；!?;]|\.(?=\s|$)|…{1,2})[”’"'）)》」』】]*""")

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN_RE = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*%?"
)
# How text becomes terms; bumped when that changes, so saved BM25 indexes are rebuilt.
ANALYZER_VERSION = 2

# English function words (the usual information-retrieval list): never terms.
_EN_STOP = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    shall may might must also etc
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; returns absolute ``(start, end)`` spans.

    Spans are contiguous and cover the whole range: whitespace between sentences is attached
    to the sentence before it, so nothing is lost.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        stop = m.end()
        while stop < end and text[stop] in " \t\r\n\u3000":
            stop += 1
        if stop > pos:
            spans.append((pos, stop))
            pos = stop
    if pos < end:
        spans.append((pos, end))
    return spans


def _raw_tokens(text: str) -> Iterator[str]:
    for m in _TOKEN_RE.finditer(text):
        yield m.group(0)


def bigrams(run: str) -> list[str]:
    """Character bigrams of a run of Chinese characters (a single character stays itself)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


@cache
def _jieba() -> Any:  # pragma: no cover - trivial
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


_JIEBA_DROP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "是",
        "在",
        "等",
        "为",
        "对",
        "把",
        "被",
        "将",
        "要",
        "也",
        "都",
        "而",
        "并",
        "或",
        "之",
        "其",
        "中",
    ]
)


def jieba_words(run: str) -> list[str]:
    """jieba's search-mode words of a Chinese run, without the commonest function words."""
    words = [w for w in _jieba().lcut_for_search(run) if w.strip()]
    return [w for w in words if w not in _JIEBA_DROP] or [run]


@cache
def _stemmer() -> Any:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer: Snowball stemmers, as bm25s

    return Stemmer.Stemmer("english")


@cache
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case English word: "upgrades" → "upgrad"."""
    return str(_stemmer().stemWord(word))


def _analyze(text: str, cjk: Callable[[str], list[str]]) -> list[str]:
    """Terms of ``text``: Chinese runs by ``cjk``; Latin words lower-cased, English stop words
    dropped and stemmed; numbers as they are."""
    out: list[str] = []
    for tok in _raw_tokens(text):
        if CJK_RE.fullmatch(tok):
            out.extend(cjk(tok))
        else:
            low = tok.lower()
            if low in _EN_STOP:
                continue
            out.append(stem(low) if low.isalpha() else low)
    return out


def analyze_bigram(text: str) -> list[str]:
    return _analyze(text, bigrams)


def analyze_jieba(text: str) -> list[str]:
    return _analyze(text, jieba_words)


def analyze_jieba_bigram(text: str) -> list[str]:
    return _analyze(text, lambda run: jieba_words(run) + bigrams(run))


ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "bigram": analyze_bigram,
    "jieba": analyze_jieba,
    "jieba+bigram": analyze_jieba_bigram,
}


# Question phrasing that carries no content: removed from lexical queries so that character
# bigrams do not span it ("哪一年首次提出" → " 首次提出").
_QUESTION_WORDS = re.compile(
    r"请问|有哪些|是哪些|哪一些|哪一年|哪一次|哪一个|哪几|哪些|哪个|哪年|哪次|哪里|哪|"
    r"如何|怎样|怎么样|怎么|为什么|为何|是什么|什么|多少|多大|几个|是否|有没有|能否|"
    r"吗|呢|么|啊|吧|？|\?"
)
_EN_QUESTION = re.compile(
    r"\b(what|which|how|when|where|who|why|does|did|is|are|much|many)\b", re.I
)


# The interrogative itself, where the answer would stand ("则多少分钟内" → 多少).
QUESTION_WORD = re.compile(
    r"多少|几[个家人项条次天年月岁倍名]?|哪[一些个年次里位家]*|什么|何[时地处种]?|谁|怎么|怎样|如何|为什么|为何|是否"
)


def strip_question_words(text: str) -> str:
    """The question without its interrogative phrasing (kept as a space: runs are split)."""
    return _EN_QUESTION.sub(" ", _QUESTION_WORDS.sub(" ", text))


def is_chinese(text: str) -> bool:
    """True when at least a fifth of the letters in ``text`` are Chinese characters."""
    cjk = sum(len(m) for m in CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return cjk > 0 and cjk * 5 >= cjk + latin


YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def years_in(text: str) -> set[str]:
    """Four-digit years (1900-2099) named in ``text``: "2025年", "in 2024"."""
    return set(YEAR_RE.findall(text))


def names_year(title: str, section: str, years: Collection[str]) -> bool:
    """True when a chunk's title or section path names one of ``years`` ("2024年工作回顾")."""
    where = f"{title} {section}"
    return any(y in where for y in years)


def searchable_text(title: str, section: str, text: str) -> str:
    """What is embedded and indexed for a chunk: its title and section path, then its text."""
    head = " > ".join(p for p in (title, section) if p)
    return f"{head}\n{text}" if head else text


_MARKER = re.compile(r"\[\d+\]")


def comparable(text: str) -> str:
    """``text`` as the measures compare it: markers removed, lower case, no punctuation, no
    white space (full-width forms folded to their ASCII twins)."""
    text = unicodedata.normalize("NFKC", _MARKER.sub("", text)).lower()
    return "".join(ch for ch in text if ch.isalnum())


def lcs_length(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (bit-parallel, Hyyrö 2004:
    one pass over ``b`` with ``len(a)``-bit integers)."""
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return 0
    masks: dict[Any, int] = {}
    for i, x in enumerate(a):
        masks[x] = masks.get(x, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for y in b:
        u = v & masks.get(y, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()
