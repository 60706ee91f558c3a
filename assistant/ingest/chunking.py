"""Structure-aware chunking of Chinese official documents (pure functions, no I/O).

Documents are split at headings (第X编/章/节/条, 一、, （一）, 1., （1）, Markdown #), then at
paragraphs, then at sentences, into chunks of about ``target_chars``. A chunk never crosses a
heading and never ends inside a sentence unless that one sentence is longer than ``max_chars``.
Every chunk is a contiguous slice of the document: ``text[chunk.start:chunk.end] == chunk.text``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.core.text import CJK_RE as CJK_RUN
from assistant.core.text import searchable_text, sentence_spans
from assistant.core.types import Chunk

_NUM = "一二三四五六七八九十百千零〇两"
# (level, pattern); a lower level is a larger part of the document.
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第[{_NUM}\d]+编")),
    (1, re.compile(rf"^第[{_NUM}\d]+章")),
    (2, re.compile(rf"^第[{_NUM}\d]+节")),
    (3, re.compile(rf"^第[{_NUM}\d]+条")),
    (4, re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    (5, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    (6, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (7, re.compile(r"^[（(]\d{1,2}[）)]")),
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+\S")
_TITLE_END = re.compile(r"[。；！？：:]|[ \t\u00a0\u3000]")
MAX_TITLE_CHARS = 60


@dataclass(frozen=True)
class Heading:
    level: float
    title: str


def heading_of(line: str) -> Heading | None:
    """The heading a paragraph starts with, if any, with its level and its title text."""
    md = _MD_HEADING.match(line)
    if md:
        return Heading(len(md.group(1)) - 1.5, line[len(md.group(1)) :].strip()[:MAX_TITLE_CHARS])
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        if level == 3:
            # 第X条: the article number is the section; the article text is its content.
            return Heading(level, m.group(0))
        body = m.end() + len(line[m.end() :]) - len(line[m.end() :].lstrip())
        end = _TITLE_END.search(line, body)
        title = line[: end.start()] if end else line
        return Heading(level, title.strip()[:MAX_TITLE_CHARS])
    return None


# Flattened text (web pages and PDF extracts whose line breaks became spaces): a run of spaces
# after a Chinese sentence end, or before a Chinese heading marker, was a paragraph break.
_INLINE_BREAK = re.compile(
    r"[。！？；：][”’」』）)]?[ \t\u00a0\u2002\u2003\u3000]+"
    r"|[ \t\u00a0\u2002\u2003\u3000]+"
    rf"(?=[{_NUM}]{{1,3}}、|[（(][{_NUM}]{{1,3}}[）)]|第[{_NUM}\d]+[章节条])"
)
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u3000]+")
_CJK_STOP = re.compile(r"[。：]")
HEAD_SPLIT_CHARS = 300


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\u3000\ufeff\u00a0\u2002\u2003":
        s += 1
    while e > s and text[e - 1] in " \t\r\u3000\u00a0\u2002\u2003":
        e -= 1
    return s, e


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs of ``text`` as ``(start, end)`` without surrounding whitespace: its non-blank
    lines, each cut further where flattened text lost a break (see ``_INLINE_BREAK``); the
    head of a flattened first line (title, 文号, issuer before the first 。 or ：) is cut at
    its spaces, so a headline is never glued to the first sentence."""
    spans = []
    for n, m in enumerate(re.finditer(r"[^\n]+", text)):
        cuts = [m.start()]
        cuts += [b.end() for b in _INLINE_BREAK.finditer(text, m.start(), m.end())]
        if n == 0 and CJK_RUN.search(text, m.start(), min(m.end(), m.start() + 50)):
            stop = _CJK_STOP.search(text, m.start(), min(m.end(), m.start() + HEAD_SPLIT_CHARS))
            if stop:
                cuts += [b.end() for b in _SPACES.finditer(text, m.start(), stop.start())]
        cuts = [*sorted(set(cuts)), m.end()]
        for s, e in itertools.pairwise(cuts):
            s, e = _strip(text, s, e)
            if e > s:
                spans.append((s, e))
    return spans


@dataclass
class _Block:
    section: tuple[str, ...]
    paras: list[tuple[int, int]]
    heading_only: bool = False


