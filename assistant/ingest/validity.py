"""What a notice says about its own validity, read by rule (pure): when it takes effect, when it
ends, which documents it repeals or amends, and who interprets it.

Families read (each a regular phrase of 公文 closings):

- effective: 本通知自印发之日起施行 (→ the document's own date), 自2026年3月1日起施行/实施/执行/
  生效, 自二〇二六年三月一日起施行;
- end: 有效期至2028年12月31日 / 至2028年底 / 至2028年6月底, 有效期5年 / 3个月 / 半年 (counted from
  the effective date), 执行至2020年12月31日, 有效期至疫情解除 (an event: kept as a condition);
- repeal: 原《…》（工信部〔2018〕12号）同时废止, …的通知（…〔2019〕8号）即行废止, 停止执行,
  不再执行, 同时失效;
- amendment: a title 关于修改《…》的决定, or 对《…》作如下修改; revision: a title ending
  （2024年修订）, which replaces the earlier version of the same title;
- interpretation: 本办法由…负责解释.

Only statements about the document itself count: an end date must stand in a sentence that names
the document (本通知, 本办法, 以上措施 …) or its effective clause, because 有效期 is as often about
a licence or a certificate. News reports carry no validity of their own.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import re

from assistant.core.types import DocMeta, DocRef, Validity
from assistant.core.validity import REVISION_MARK, inner_title
from assistant.ingest.dates import DATE_TEXT, cn_number, find_dates, only_date
from assistant.ingest.segments import ANNOUNCEMENT_NO, DOC_NO

__all__ = ["base_title", "parse_validity", "revision_year"]

_DOC_WORDS = (
    r"通知|办法|规定|意见|方案|措施|细则|决定|条例|政策|公告|通告|规则|标准|指南|计划|规划|"
    r"文件|意见稿|若干措施|实施细则|管理办法|暂行办法|决议|通报|批复|函"
)
# The document speaking of itself: 本通知, 本办法, 以上政策, 上述措施, 本《办法》.
_SELF = re.compile(rf"(?:本|此|以上|上述|前述)\s*《?(?:{_DOC_WORDS})|本\s*《[^》]{{1,30}}》")
_START_VERB = r"(?:起|开始)?\s*(?:正式)?(?:施行|实施|执行|生效|试行|起施行|起实施|起执行)"
_ISSUED = r"(?:印发|发布|公布|颁布|下发|发文|公告|签发|通过|下达)"
# 自印发之日起施行, 自本通知发布之日起执行, 自即日起施行, 自发布之日起暂执行至….
_ON_ISSUE = re.compile(
    rf"自\s*(?:即日|[^，。；、]{{0,8}}?{_ISSUED}\s*之\s*日)\s*起\s*(?:正式|暂)?"
    r"(?:施行|实施|执行|生效|试行)"
)
# The same start inside a stated period: 执行期暂定为自发布之日起三个月 / …起至2020年6月30日.
_ON_ISSUE_PERIOD = re.compile(
    rf"(?:执行期|施行期|实施期|有效期)[^，。；]{{0,12}}?自\s*[^，。；、]{{0,8}}?{_ISSUED}\s*之\s*日\s*起"
)
_ON_DATE = re.compile(rf"自\s*({DATE_TEXT})\s*(?:零时|0时|零点|0点)?\s*{_START_VERB}")
# 自公布之日起30日后施行: a start a number of days after issue.
_DAYS_AFTER = re.compile(
    rf"自\s*[^，。；、]{{0,8}}?{_ISSUED}\s*之\s*日\s*起\s*(\d{{1,3}}|[一二三四五六七八九十]{{1,3}})"
    r"\s*日后\s*(?:施行|实施|执行|生效)"
)
# 执行期限为2024年1月1日至2025年6月底 / 有效期自2024年3月1日起至2027年2月28日止: both ends.
_FROM_TO = re.compile(
    rf"(?:有效期|执行期限?|实施期限?|施行期|试行期)\s*(?:为|是)?\s*自?\s*({DATE_TEXT})\s*(?:起)?\s*"
    rf"(?:至|到)\s*({DATE_TEXT}|(?:19|20)\d{{2}}\s*年\s*(?:\d{{1,2}}\s*月\s*)?(?:底|末))"
)
# 实施期为2023年至2025年 / 执行期限为2024—2026年: a period of whole years.
_YEARS_SPAN = re.compile(
    r"(?:有效期|执行期限?|实施期限?|施行期|试行期)\s*(?:为|是)?\s*((?:19|20)\d{2})\s*年?\s*"
    r"(?:至|到|—|-|–|－|~)\s*((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)"
)
_UNTIL_DATE = re.compile(
    r"(?:有效期|执行期限|实施期限|执行期|实施期|施行期)?\s*(?:至|到|截至)\s*"
    rf"({DATE_TEXT})\s*(?:止|为止|结束)?"
)
_UNTIL_MONTH_END = re.compile(
    r"(?:有效期|执行|实施|施行)\s*(?:期限|期)?(?:暂定)?\s*[，,]?\s*(?:至|到)\s*"
    r"((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:底|末)"
)
_PERIOD = re.compile(
    r"(?:有效期|执行期限?|施行期|实施期限?|试行期)\s*(?:为|暂定为?|暂定)?\s*"
    r"(?:自[^，。；]{0,12}?之日起(?:的)?\s*)?"
    r"(\d{1,2}|[一二两三四五六七八九十]{1,2}|半)\s*(年|个月|月)(半)?"
)
_UNTIL_EVENT = re.compile(
    r"(?:有效期|执行|实施|施行)\s*(?:期限)?\s*(?:暂定)?\s*(?:至|到|顺延至)\s*"
    r"([^。；，,]{2,30}?(?:解除|结束|终止|消除|为止|时止|时为止))"
    # 至市级…办法出台之日止 / 有效期至《…规划》批准实施之日止
    r"|(?:有效期|执行|实施|施行)\s*(?:期限)?\s*[，,]?\s*(?:至|到)\s*([^。；，,]{2,50}?之日)\s*为?止"
    # 自2023年1月1日起执行，至国家出台新的政策规定时止
    r"|(?:施行|实施|执行|生效)\s*[，,]\s*(?:至|到)\s*([^。；，,]{2,30}?(?:时止|时为止|解除|结束|终止))"
    # 自…结束之日起停止执行 / 待…结束后自行废止
    r"|(?:自|待|至)\s*([^。；，,]{2,30}?(?:解除|结束|终止))\s*(?:之日起|后)?\s*"
    r"(?:停止执行|自行废止|自行失效|废止|失效)"
    # 适用于疫情防控期间 / 有效期为疫情防控期间 / 在疫情防控期间有效
    r"|(?:适用于|有效期为|在)\s*([^。；，,]{2,20}?期间)\s*(?:有效|内有效)?"
)
_REPEAL = re.compile(
    r"(?:同时|即行|予以|一并|自行|相应)?\s*"
    r"(?:废止|停止执行|不再执行|同时失效|自行失效|失效)(?!日期|时间|的)"
)
_AMEND = re.compile(
    r"对\s*《([^》]{4,120})》\s*(?:[（(][^）)]{0,40}[）)])?\s*"
    r"(?:作|做|进行)(?:如下|以下)?(?:修改|修订)"
)
_TITLE_REF = re.compile(r"《([^》]{4,150})》\s*(?:[（(]\s*([^）)]{2,60}?)\s*[）)])?")
# A title written without 《》 right before its 文号 in brackets: …的通知（…〔2019〕8号）.
_BARE_TITLE_REF = re.compile(
    rf"((?:[\u4e00-\u9fff]{{2,40}}(?:[ \u3000][\u4e00-\u9fff]{{2,40}}){{0,3}})?"
    rf"关于[^，。；《》（）()]{{2,100}}?(?:{_DOC_WORDS}))"
    r"\s*[（(]\s*([^）)]{2,60}?)\s*[）)]"
)
# 本办法由…负责解释 / 相关措施由…负责政策解释 / 由…会同…负责解释 / …负责本政策的解释.
_INTERPRET = re.compile(
    r"由\s*([^。，；,由]{2,60}?)\s*负责\s*(?:政策|具体)?\s*解释(?=[。；，,\s]|$)"
    rf"|([^。，；,\s]{{2,40}}?)\s*负责\s*(?:本|此|以上|上述)\s*(?:{_DOC_WORDS})\s*的\s*解释"
)
_AMENDING_TITLE = re.compile(r"关于修改\s*《([^》]{4,150})》\s*(?:等[^的]{0,20})?的决定")
_END_WORDS = re.compile(
    r"有效期|执行期|施行期|实施期|试行期|执行至|实施至|施行至|执行到|实施到|暂执行至|停止执行|"
    r"自行废止|自行失效|期间有效|适用于[^，。；]{0,20}期间|至[^，。；]{2,50}?(?:时|之日)为?止|"
    r"至\s*(?:19|20)\d{2}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:底|末)"
)
# 《公告》自…起施行: a quoted title as the subject speaks of that document, not of this one.
_OTHER_SUBJECT = re.compile(r"(?<!本)《[^》]{1,40}》\s*(?:[（(][^）)]{0,40}[）)])?[^，。；]{0,6}自")
# 本通知代替青发改规〔2022〕4号 / 决定废止以下文件：1.《…》…: the documents come after the verb.
_REPLACES = re.compile(r"(?:代替|替代|取代)")
_LIST_FOLLOWS = re.compile(
    r"(?:废止|停止执行|宣布失效)\s*(?:以下|下列|如下)\s*[^。；：:]{0,12}[：:]"
)
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_TAIL_SHARE = 0.35  # closing clauses stand in the last part of a notice


def _number(s: str) -> float:
    """5 / 五 / 两 / 十二 → the number; 半 → 0.5."""
    return 0.5 if s == "半" else float(cn_number(s))


def _iso(phrase: str) -> str:
    found = find_dates(phrase)
    return found[0][1] if found else ""


def _add_months(iso: str, months: int) -> tuple[datetime.date, bool]:
    """``iso`` plus ``months``, and whether its day had to be cut to the month's length."""
    d = datetime.date.fromisoformat(iso)
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    last = calendar.monthrange(y, m)[1]
    return datetime.date(y, m, min(d.day, last)), d.day > last


