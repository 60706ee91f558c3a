"""公文 metadata by rule from the head and tail of a document, overridden by a sidecar file.

Fields: title, issuing body (发文机关), document number (文号), date (成文/发布日期) and type.
The rules read the document's head and tail as segments (``segments``): lines, or on flattened
text the runs between spaces, so a title, 文号 or signature block is found whether it stands on
its own line or inline. A field that the rules cannot find stays empty: nothing is guessed.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.text import is_chinese
from assistant.core.types import DocMeta, DocRef, Validity
from assistant.ingest.dates import find_dates, only_date
from assistant.ingest.segments import (
    ANNOUNCEMENT_NO,
    DOC_NO,
    Segment,
    clean,
    is_body,
    is_date_line,
    is_doc_number,
    is_nav,
    is_organ,
    organs_in,
    segments,
)

__all__ = [
    "doc_type_of", "find_dates", "merge", "merge_validity", "parse_metadata", "read_sidecar",
    "sidecar_path",
]  # fmt: skip

DOC_TYPES = (
    "指导意见", "实施意见", "实施方案", "行动方案", "行动计划", "工作方案", "管理办法", "实施细则",
    "政府工作报告", "通知", "通报", "意见", "方案", "规划", "报告", "决议", "决定", "办法", "规定",
    "条例", "细则", "指南", "纲要", "计划", "公告", "通告", "批复", "函", "公报", "白皮书",
)  # fmt: skip
# The type a specific form belongs to.
_TYPE_OF = {
    "指导意见": "意见", "实施意见": "意见", "实施方案": "方案", "行动方案": "方案",
    "工作方案": "方案", "行动计划": "计划", "管理办法": "办法", "实施细则": "细则",
    "政府工作报告": "报告",
}  # fmt: skip
NEWS_TYPE = "新闻"

HEAD_CHARS = 700
TAIL_CHARS = 400
SIDECAR_SUFFIX = ".meta.json"

# The label of the date a notice was written; other date labels come after its signature.
_WRITTEN_LABEL = re.compile(r"成文日期\s*[:：]\s*")
_DATE_LABEL = re.compile(r"(?:发布日期|印发日期|发文日期|发布时间|日期)\s*[:：]\s*")
_NEWS_MARK = re.compile(
    r"新华社[\u4e00-\u9fff]{0,6}\d{0,2}月?\d{1,2}日电|本报讯|日报讯|网讯|[（(]记者|记者\s*[\u4e00-\u9fff]{2,4}[）)]|"
    r"通讯员|责任编辑|原标题[:：]|中新网|人民网|央视网|新闻发布会|新华社记者"
)
# How news reports a notice (where a notice would be the notice itself).
_NEWS_STYLE = re.compile(
    r"获悉|据介绍|据了解|记者|近日|日前|昨天|昨日|发布会|截至|^\d{1,2}月\d{1,2}日"
)
_REPORTING_TITLE = re.compile(r"发布|出台|公布|推出|启动|部署|召开|举行|——")
_ISSUER_BEFORE = re.compile(r"^(.{2,80}?)\s*(?:关于|印发|转发)")
_TIME_AFTER = re.compile(r"^\s*\d{1,2}:\d{2}")
_CLOSING = re.compile(r"^特此(?:通知|通告|公告|函告|批复)")
# Furniture glued to the text at the end of a page.
_TAIL_FURNITURE = re.compile(
    r"责任编辑[:：]\s*\S{0,8}|【\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部)\s*】|扫一扫在手机打开当前页|"
    r"网站纠错|链接[:：]"
)
_AFTER_SIGNATURE = re.compile(r"^(?:抄送|附件|(?:" + DOC_NO.pattern + r")\s*附件)")
_NUMBER_BEFORE_ANNEX = re.compile("(" + DOC_NO.pattern + r")\s*附件\s*\d")
# A 文号 glued to the title: "石政发〔2020〕3号-北京市石景山区人民政府关于…".
_NUMBER_THEN_TITLE = re.compile(r"^(" + DOC_NO.pattern + r")\s*[-－—–]\s*(.+)$")


def doc_type_of(title: str) -> str:
    """The type a title ends with (…的通知 → 通知, …实施方案 → 方案), or ""."""
    t = re.sub(r"[（(][^）)]*[）)]$", "", title.strip())  # drop a trailing （试行）/（摘要）
    for word in DOC_TYPES:
        if t.endswith(word):
            return _TYPE_OF.get(word, word)
    return ""


def _tight(s: str) -> str:
    return re.sub(r"\s+", "", s)


@dataclass
class _Head:
    """The head of a document up to its body: candidate title segments and what else stood
    there (文号, the 'X文件' header, a glued title)."""

    titles: list[Segment] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    header_organ: str = ""
    first_body: str = ""
    date_line: str = ""  # "——2024年3月5日在…会议上"


def _read_head(text: str) -> _Head:
    head = _Head()
    continue_from: Segment | None = None
    for seg in segments(text, 0, min(len(text), HEAD_CHARS)):
        t = seg.text.strip()
        if is_nav(t):
            # What stood before a navigation label is the site's header, not the title.
            head.titles = [s for s in head.titles if not organs_in(s.text) and len(s.text) > 8]
            continue
        glued = _NUMBER_THEN_TITLE.match(t)
        if glued:
            head.numbers.append(_tight(glued.group(1)))
            offset = seg.start + glued.start(3)
            seg = Segment(glued.group(3), offset, seg.end, seg.after_newline)
            t = seg.text
        elif is_doc_number(t):
            number = _tight(t)
            if ANNOUNCEMENT_NO.fullmatch(number):
                # "财政部 税务总局公告2020年第8号": the organs just before belong to it.
                while head.titles and is_organ(head.titles[-1].text):
                    number = head.titles.pop().text.strip() + number
            head.numbers.append(number)
            continue
        m = re.fullmatch(r"(.{2,40}?)\s*文件", t)
        if m and is_organ(m.group(1)):
            head.header_organ = m.group(1)
            continue
        if t.startswith(("原标题：", "原标题:")):
            continue
        if t[:1] in "。，、；：！？）)":
            # The "head" was the start of a sentence broken over lines: there is no title.
            head.titles = []
            head.first_body = t
            break
        if t in ("|", "｜"):
            joined = head.titles.pop() if head.titles else None
            continue_from = joined
            continue
        if continue_from is not None:
            # "求生记 | 扶持企业放硬招，…": one headline around the bar.
            seg = Segment(text[continue_from.start : seg.end], continue_from.start, seg.end,
                          continue_from.after_newline)  # fmt: skip
            t = seg.text.strip()
            continue_from = None
        lead = not head.titles
        if is_date_line(t):
            head.date_line = t
        if is_date_line(t) or is_body(t, lead) or only_date(t) or _dated_stamp(t):
            head.first_body = t
            break
        head.titles.append(seg)
    return head


def _dated_stamp(t: str) -> bool:
    """A press stamp: a date with a time after it ("重庆日报2020-02-19 07:37:40")."""
    dates = find_dates(t)
    return bool(dates) and bool(re.search(r"\d{1,2}:\d{2}", t[dates[0][0] :]))


def _join(parts: list[Segment]) -> str:
    """Title pieces rejoined: tight across a wrapped line or inside a phrase, a space after an
    organ's name ("湖南省医疗保障局 国家税务总局湖南省税务局 …关于…")."""
    out = ""
    for i, seg in enumerate(parts):
        if i and not seg.after_newline and is_organ(parts[i - 1].text):
            out += " "
        out += seg.text.strip()
    return out


