"""A PDF page's lines made into paragraphs (pure): page furniture removed — page numbers
("— 3 —", "- 3 -", "第3页", "Page 3 of 9") and running headers or footers that repeat at the
top or foot of most pages — and lines broken at the visual line end joined again (Chinese with
nothing between, English with a space, a hyphenated word made whole), while real paragraph
breaks and headings (一、 （一） 第X条 1.) stay on their own lines for the chunker and the
metadata rules."""

from __future__ import annotations

import re
import statistics
from collections import Counter

from assistant.core.text import is_chinese

PAGE_NUMBER = re.compile(
    r"^\s*(?:[—–\-－_·•\s]*\d{1,4}[—–\-－_·•\s]*|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|(?:Page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4})\s*$",
    re.I,
)
HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|"
    r"第[一二三四五六七八九十百零\d]+[章节条款部分]|\d{1,2}[.、．](?!\d)\s*\S|[（(]\d{1,2}[)）]|附件\s*\d*[:：]?)"
)
_END = ("。", "！", "？", "；", "：", "!", "?", ";", ":", "”", "」", "）")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _key(line: str) -> str:
    """A line with digits and spaces dropped: a running header with the page's number in it
    still matches itself on every page."""
    return re.sub(r"[\d\s]+", "", line)


def strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without page numbers and without a short header or footer line (one
    of the first or last two, at most 40 characters besides digits) that repeats on at least
    half the pages (three pages or more)."""
    pages = [[ln for ln in page if ln.strip()] for page in pages]
    repeated: set[str] = set()
    if len(pages) >= 3:
        seen: Counter[str] = Counter()
        for page in pages:
            edge = {_key(ln) for ln in page[:2] + page[-2:] if 2 <= len(_key(ln)) <= 40}
            seen.update(edge)
        repeated = {k for k, n in seen.items() if n >= max(2, len(pages) / 2)}
    out = []
    for page in pages:
        kept = []
        for i, line in enumerate(page):
            at_edge = i < 2 or i >= len(page) - 2
            if PAGE_NUMBER.match(line) and (at_edge or len(line.strip()) <= 12):
                continue
            if at_edge and _key(line) in repeated:
                continue
            kept.append(line)
        out.append(kept)
    return out


def _joins(prev: str, nxt: str, full: float) -> bool:
    """Whether the break between two lines is only the page's line end."""
    p, n = prev.rstrip(), nxt.lstrip()
    if not p or not n or HEADING.match(n) or (HEADING.match(p) and len(p) < full * 0.8):
        return False
    if p.endswith(_END) and len(p) < full * 0.9:
        return False  # a sentence ends a line that is not full: the paragraph ends
    return len(p) >= full * 0.75  # a full line runs on; a short one ends its paragraph


def _full_length(lines: list[str]) -> float:
    """The length of a full line on a page (its 80th percentile)."""
    lengths = [len(ln) for ln in lines]
    return statistics.quantiles(lengths, n=10)[7] if len(lengths) >= 4 else max(lengths)


def page_continues(page: list[str], following: list[str]) -> bool:
    """Whether the last paragraph of ``page`` runs on at the top of ``following`` (its last
    line is full and ends no sentence, the next page's first line is no heading)."""
    page = [ln.strip() for ln in page if ln.strip()]
    following = [ln.strip() for ln in following if ln.strip()]
    if len(page) < 4 or not following:
        return False
    return _joins(page[-1], following[0], _full_length(page))


def join_lines(lines: list[str]) -> str:
    """The lines of one page as paragraphs separated by newlines."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if not lines:
        return ""
    full = _full_length(lines)
    chinese = is_chinese("".join(lines))
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        if not _joins(prev, line, full):
            out.append(line)
            continue
        if chinese or _CJK.search(prev[-1:]) or _CJK.search(line[:1]):  # no spaces in Chinese
            out[-1] = prev + line
        elif prev.endswith("-") and line[:1].islower():
            out[-1] = prev[:-1] + line
        else:
            out[-1] = prev + " " + line
    return "\n".join(out)