def _last_day(start_iso: str, amount: float, unit: str) -> str:
    """The last day in force of a period of ``amount`` ``unit`` starting on ``start_iso``."""
    months = round(amount * 12) if unit == "年" else round(amount)
    if months < 1:
        return ""  # 半个月: not a period of whole months
    end, cut = _add_months(start_iso, months)
    # Three months from 31 January run to the end of April, not to the 29th.
    return end.isoformat() if cut else (end - datetime.timedelta(days=1)).isoformat()


def _sentences(text: str) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), m.group(0)) for m in _SENTENCE.finditer(text) if m.group(0).strip()
    ]


def _full(iso: str) -> bool:
    return len(iso) == 10


def base_title(title: str) -> str:
    """A title without its revision mark: 《…办法（2024年修订）》 → 《…办法》."""
    return REVISION_MARK.sub("", title).strip()


def _revised(title: str) -> str:
    """The revised document's own title: the title, or the X of 关于印发《X》的通知 (not of a
    转发 notice, which passes on another body's revision)."""
    return title if "转发" in title else inner_title(title) or title


def revision_year(title: str) -> str:
    """The year of a revision mark at the end of a title, or of the title it issues
    (关于印发《…办法（2024年修订）》的通知): "2024", or ""."""
    m = REVISION_MARK.search(_revised(title))
    return m.group(1) if m else ""