def _blocks(text: str) -> list[_Block]:
    stack: list[Heading] = []
    blocks: list[_Block] = []
    for s, e in paragraph_spans(text):
        line = text[s:e]
        head = heading_of(line)
        if head is not None:
            while stack and stack[-1].level >= head.level:
                stack.pop()
            stack.append(head)
            is_bare_title = head.title == line.strip() and len(line) <= MAX_TITLE_CHARS
            blocks.append(_Block(tuple(h.title for h in stack), [(s, e)], is_bare_title))
        elif blocks:
            blocks[-1].paras.append((s, e))
            blocks[-1].heading_only = False
        else:
            blocks.append(_Block((), [(s, e)]))
    # A bare heading followed directly by a sub-heading goes with the sub-heading's block.
    merged: list[_Block] = []
    carry: list[tuple[int, int]] = []
    for block in blocks:
        if block.heading_only and len(block.paras) == 1:
            carry.extend(block.paras)
            continue
        if carry:
            block.paras[:0] = carry
            carry = []
        merged.append(block)
    if carry:
        merged.append(_Block(blocks[-1].section, carry))
    return merged


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1].isspace():
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return s, e


def _units(
    text: str, paras: list[tuple[int, int]], target: int, hard: int
) -> list[tuple[int, int]]:
    """Paragraphs, or the sentences of paragraphs longer than ``target``, or hard pieces."""
    units: list[tuple[int, int]] = []
    for ps, pe in paras:
        if pe - ps <= target:
            units.append((ps, pe))
            continue
        for ss, se in sentence_spans(text, ps, pe):
            ss, se = _trim(text, ss, se)
            if se <= ss:
                continue
            if se - ss <= hard:
                units.append((ss, se))
            else:
                units.extend((i, min(i + hard, se)) for i in range(ss, se, hard))
    return units


def _overlap_start(text: str, s: int, e: int, n: int) -> int:
    sents = sentence_spans(text, s, e)
    if n <= 0 or len(sents) <= n:
        return e
    return _trim(text, sents[-n][0], e)[0]


def _absorb_small(
    pieces: list[list[tuple[int, int]]], small: int, max_chars: int
) -> list[list[tuple[int, int]]]:
    """Join a piece shorter than ``small`` to a neighbour when the result fits ``max_chars``."""
    out: list[list[tuple[int, int]]] = []
    for piece in pieces:
        size = piece[-1][1] - piece[0][0]
        if (out and size < small and piece[-1][1] - out[-1][0][0] <= max_chars) or (
            out
            and out[-1][-1][1] - out[-1][0][0] < small
            and piece[-1][1] - out[-1][0][0] <= max_chars
        ):
            out[-1].extend(piece)
        else:
            out.append(list(piece))
    return out


def chunk_id(source: str, searched: str, occurrence: int = 0) -> str:
    """Stable id of a chunk of ``source`` whose searched text (title, section path, text) is
    ``searched``; ``occurrence`` counts earlier chunks of the document with the same searched
    text. It does not depend on where the chunk is: an edit elsewhere in the document leaves
    the id alone, so a sync rewrites only that chunk's metadata (offsets, ordinal), not its
    vector. Same id, same searched text: its embedding and BM25 terms are still right."""
    return hashlib.sha256(f"{source}\x00{occurrence}\x00{searched}".encode()).hexdigest()[:24]


def chunk_text(
    text: str,
    source: str,
    *,
    target_chars: int = 300,
    max_chars: int = 600,
    overlap_sentences: int = 0,
    page_at: Callable[[int], int | None] | None = None,
    title: str = "",
) -> list[Chunk]:
    """Cut ``text`` into chunks (see the module docstring); ``title`` (the document's) is part
    of each chunk's searched text and so of its id."""
    spans: list[tuple[tuple[int, int], tuple[str, ...]]] = []
    for block in _blocks(text):
        units = _units(text, block.paras, target_chars, max_chars)
        pieces: list[list[tuple[int, int]]] = []
        for u in units:
            if pieces and u[1] - pieces[-1][0][0] <= target_chars:
                pieces[-1].append(u)
            else:
                pieces.append([u])
        pieces = _absorb_small(pieces, target_chars // 3, max_chars)
        prev_start, prev_end = 0, None
        for piece in pieces:
            s, e = piece[0][0], piece[-1][1]
            if prev_end is not None and overlap_sentences:
                s = min(s, _overlap_start(text, prev_start, prev_end, overlap_sentences))
            spans.append(((s, e), block.section))
            prev_start, prev_end = piece[0][0], e
    chunks = []
    seen: dict[str, int] = {}
    for ordinal, ((s, e), section) in enumerate(spans):
        body = text[s:e]
        page = page_at(s) if page_at else None
        page_end = page_at(e - 1) if page_at else None
        searched = searchable_text(title, " > ".join(section), body)
        occurrence = seen.get(searched, 0)
        seen[searched] = occurrence + 1
        chunks.append(
            Chunk(
                chunk_id=chunk_id(source, searched, occurrence),
                source=source,
                ordinal=ordinal,
                text=body,
                start=s,
                end=e,
                section=section,
                page=page,
                page_end=page_end,
            )
        )
    return chunks