def _starts_title(text: str) -> bool:
    """A 公文 title can start here: 关于/印发…, or organs followed by 关于/印发/转发."""
    t = text.strip()
    if t.startswith(("关于", "印发", "转发")):
        return True
    m = _ISSUER_BEFORE.match(t)
    return bool(m and organs_in(re.sub(r"^(?:转发|印发)", "", m.group(1))))


def _official_title(cands: list[Segment]) -> str:
    """The 公文 title among the head segments: the shortest run of up to four segments that
    ends with a document type and starts like a title, with the organs just before it (each
    once); of two copies, the fuller."""
    found: list[str] = []
    for j in range(len(cands)):
        for i in range(j, max(-1, j - 4), -1):
            run = cands[i : j + 1]
            joined = _join(run)
            if not doc_type_of(joined) or not (_starts_title(joined) or i == 0):
                continue
            if len({_tight(c.text) for c in run}) < len(run):
                continue  # a title and its own copy
            k, seen = i, {_tight(cands[i].text)}
            while k > 0 and organs_in(cands[k - 1].text) and _tight(cands[k - 1].text) not in seen:
                k -= 1
                seen.add(_tight(cands[k].text))
            title = _join(cands[k : j + 1])
            if len(_tight(title)) >= 6:
                found.append(title)
            break
    if not found:
        return ""
    best = found[0]
    for other in found[1:]:
        if _tight(best) in _tight(other) and len(_tight(other)) > len(_tight(best)):
            best = other
    return best