def _clean_number(number: str) -> str:
    """A 文号 without the words a sentence put before it (原…, 和…, 及…)."""
    number = "".join(number.split())
    return re.sub(r"^(?:原|和|及|与|或|将|对|把|的|等|即|并|以及|、)+", "", number)


def _doc_number(s: str) -> str:
    m = DOC_NO.search(s) or ANNOUNCEMENT_NO.search(s)
    return _clean_number(m.group(0)) if m else ""


def _refs_in(clause: str) -> list[tuple[str, str]]:
    """``(title, 文号)`` of every document a clause names."""
    out: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _TITLE_REF.finditer(clause):
        number = _doc_number(m.group(2) or "")
        out.append((m.group(1).strip(), number))
        taken.append(m.span())
    for m in _BARE_TITLE_REF.finditer(clause):
        if any(a <= m.start() < b for a, b in taken):
            continue
        number = _doc_number(m.group(2))
        if number:
            title = re.sub(r"^(?:原|同时|将|对|把|的|和|及|与|、)+", "", m.group(1).strip())
            out.append((title, number))
            taken.append(m.span())
    # A 文号 on its own: 工信部〔2018〕12号文件同时废止.
    rest = clause
    for a, b in sorted(taken, reverse=True):
        rest = rest[:a] + " " * (b - a) + rest[b:]
    for m in DOC_NO.finditer(rest):
        out.append(("", _clean_number(m.group(0))))
    return out


