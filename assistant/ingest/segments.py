"""A document's head and tail cut into segments, each classified, for the metadata rules (pure).

Text from web pages and PDFs reaches us in two shapes: with a line break after every title line,
文号 and signature line, or *flattened*, where those breaks became spaces and the title, 文号,
salutation and signature block sit inline ("广东省人民政府关于印发…的通知 粤府〔2020〕12号
各地级以上市人民政府…：…"). A segment is a line, or on a line a run of text between spaces,
so both shapes give the same pieces: a headline, a 文号, an organ's name, a date, a salutation
or a sentence of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
# Spaces of any width; a line break is kept apart so wrapped title lines can be rejoined tightly.
_SPLIT = re.compile(r"\n|[ \t\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,16}\s*[〔\[［【(（﹝]\s*((?:19|20)\d{2})\s*[〕\]］】)）﹞]\s*第?\s*\d{1,5}\s*号"
)
# 公告 numbered by year: "财政部 税务总局公告2020年第8号".
ANNOUNCEMENT_NO = re.compile(
    r"[\u4e00-\u9fff]{0,16}公告\s*((?:19|20)\d{2})\s*年\s*第\s*\d{1,5}\s*号"
)

ORGAN_SUFFIX = (
    "国务院", "办公厅", "办公室", "委员会", "领导小组", "指挥部", "小组", "部", "委", "院", "局",
    "署", "厅", "行", "会", "政府", "中心", "总局", "总署", "协会", "办", "党委", "管委会",
    "公司", "集团", "处", "所", "站", "队", "街道", "镇", "乡", "组", "机制", "会议",
)  # fmt: skip
_ORGAN_WORD = re.compile(r"^[\u4e00-\u9fff（）()·]{2,60}$")

# Website furniture around the text: navigation labels, print/close links, QR codes, editors.
_NAV = re.compile(
    r"^(?:政策文件|通知公告|最新文件|政府信息公开|信息公开|政务公开|公告公示|通知通告|工作动态|"
    r"政策解读|新闻发布|首页|当前位置[:：]?.*|您当前的位置[:：]?.*|【?字体[:：].*|"
    r"打印本页|关闭窗口|【打印】|【关闭】|扫一扫在手机打开当前页|分享到[:：]?|"
    r"（此件主动公开）|\(此件主动公开\)|此件主动公开|责任编辑[:：].*|编辑[:：].*|来源[:：].*|"
    r"附件[:：]?|\[\s*详细\s*\]|>>详细阅读|新闻发布会视频|网站纠错|链接[:：]|[|｜])$"
)
# How the body of a news item starts: a dateline or a by-line.
_DATELINE = re.compile(
    r"^(?:新华社|中新社|中新网|人民网|央视网|本报|本网|记者|通讯员|据|日前|近日|昨天|昨日|今天|"
    r"今年|\d{1,2}月\d{1,2}日[，,电上下午晚])"
)
_SENTENCE_MARK = re.compile(r"[。！？；!?;]")
_FULL_STOP = re.compile(r"[。；;]")
_LATIN_STOP = re.compile(r"[a-z0-9)]\.(?:\s|$)")
_BYLINE = re.compile(r"讯\s*[（(]|[（(]\s*记者|^[（(]?通讯员")
_BODY_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十百\d]+条)"
)


@dataclass(frozen=True)
class Segment:
    """A piece of text between line breaks or spaces, with its offsets in the document."""

    text: str
    start: int
    end: int
    after_newline: bool  # the break before it was a line break (False: spaces, or the start)


def clean(text: str) -> str:
    """``text`` without zero-width characters (they hide inside scraped titles)."""
    return _ZERO_WIDTH.sub("", text)


_QUOTES = frozenset("“”‘’\"'()（）《》【】[]")


def _between_cjk(text: str, s: int, e: int) -> bool:
    """A space with Chinese text (or full-width punctuation) on at least one side."""
    i, j = s - 1, e
    # Look through quotes and brackets: "…在上海“集结” “我在…" breaks between two quotes.
    while i > 0 and text[i] in _QUOTES and s - i < 3:
        i -= 1
    while j < len(text) - 1 and text[j] in _QUOTES and j - e < 2:
        j += 1
    before = text[i] if i >= 0 else ""
    after = text[j] if j < len(text) else ""
    return any(c and (c > "\u2e7f") for c in (before, after))


def segments(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """The non-empty segments of ``text[start:end]``, in order: lines, and on a line the runs
    between spaces that touch Chinese text (Latin-script lines keep their spaces)."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    pos = start
    newline = True
    for m in _SPLIT.finditer(text, start, end):
        if "\n" not in m.group(0) and not _between_cjk(text, m.start(), m.end()):
            continue  # a space between words of a Latin-script line
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()], pos, m.start(), newline))
            newline = False
        if "\n" in m.group(0):
            newline = True
        pos = m.end()
    if pos < end:
        out.append(Segment(text[pos:end], pos, end, newline))
    return out


def is_organ(name: str) -> bool:
    """An issuing body's name: 2–40 Chinese characters ending like one (…部, …局, …人民政府)."""
    name = re.sub(r"[（(][\u4e00-\u9fff]{1,8}[）)]$", "", name.strip())  # "…领导小组（指挥部）"
    return bool(_ORGAN_WORD.match(name)) and name.endswith(ORGAN_SUFFIX) and "关于" not in name


def organs_in(text: str) -> list[str]:
    """The organ names of a run such as "人力资源社会保障部 财政部 税务总局" (all must be
    organs), else []."""
    parts = [p for p in re.split(r"[\s、，,]+", text.strip()) if p]
    return parts if parts and all(is_organ(p) for p in parts) else []


def is_nav(text: str) -> bool:
    """Website furniture: a navigation label, a print or close link, a QR code line."""
    return bool(_NAV.match(text.strip()))


def is_doc_number(text: str) -> bool:
    t = text.strip()
    return bool(DOC_NO.fullmatch(t) or ANNOUNCEMENT_NO.fullmatch(t))


def is_body(text: str, lead: bool = False) -> bool:
    """A segment of running text rather than a headline: a sentence, a salutation ("各位代表："),
    a dateline, a numbered heading of the body ("一、背景"), or anything too long to be a title
    line. A ``lead`` segment (the first of a document) may ask or exclaim as headlines do
    ("…怎么保障？最新回应！")."""
    t = text.strip()
    marks = _FULL_STOP if lead and len(t) <= 60 else _SENTENCE_MARK
    if marks.search(t) or t.endswith(("：", ":")):
        return True
    if _DATELINE.match(t) or _BYLINE.search(t) or _BODY_HEADING.match(t):
        return True
    if _LATIN_STOP.search(t):
        return True  # "Yes. To register a vehicle …": an English sentence
    if ("，" in t or "," in t) and len(t) > (60 if lead else 40):
        return True
    return len(t) > 90


def is_date_line(text: str) -> bool:
    """A head line that carries the date and occasion: "——2024年3月5日在…会议上",
    "（2020年5月28日第十三届…通过）"."""
    t = text.strip()
    return t.startswith(("——", "—", "（", "(")) and bool(re.search(r"(?:19|20)\d{2}\s*年", t))