def _headline(cands: list[Segment]) -> str:
    """A news headline: the first head segment, with a second headline segment after it
    ("河南省…专题 第十场新闻发布会"); an organ's name alone is a site header, not a title."""
    cands = [c for c in cands if not organs_in(c.text)] if len(cands) > 1 else cands
    if not cands or organs_in(cands[0].text):
        return ""
    first = cands[0].text.strip()
    if not is_chinese(first):
        return first  # an English page's first line is its title; the next is another heading
    if len(cands) > 1:
        second = cands[1].text.strip()
        distinct = _tight(second) not in _tight(first) and _tight(first) not in _tight(second)
        if distinct and len(_tight(first + second)) <= 60:
            if (len(_tight(first)) == 1 and len(_tight(second)) == 1) or cands[1].after_newline:
                return first + second  # "通 告", or a title wrapped onto a second line
            return f"{first} {second}"
    return first


def _find_title(head: _Head, lines: list[str]) -> str:
    official = _official_title(head.titles)
    if official:
        return official
    # Line-broken text whose first lines run on without a break between title and body.
    for i, ln in enumerate(lines[:6]):
        if len(ln) > 100 or re.search(r"[。！？，]", ln) or is_doc_number(ln):
            continue
        if doc_type_of(ln) and head.titles:
            if i > 0 and "关于" in lines[i - 1] and "关于" not in ln and len(lines[i - 1]) < 60:
                return lines[i - 1] + ln
            return ln
    return _headline(head.titles)


def _issuer_from_title(title: str) -> str:
    if _REPORTING_TITLE.search(title):
        return ""
    m = _ISSUER_BEFORE.match(title)
    if not m or (not doc_type_of(title) and not title[m.end(1) :].lstrip().startswith("关于")):
        return ""
    names = organs_in(re.sub(r"^(?:转发|印发)", "", m.group(1)))
    return " ".join(dict.fromkeys(names))


def _tail_segments(text: str) -> list[Segment]:
    start = max(0, len(text) - TAIL_CHARS)
    tail = _TAIL_FURNITURE.sub(lambda m: " " * len(m.group(0)), text)
    segs = segments(tail, start)
    if start and segs and segs[0].start == start:
        segs = segs[1:]  # cut in the middle
    return [s for s in segs if not is_nav(s.text)]


def _signature(text: str) -> tuple[str, str]:
    """(issuer, date) of the signature block: the organs standing just before the last date
    line of the tail, and that date; when the text ends with an organ's name after a sentence
    and no date, that organ."""
    segs = _tail_segments(text)
    trailing = 0
    for i in range(len(segs) - 1, -1, -1):
        t = segs[i].text.strip()
        if not only_date(t):
            trailing += len(t)
            if trailing > 80 or (is_body(t) and len(t) > 30):
                break
            continue
        return _organs_before(segs, i), find_dates(t)[-1][1]
    if segs and is_organ(segs[-1].text) and len(segs) > 1 and segs[-2].text.strip().endswith("。"):
        return segs[-1].text.strip(), ""
    # A signature followed by what ends a notice: "…2020年2月3日 抄送：…",
    # "…2020年2月9日 京建发〔2020〕19号附件1".
    every = segments(text)
    for i in range(len(every) - 2, -1, -1):
        if only_date(every[i].text) and _AFTER_SIGNATURE.match(every[i + 1].text):
            return _organs_before(every, i), find_dates(every[i].text)[-1][1]
    return "", ""