_ITEM = re.compile(
    r"(?:^|(?<=\s))(?:\d{1,3}\s*[\.．、]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)"
)


def _listed_after(text: str, at: int) -> tuple[list[tuple[str, str]], int]:
    """The documents listed after ``at`` and where the list ends: one per line, or on
    flattened text one per numbered item (1. / （一） / 一、) up to the sentence's end; the list
    ends at the first item that names no document."""
    out: list[tuple[str, str]] = []
    rest = text[at:]
    line_end = rest.find("\n", 0, 400)
    if line_end >= 0 and not rest[:line_end].strip():  # a list of lines
        pos = at
        for m in re.finditer(r"[^\n]*\n?", rest):
            line = m.group(0).strip()
            if not line:
                if out:
                    break
                pos = at + m.end()
                continue
            named = _refs_in(line[:600])
            if not named:
                break
            out.extend(named)
            pos = at + m.end()
        return out, pos
    stop = rest.find("。")
    segment = rest[: stop if stop >= 0 else len(rest)]
    starts = [m.start() for m in _ITEM.finditer(segment)] or [0]
    starts.append(len(segment))
    for a, b in itertools.pairwise(starts):
        named = _refs_in(segment[a:b][:600])
        if not named:
            break
        out.extend(named)
    return out, at + len(segment)


def _quoted(text: str, at: int) -> bool:
    """Whether offset ``at`` stands inside “…” (quoted wording, such as an amended article)."""
    head = text[max(0, at - 3000) : at]
    return head.count("“") > head.count("”")


def _unquoted(sent: str) -> str:
    """``sent`` with quoted wording (“…”, to the sentence end when unclosed) blanked out."""
    return re.sub(r"“[^”]*(?:”|$)", lambda m: " " * len(m.group(0)), sent)


def _own_period(sent: str, m: re.Match[str]) -> bool:
    """A period 有效期 / 执行期限 … of the document itself: after a document word (方案执行期限),
    本…, or at the start of a clause — not a certificate's or a permit's."""
    before = sent[max(0, m.start() - 8) : m.start()]
    if re.search(r"证|照|许可|资格|合同|租期|认定|登记", before):
        return False
    return bool(re.search(rf"(?:{_DOC_WORDS})\s*$|^\s*$|[，,。；、：:）)]\s*$", before)
                or _SELF.search(sent))  # fmt: skip


def _law(title: str, number: str) -> bool:
    """A law or regulation cited as the basis, not a notice a notice repeals."""
    return bool(title and re.search(r"(?<!办)法$|条例$", title) and not number
                and "关于" not in title)  # fmt: skip


def _repeals(text: str, sentences: list[tuple[int, int, str]]) -> list[DocRef]:
    refs: list[DocRef] = []
    listed_to = -1
    for start, end, sent in sentences:
        if start < listed_to:
            continue
        after = _LIST_FOLLOWS.search(sent)
        if after:
            named, listed_to = _listed_after(text, start + after.end())
            refs += [DocRef("repeals", t, n, sent.strip(), start, end) for t, n in named
                     if not _law(t, n)]  # fmt: skip
            continue
        replaced = _REPLACES.search(sent)
        if replaced and _SELF.search(sent[: replaced.start()]):
            refs += [DocRef("repeals", t, n, sent.strip(), start, end)
                     for t, n in _refs_in(sent[replaced.end() :]) if not _law(t, n)]  # fmt: skip
            continue
        if not _REPEAL.search(sent):
            continue
        clauses = re.split(r"(?<=[，,：:])", sent)
        for i, clause in enumerate(clauses):
            verb = _REPEAL.search(clause)
            if not verb:
                continue
            # The documents named before the verb in its clause, else in the clause before.
            named = _refs_in(clause[: verb.start()][-2000:])
            if not named and i > 0:
                named = _refs_in(clauses[i - 1])
            for title, number in named:
                if not _law(title, number):
                    refs.append(DocRef("repeals", title, number, sent.strip(), start, end))
    return refs


