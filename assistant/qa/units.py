"""Candidate answer units inside a passage (pure): sentences, their clauses, enumerations kept
whole, the content under a heading, and two sentences together.

A passage is cut into *sentences* at 。！？ (and line breaks, and after a heading that has no
end mark), each sentence into *clauses* at ；. Units are built from them:

- ``clause``: one clause of a sentence with several;
- ``sentence``: a whole sentence — a list written "问清户籍；问清…；问清…" stays whole;
- ``list``: an introduction ending with "：" and the items after it, in the same sentence or in
  the sentences that follow ("操作步骤： 第一步，… 第二步，…");
- ``items``: the same items without their introduction;
- ``under_heading``: the sentences that follow a heading ("（十八）依法加强权益保障。" → what it
  says), never the heading alone;
- ``pair``: a sentence and the next one.

Every unit is a span of the passage text, so a quote of it is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["clause", "sentence", "list", "items", "under_heading", "pair"]
KINDS: tuple[UnitKind, ...] = ("clause", "sentence", "list", "items", "under_heading", "pair")

# A sentence ends after 。！？ (or . ! ? before a space) and any closing quotes or brackets; an
# introduction ends at a "：" that a line break (or, in flattened text, spaces) follows.
_STOP = re.compile(
    r"""(?:[。！？!?]|(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|No|vs))\.(?=\s|$)|…{1,2})[”’"'）)》」』】]*"""
    r"|：(?=[ \u3000\u00a0]+)|[：:](?=[ \u3000\u00a0]*\n)"
)
_CLAUSE = re.compile(r"[；;]")
_GAP = re.compile(r"(?<=[\u4e00-\u9fff”」』）)])[ \u3000\u00a0]+(?=[\u4e00-\u9fff“「『（(])")
_HEAD_STOP = re.compile(r"[。！？：]")
_SPACE = " \t\r\n\u3000\u00a0\u2002\u2003"
# How items of an enumeration and headings start.
ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、是]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|"
    r"第[一二三四五六七八九十\d]{1,3}[步条项点个]|[①-⑳]|首先|其次|再次|最后|此外|另外)"
)
MAX_UNIT_CHARS = 320
PAIR_CHARS = 220
SECTION_CHARS = 260


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    """A candidate answer: ``text[start:end]`` of its passage, of one ``kind``; ``lead`` is the
    span just before it that introduces it (a heading or a list's introduction), if any."""

    kind: UnitKind
    start: int
    end: int
    lead_start: int = -1
    lead_end: int = -1
    items: int = 1  # enumeration items it holds


MAX_REPLY_CHARS = 4


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _SPACE:
        s += 1
    while e > s and text[e - 1] in _SPACE:
        e -= 1
    return s, e


def is_heading(text: str) -> bool:
    """A heading line: an enumerator and a short title, with no more than a full stop after."""
    t = text.strip()
    body = t.rstrip("。.：:")
    return bool(ENUMERATOR.match(t)) and len(body) <= 30 and not re.search(r"[，,；;。]", body)


def is_question(text: str) -> bool:
    """A question in the passage — on an FAQ page, the heading of its answer ("Do I need
    insurance?", "11、为了查找传染病病因，医疗机构可以怎么做？"): context, never the answer."""
    t = text.strip().rstrip("”’\"'）)")
    return t.endswith(("？", "?")) and len(t) <= 200


def sentences(text: str, head: bool = False) -> list[Span]:
    """The sentences of a passage, trimmed; a heading with no end mark before a space ("一、支持
    疫情防控物资供应 对生产…") is a sentence of its own, and so, in the ``head`` of a document
    (its first passage), is each piece before the first sentence ends: a flattened headline,
    文号 or issuer is never glued to the first sentence."""
    out: list[Span] = []
    for n, line in enumerate(re.finditer(r"[^\n]+", text)):
        pos = line.start()
        cuts: list[int] = []
        for m in _STOP.finditer(text, line.start(), line.end()):
            cuts.append(m.end())
        if head and n == 0:
            stop = _HEAD_STOP.search(text, line.start(), line.end())
            end = stop.start() if stop else min(line.end(), line.start() + 120)
            cuts += [g.end() for g in _GAP.finditer(text, line.start(), end)]
            cuts.sort()
        cuts.append(line.end())
        spans: list[Span] = []
        for cut in cuts:
            s, e = _trim(text, pos, cut)
            pos = cut
            if e <= s:
                continue
            spans.extend(_split_heading(text, s, e))
        out.extend(_join_replies(text, spans))
    return out


def _join_replies(text: str, spans: list[Span]) -> list[Span]:
    """A bare reply ("Yes.", "No.", "可以。") is joined to the sentence after it on its line:
    alone it answers nothing a reader can check."""
    out: list[Span] = []
    i = 0
    while i < len(spans):
        s = spans[i]
        piece = text[s.start : s.end]
        if (
            i + 1 < len(spans)
            and sum(ch.isalnum() for ch in piece) <= MAX_REPLY_CHARS
            and piece.endswith((".", "。", "!", "！", ","))
            and not ENUMERATOR.match(piece)
            and not is_question(piece)
        ):
            out.append(Span(s.start, spans[i + 1].end))
            i += 2
            continue
        out.append(s)
        i += 1
    return out