def _organs_before(segs: list[Segment], i: int) -> str:
    names: list[str] = []
    j = i - 1
    while j >= 0 and len(names) < 6:
        t = segs[j].text.strip()
        if _CLOSING.match(t):
            break
        if is_organ(t):
            if _tight(t) not in (_tight(n) for n in names):
                names.insert(0, t)
            j -= 1
            continue
        # An organ's name broken over two lines: "…疫情 防控工作领导小组指挥部".
        if names and is_organ(t + names[0]) and len(t + names[0]) <= 40 and not is_body(t):
            names[0] = t + names[0]
            j -= 1
            continue
        break
    return " ".join(names)


def _labelled_date(part: str, label: re.Pattern[str]) -> str:
    m = label.search(part)
    if m:
        dates = find_dates(part[m.end() : m.end() + 30])
        if dates and dates[0][0] == 0:
            return dates[0][1]
    return ""


def _find_date(text: str, head: _Head, lines: list[str], signed: str) -> str:
    start, tail = text[:1500], text[-TAIL_CHARS:]
    for part in (start, tail):
        written = _labelled_date(part, _WRITTEN_LABEL)
        if written:
            return written
    if signed:
        return signed
    for part in (start, tail):
        labelled = _labelled_date(part, _DATE_LABEL)
        if labelled:
            return labelled
    # A date standing alone near the head, or a press time stamp: "重庆日报2020-02-19 07:37:40".
    for seg in segments(text, 0, min(len(text), 400)):
        dates = find_dates(seg.text)
        if dates and (only_date(seg.text) or _dated_stamp(seg.text)):
            return dates[0][1]
    # Reports: "——2024年3月5日在第十四届全国人民代表大会第二次会议上".
    for ln in [head.date_line, *lines[:8]]:
        if ln and is_date_line(ln):
            dates = find_dates(ln)
            if dates:
                return dates[0][1]
    return ""


def _find_number(head: _Head, title: str, text: str) -> str:
    if head.numbers:
        return head.numbers[0]
    # "…的通知（京政办发〔2020〕7号）"
    m = re.search(r"[（(]\s*(" + DOC_NO.pattern + r")\s*[）)]\s*$", title)
    if m:
        return _tight(m.group(1))
    # Attachments headed by the notice's own number: "京建发〔2020〕19号附件1".
    m = _NUMBER_BEFORE_ANNEX.search(text)
    return _tight(m.group(1)) if m else ""


def _is_news(title: str, head: _Head, text: str) -> bool:
    if _NEWS_MARK.search(text[:HEAD_CHARS]) or _NEWS_MARK.search(text[-TAIL_CHARS:]):
        return True
    if not title:
        return False
    salutation = head.first_body.endswith(("：", ":"))
    return not salutation and bool(
        _REPORTING_TITLE.search(title) or _NEWS_STYLE.search(head.first_body[:60])
    )


def _head_lines(text: str, n: int = 12) -> list[str]:
    lines = []
    for ln in text.splitlines():
        ln = ln.strip()
        if ln:
            lines.append(ln)
        if len(lines) >= n:
            break
    return lines