def _amends(title: str, sentences: list[tuple[int, int, str]]) -> list[DocRef]:
    refs: list[DocRef] = []
    m = _AMENDING_TITLE.search(title)
    if m:
        refs.append(DocRef("amends", m.group(1).strip(), "", title, 0, 0))
    for start, end, sent in sentences:
        for a in _AMEND.finditer(sent):
            name = a.group(1).strip()
            same = [r for r in refs if r.title == name]
            number = _doc_number(a.group(0))
            if not same:
                refs.append(DocRef("amends", name, number, sent.strip(), start, end))
            elif number and not same[0].doc_number:  # the title named it; the clause has its 文号
                same[0].doc_number = number
                same[0].evidence, same[0].start, same[0].end = sent.strip(), start, end
    rev = revision_year(title)
    if rev:
        refs.append(DocRef("revises", base_title(_revised(title)), "", title, 0, 0))
    return refs


def _effective(
    text: str, sentences: list[tuple[int, int, str]], meta: DocMeta, news: bool
) -> tuple[str, str, list[int]]:
    """``(effective ISO date, kind, [start, end])`` from the last effective clause that names
    the document itself (else the last one in the closing part of the text; never in news)."""
    cands: list[tuple[bool, int, str, str, list[int]]] = []
    tail_from = int(len(text) * (1 - _TAIL_SHARE))
    issued = meta.date if _full(meta.date) else ""
    for start, end, raw in sentences:
        sent = _unquoted(raw)
        if _OTHER_SUBJECT.search(sent) or _quoted(text, start):
            continue
        span_m = _FROM_TO.search(sent)
        own = bool(_SELF.search(sent)) or bool(span_m and _own_period(sent, span_m))
        for m in _ON_DATE.finditer(sent):
            iso = _iso(m.group(1))
            if iso:
                cands.append((own, start, iso, "date", [start, end]))
        both = span_m if own else None
        if both and _iso(both.group(1)):
            cands.append((own, start, _iso(both.group(1)), "date", [start, end]))
            continue
        later = _DAYS_AFTER.search(sent)
        if later and issued:
            days = int(_number(later.group(1)))
            when = datetime.date.fromisoformat(issued) + datetime.timedelta(days=days)
            cands.append((own, start, when.isoformat(), "date", [start, end]))
        elif _ON_ISSUE.search(sent) or _ON_ISSUE_PERIOD.search(sent):
            cands.append((own, start, issued, "on_issue", [start, end]))
    own_ones = [c for c in cands if c[0]]
    pool = own_ones or ([] if news else [c for c in cands if c[1] >= tail_from])
    if not pool:
        return "", "", []
    _, _, iso, kind, span = pool[-1]
    return iso, kind, span


def _month_end(phrase: str) -> str:
    """2025年底 → 2025-12-31, 2025年6月底 → 2025-06-30, else ""."""
    m = re.search(r"((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月\s*)?(?:底|末)", phrase)
    if not m:
        return ""
    y, mo = int(m.group(1)), int(m.group(2) or 12)
    return f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}" if 1 <= mo <= 12 else ""


def _until(sent: str) -> str:
    """The last day a sentence gives as the end of a period, or ""."""
    m = _UNTIL_MONTH_END.search(sent)
    if m:
        y, mo = int(m.group(1)), int(m.group(2) or 12)
        if 1 <= mo <= 12:
            return f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    for u in _UNTIL_DATE.finditer(sent):
        iso = _iso(u.group(1))
        head = sent[max(0, u.start() - 24) : u.start() + 4]
        starts = _ON_DATE.match(sent, max(0, u.start() - 1))
        if iso and re.search(r"有效期|期限|执行|实施|施行", head) and not starts:
            return iso
    return ""