def _split_heading(text: str, s: int, e: int) -> list[Span]:
    if ENUMERATOR.match(text[s:e]):
        gap = re.search(r"[ \u3000\u00a0]+", text[s:e])
        if (
            gap
            and 2 <= gap.start() <= 30
            and not re.search(r"[，。；：]", text[s : s + gap.start()])
        ):
            head_end = s + gap.start()
            rest = _trim(text, head_end, e)
            if rest[1] > rest[0]:
                return [Span(s, head_end), Span(*rest)]
    return [Span(s, e)]


def clauses(text: str, sent: Span) -> list[Span]:
    """The ；-separated clauses of a sentence (the sentence itself when it has one)."""
    out = []
    pos = sent.start
    for m in _CLAUSE.finditer(text, sent.start, sent.end):
        s, e = _trim(text, pos, m.end())
        if e > s:
            out.append(Span(s, e))
        pos = m.end()
    s, e = _trim(text, pos, sent.end)
    if e > s:
        out.append(Span(s, e))
    return out


def _colon(text: str, sent: Span) -> int:
    """Offset just after the introduction's "：" inside the sentence, or -1."""
    i = text.find("：", sent.start, sent.end)
    if i < 0:
        i = text.find(":", sent.start, sent.end)
    return i + 1 if 0 <= i < sent.end - 2 else -1


def _family(item: str) -> str:
    """The shape of an item's enumerator: 第一步 and 第二步 share one, 一、 and （一） do not."""
    m = ENUMERATOR.match(item)
    if not m:
        return ""
    return re.sub(r"[一二三四五六七八九十\d①-⑳]+", "N", m.group(0))


def _items_after(text: str, sents: list[Span], i: int) -> int:
    """How many sentences after ``sents[i]`` are items of an enumeration it introduces: those
    of the first item's enumerator family, or one plain sentence."""
    if i + 1 >= len(sents):
        return 0
    first = sents[i + 1]
    family = _family(text[first.start : first.end])
    if not family:
        return 0 if is_heading(text[first.start : first.end]) else 1
    n = 0
    for s in sents[i + 1 :]:
        if s.end - first.start > MAX_UNIT_CHARS:
            break
        if _family(text[s.start : s.end]) == family:
            n += 1
        elif n and not ENUMERATOR.match(text[s.start : s.end]) and not _is_break(text, s):
            continue  # a further sentence of the same item
        else:
            break
    return n


def _section_after(text: str, sents: list[Span], i: int) -> int:
    """How many sentences after the heading ``sents[i]`` form its content: up to the next
    heading or enumerated line, within ``SECTION_CHARS`` (at least one)."""
    n = 0
    for s in sents[i + 1 :]:
        piece = text[s.start : s.end]
        if n and (ENUMERATOR.match(piece) or s.end - sents[i + 1].start > SECTION_CHARS):
            break
        if is_heading(piece) or is_question(piece):
            break
        n += 1
    return n


def _is_break(text: str, s: Span) -> bool:
    piece = text[s.start : s.end]
    return is_heading(piece) or is_question(piece)


def units(text: str, head: bool = False) -> list[Unit]:
    """Every candidate unit of a passage (``head``: it opens its document), without repeats."""
    sents = sentences(text, head)
    out: dict[tuple[str, int, int], Unit] = {}

    def add(u: Unit) -> None:
        if u.end - u.start >= 2 and u.end - u.start <= MAX_UNIT_CHARS:
            out.setdefault((u.kind, u.start, u.end), u)

    for i, s in enumerate(sents):
        body = text[s.start : s.end]
        parts = clauses(text, s)
        heading = is_heading(body) or is_question(body)
        if not heading:
            add(Unit("sentence", s.start, s.end, items=len(parts)))
        if len(parts) > 1:
            for c in parts:
                add(Unit("clause", c.start, c.end))
        colon = _colon(text, s)
        if colon > 0 and len(parts) > 1:
            start, end = _trim(text, colon, s.end)
            add(Unit("items", start, end, s.start, colon, items=len(parts)))
        intro = body.rstrip().endswith(("：", ":"))
        n = _items_after(text, sents, i) if intro else 0
        if heading:
            n = _section_after(text, sents, i)
        if n:
            last = sents[i + n]
            kind: UnitKind = "under_heading" if heading else "items"
            add(Unit(kind, sents[i + 1].start, last.end, s.start, s.end, items=n))
            if not heading:
                add(Unit("list", s.start, last.end, items=n))
        if not heading and i + 1 < len(sents):
            nxt = sents[i + 1]
            after = text[nxt.start : nxt.end]
            if nxt.end - s.start <= PAIR_CHARS and not (is_heading(after) or is_question(after)):
                add(Unit("pair", s.start, nxt.end, items=2))
    return list(out.values())