def parse_metadata(text: str, title_hint: str = "") -> DocMeta:
    """Rule-based 公文 metadata from ``text``, flattened or line-broken; ``title_hint`` comes
    from the file (an HTML <title> …) and is used when the text shows no title."""
    text = clean(html.unescape(text))
    head = _read_head(text)
    lines = _head_lines(text)
    title = bounded(_find_title(head, lines) or title_hint.strip())
    signer, signed = _signature(text)
    issuer = head.header_organ or _issuer_from_title(title) or signer
    if signer and issuer != signer and signer.endswith(issuer):
        issuer = signer  # the signature's fuller name: 北京市昌平区… for 昌平区…
    doc_type = doc_type_of(title) if title else ""
    if _is_news(title, head, text) and (not doc_type or _REPORTING_TITLE.search(title)):
        doc_type = NEWS_TYPE
        if not head.header_organ and issuer != signer:
            issuer = signer  # a news item names no issuer, unless it reproduces a signed notice
    date = _find_date(text, head, lines, signed)
    if not is_chinese(text[:2000]):
        title = _EN_REF_MARK.sub("", title).strip()
        issuer = issuer or _english_issuer(text, lines)
        date = date or _english_date(text)
    return DocMeta(
        title=title,
        issuer=issuer,
        doc_number=_find_number(head, title, text),
        date=date,
        doc_type=doc_type,
    )


# English pages and press releases.
_EN_REF_MARK = re.compile(r"\s*\[\s*\d+\s*\]\s*$")  # a link marker after a title: "Renew ID[1]"
_EN_AGENCY = (
    r"(?:[A-Z][A-Za-z&'.-]*\s+)*?(?:Ministry|Department|Office|Administration|Commission|Bureau|"
    r"Agency|Council|Service|Board|Authority|Committee)(?:\s+(?:of|for|and|on|the|[A-Z][\w&'.-]*))*"
)
_EN_RELEASED = re.compile(
    rf"\b(?:[Tt]he\s+)?({_EN_AGENCY}?)(?:\s+\(([A-Z]{{2,}})\))?,?\s+(?:has\s+)?"
    r"(?:released|issued|published|announced|unveiled)\b"
)
_EN_AGENCY_LINE = re.compile(rf"^(?:[Tt]he\s+)?{_EN_AGENCY}$")
_EN_DATE_LABEL = re.compile(
    r"(?:Last\s+(?:updated|modified|reviewed)|Updated|Revised|Published|Issued|Release\s+date|"
    r"Date(?:\s+of\s+issue)?)\s*(?:on\s*)?[:：]?\s*",
    re.I,
)
_EN_DATELINE = re.compile(r"^[A-Z][A-Za-z .]{1,30},\s*(.{6,24}?)\s*[—–-]{1,2}\s")


def _english_issuer(text: str, lines: list[str]) -> str:
    """The body that releases an English text: "the Ministry of Industry and Information
    Technology (MIIT) released …" in its lead, or an agency's name standing alone at its head
    or foot."""
    m = _EN_RELEASED.search(text[:800])
    if m and len(m.group(1).split()) >= 2:
        return " ".join(m.group(1).split())
    tail = [ln.strip() for ln in text[-600:].splitlines() if ln.strip()][-5:]
    for line in [*lines[:4], *tail]:
        if len(line) <= 80 and _EN_AGENCY_LINE.match(line):
            return re.sub(r"^[Tt]he\s+", "", line)
    return ""


def _english_date(text: str) -> str:
    """An English page's own date: a label ("Last updated: January 14, 2026") or a press
    release's dateline ("BEIJING, Jan. 14, 2026 — …")."""
    for part in (text[:1500], text[-600:]):
        for m in _EN_DATE_LABEL.finditer(part):
            dates = find_dates(part[m.end() : m.end() + 30])
            if dates and dates[0][0] == 0:
                return dates[0][1]
    for line in text[:600].splitlines():
        dateline = _EN_DATELINE.match(line.strip())
        if dateline:
            dates = find_dates(dateline.group(1))
            if dates:
                return dates[0][1]
    return ""