def _end(
    text: str, sentences: list[tuple[int, int, str]], effective: str, meta: DocMeta
) -> tuple[str, str, str, list[int]]:
    """``(last day ISO, period, condition, [start, end])`` of the document's own end."""
    for start, end, raw in reversed(sentences):
        sent = _unquoted(raw)
        if _quoted(text, start) or _OTHER_SUBJECT.search(sent):
            continue
        both = _FROM_TO.search(sent)
        if both and _own_period(sent, both):
            last = _iso(both.group(2)) or _month_end(both.group(2))
            if last:
                return last, "", "", [start, end]
        own = _SELF.search(sent) or _ON_ISSUE.search(sent) or _ON_DATE.search(sent)
        if not own or not _END_WORDS.search(sent):
            continue
        span = [start, end]
        years = _YEARS_SPAN.search(sent)
        if years and years.group(1) <= years.group(2):
            return f"{years.group(2)}-12-31", "", "", span
        last = _until(sent)
        if last:
            return last, "", "", span
        p = _PERIOD.search(sent)
        if p:
            amount, unit = _number(p.group(1)) + (0.5 if p.group(3) else 0.0), p.group(2)
            period = f"{p.group(1)}{unit}{p.group(3) or ''}"
            start_iso = effective if _full(effective) else (meta.date if _full(meta.date) else "")
            last = _last_day(start_iso, amount, unit) if start_iso and amount else ""
            return last, period, "", span
        e = _UNTIL_EVENT.search(sent)
        if e:
            return "", "", next(g for g in e.groups() if g).strip(), span
    return "", "", "", []


def _interpreter(text: str, sentences: list[tuple[int, int, str]]) -> tuple[str, list[int], str]:
    """Who interprets the document, from the last 负责解释 clause of its closing part."""
    tail_from = int(len(text) * (1 - _TAIL_SHARE))
    for start, end, sent in reversed(sentences):
        if end < tail_from:
            break
        m = _INTERPRET.search(sent)
        if m:
            name = next(g for g in m.groups() if g).strip()
            name = re.sub(r"^(?:本|此|以上|上述)?\s*《?(?:" + _DOC_WORDS + r")》?\s*", "", name)
            if name:
                return name, [start, end], sent.strip()
    return "", [], ""


def _forwarding_part(text: str) -> str:
    """A 转发 notice's own text: up to its signature's date line. What follows is the forwarded
    document, whose 本通知自…施行 speaks of itself."""
    pos = 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        if pos > len(text) * 0.1 and only_date(line.strip()):
            return text[:pos]
    return text


def parse_validity(text: str, meta: DocMeta) -> Validity:
    """The validity facts ``text`` states about itself (see the module doc); ``meta`` gives the
    document's date (for 自印发之日起施行 and periods) and title (amendments, revisions). In
    news only statements naming the document itself (本意见…自印发之日起施行) count."""
    v = Validity()
    if not text:
        return v
    news = meta.doc_type == "新闻"
    if "转发" in meta.title:
        text = _forwarding_part(text)
    sentences = _sentences(text)
    v.effective, v.effective_kind, span = _effective(text, sentences, meta, news)
    if span:
        v.spans["effective"] = span
        v.quotes["effective"] = text[span[0] : span[1]].strip()
    v.expires, v.period, v.expires_condition, end_span = _end(text, sentences, v.effective, meta)
    if end_span:
        v.spans["expires"] = end_span
        v.quotes["expires"] = text[end_span[0] : end_span[1]].strip()
    if news:
        return v
    own = _clean_number(meta.doc_number)
    v.refs = [
        r for r in _repeals(text, sentences) + _amends(meta.title, sentences)
        if not (own and r.doc_number == own)  # 本通知（某发〔2024〕1号）…: itself
    ]  # fmt: skip
    v.interpreted_by, who, quote = _interpreter(text, sentences)
    if who:
        v.spans["interpreted_by"] = who
        v.quotes["interpreted_by"] = quote
    return v