def sidecar_path(path: Path) -> Path:
    """``notice.pdf`` → ``notice.meta.json`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path, source: str) -> dict[str, Any]:
    """The fields of ``path``'s sidecar, or {} when it has none. Unknown keys are an error.

    Besides the metadata fields it may state validity: ``effective`` and ``expires`` (ISO
    dates) and ``repeals`` / ``amends`` (lists of titles or 文号), which win over the rules."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(source, f"sidecar {side.name} is not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DocumentError(source, f"sidecar {side.name} must hold a JSON object")
    allowed = [*DocMeta.FIELDS, *VALIDITY_FIELDS]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DocumentError(
            source, f"sidecar {side.name} has unknown field(s) {unknown}; allowed: {allowed}"
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            out[key] = [] if key in ("repeals", "amends") else ""
            continue
        if key in ("repeals", "amends"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DocumentError(
                    source,
                    f"sidecar {side.name}: {key} must be a list of titles or 文号, e.g. "
                    '["工信部信管〔2018〕12号"]',
                )
            out[key] = [v.strip() for v in value if v.strip()]
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise DocumentError(source, f"sidecar {side.name}: {key} must be a string")
        text = str(value).strip()
        problem = field_problem(key, text)
        if problem:
            raise DocumentError(source, f"sidecar {side.name}: {problem}")
        out[key] = text
    return out


# How long a metadata field may be (a title is embedded with every chunk of its document).
MAX_FIELD_CHARS = {"title": 300, "issuer": 200, "doc_number": 60, "doc_type": 20, "url": 2000,
                   "date": 10, "effective": 10, "expires": 10}  # fmt: skip
# Validity a sidecar may state (see ``merge_validity``).
VALIDITY_FIELDS = ("effective", "expires", "repeals", "amends")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def field_problem(key: str, value: str) -> str:
    """Why ``value`` cannot be metadata field ``key`` (too long, a date that does not exist, a
    URL that is not http(s)), or ""."""
    limit = MAX_FIELD_CHARS.get(key, 300)
    if len(value) > limit:
        return f"{key} has {len(value):,} characters, more than {limit}; shorten it"
    if key in ("date", "effective", "expires") and value:
        m = _ISO_DATE.fullmatch(value)
        ok = m is not None
        if m and m.group(2):
            try:
                datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
            except ValueError:
                ok = False
        if not ok:
            return f"{key} {value!r} is not a date in the form 2024, 2024-03 or 2024-03-05"
    if key == "url" and value and not re.match(r"https?://", value, re.I):
        return f"url {value[:60]!r} must start with http:// or https://"
    return ""


def bounded(title: str, limit: int = MAX_FIELD_CHARS["title"] - 100) -> str:
    """A title read from the text or a file's own title field, cut to ``limit`` characters."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


def merge(parsed: DocMeta, sidecar: dict[str, Any]) -> DocMeta:
    """Sidecar fields win over parsed ones; the type follows a sidecar title unless given."""
    fields = {k: v for k, v in sidecar.items() if k in DocMeta.FIELDS}
    merged = DocMeta(**{**parsed.as_dict(), **fields})
    if "title" in sidecar and "doc_type" not in sidecar:
        merged.doc_type = doc_type_of(merged.title) or parsed.doc_type
    return merged


def merge_validity(parsed: Validity, sidecar: dict[str, Any]) -> Validity:
    """Validity stated in a sidecar wins over the rules: ``effective`` / ``expires`` replace the
    dates read, ``repeals`` / ``amends`` (titles or 文号) replace the references read."""
    if not any(k in sidecar for k in VALIDITY_FIELDS):
        return parsed
    out = Validity.from_dict(parsed.as_dict())
    if "effective" in sidecar:
        out.effective = sidecar["effective"]
        out.effective_kind = "sidecar" if out.effective else ""
        out.spans.pop("effective", None)
        out.quotes["effective"] = "(sidecar)"
    if "expires" in sidecar:
        out.expires, out.period, out.expires_condition = sidecar["expires"], "", ""
        out.spans.pop("expires", None)
        out.quotes["expires"] = "(sidecar)"
    for kind in ("repeals", "amends"):
        if kind in sidecar:
            out.refs = [r for r in out.refs if r.relation != kind]
            for ref in sidecar[kind]:
                number = "" if "号" not in ref or "《" in ref else ref
                out.refs.append(DocRef(kind, "" if number else ref.strip("《》"), number,
                                       "(sidecar)"))  # fmt: skip
    return out
