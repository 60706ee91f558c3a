"""Comparison questions (pure): "2024年和2025年的GDP增长目标分别是多少？", "比较2023—2025年政府工作
报告中关于工业互联网的部署", "Compare the deficit ratio targets of 2024 and 2025".

``plan_comparison`` finds the axis — years (a list or a range), documents (two or more 《titles》)
or issuers (two or more issuing bodies of the index named in the question) — and needs a word
that asks for a comparison (分别, 比较, 对比, 相比, 变化, 异同, compare, respectively …), so an
ordinary question that happens to name two years is left alone. Each item gets its own
question and filters (a year: documents of that year; a document: that document; an issuer:
its documents); ``table_answer`` puts the per-item answers into one answer whose table cells
are verbatim quotes with renumbered markers, or "not found".
"""

from __future__ import annotations

import fnmatch
import glob
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace

from assistant.core.text import YEAR_RE, comparable
from assistant.core.types import (
    Answer,
    Citation,
    Comparison,
    ComparisonCell,
    Language,
    SearchFilters,
)
from assistant.core.validity import title_keys

MAX_ITEMS = 15  # items one comparison asks (2011–2025 in one table); more are left out, noted

_CUE_ZH = re.compile(
    r"分别|比较|对比|相比|比起|变化|变动|异同|区别|不同|差别|差异|各是|各为|各自|各年|逐年|历年|调整"
)
_CUE_EN = re.compile(
    r"\b(?:compare[sd]?|comparison|respectively|each|differ(?:ence|ent)?s?|change[sd]?|"
    r"versus|vs\.?|evolve[sd]?|between)\b",
    re.I,
)
_YEAR = r"(?:19|20)\d{2}"
_RANGE = re.compile(
    rf"(?:from\s+)?({_YEAR})\s*(?:—|–|-|－|~|～|to|through|until)\s*({_YEAR})",
    re.I,
)
_RANGE_ZH = re.compile(rf"({_YEAR})\s*年?\s*(?:—|–|-|－|~|～|至|到)\s*({_YEAR})\s*年?")
_YEAR_ZH = re.compile(rf"({_YEAR})\s*年(?:度)?")
_TITLE = re.compile(r"《([^》]{2,80})》")
# What is left of a question once its items are taken out: joints and comparison words.
_JOINTS_ZH = re.compile(r"^[\s、，,和与及跟同以及到至—–\-的年]+|[\s、，,和与及跟同以及]+$")
_ASK_ZH = re.compile(
    r"(?:请)?(?:比较|对比|相比较?|比起)(?:一下)?|(?:分别|各自|各)(?:是|为)?|"
    r"(?:相比)?(?:有|发生了?)?(?:什么|哪些|何|怎样的)(?:变化|不同|区别|异同|差异|差别)|"
    r"(?:的)?(?:变化|异同|区别|差异|差别|不同)(?:情况)?|相比(?:如何|怎么样)?"
)
_ASK_EN = re.compile(
    r"\b(?:what|how|which|were|was|is|are|did|do|does|has|have|much|many|say|says|said|about|"
    r"set|planned|compare[sd]?|comparison|respectively|each|differ(?:ence|ent)?s?|change[sd]?|"
    r"evolve[sd]?|versus|vs|between|and|of|in|for|from|to|the|reports?|years?)\b",
    re.I,
)
_DOC_WORDS_ZH = re.compile(
    r"^(?:(?:政府)?工作报告|报告|文件|通知|规划)?\s*(?:中|里|上)?\s*(?:提出|明确|部署|安排)?\s*"
    r"(?:的|关于|对于|对|有关)+\s*"
)
# Two or more years listed with a conjunction: "2024年和2025年", "2022 and 2023".
_LISTED = re.compile(rf"{_YEAR}\s*年?\s*(?:和|与|及|跟|、|,|，|and)\s*(?:the\s+)?{_YEAR}", re.I)


@dataclass
class Plan:
    """A comparison: the axis, the items along it, and what is asked of each (``topic``)."""

    axis: str  # "year" | "document" | "issuer"
    items: list[str]
    topic: str
    language: Language
    left_out: list[str] = field(default_factory=list)  # items beyond MAX_ITEMS

    def question_for(self, item: str) -> str:
        """The question asked for one item: "2024年GDP增长目标是多少？"."""
        if self.axis == "year":
            if self.language == "zh":
                return f"{item}年{self.topic}"
            return f"{self.topic} in {item}"
        if self.axis == "document":
            return f"《{item}》{self.topic}" if self.language == "zh" else f"{self.topic} ({item})"
        # An issuer is the filter; its name in the question would match signature lines.
        return re.sub(r"^的", "", self.topic) or self.topic


def _years(question: str, lang: Language) -> tuple[list[str], list[tuple[int, int]]]:
    """The years a question names (ranges expanded) and where they stand."""
    years: list[int] = []
    spans: list[tuple[int, int]] = []
    for m in (_RANGE_ZH if lang == "zh" else _RANGE).finditer(question):
        a, b = int(m.group(1)), int(m.group(2))
        if a < b:
            years.extend(range(a, b + 1))
            spans.append(m.span())
    rest = question
    for a, b in spans:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    for m in (_YEAR_ZH if lang == "zh" else YEAR_RE).finditer(rest):
        years.append(int(m.group(1)))
        spans.append(m.span())
    ordered = sorted(set(years))
    return [str(y) for y in ordered], sorted(spans)


def _topic(question: str, spans: list[tuple[int, int]], lang: Language) -> str:
    rest = question
    for a, b in sorted(spans, reverse=True):
        rest = rest[:a] + "\0" + rest[b:]
    if lang == "zh":
        rest = _ASK_ZH.sub("", rest)
        parts = [p for p in (_JOINTS_ZH.sub("", x) for x in rest.split("\0")) if p.strip()]
        topic = "".join(parts)
        topic = re.sub(r"^(?:中|里|的)+", "", topic)
        # The documents an item is asked of are already chosen by its filter: words naming
        # them (政府工作报告中关于…) only dilute what is asked.
        topic = _DOC_WORDS_ZH.sub("", topic) or topic
        topic = re.sub(r"(?:如何|怎么样|怎样)?[？?。]*$", "", topic).strip("，, ")
        if re.search(r"什么|如何|怎么|哪些|多少|几", topic):
            return f"{topic}？"
        return (
            f"{topic}是多少？"
            if re.search(r"目标|规模|数额|金额|比例|率|额|人数", topic)
            else topic
        )
    rest = _ASK_EN.sub(" ", rest.replace("\0", " "))
    return re.sub(r"[\s?.,;:'’]+", " ", rest).strip()


def plan_comparison(
    question: str,
    lang: Language,
    issuers: Collection[str] = (),
) -> Plan | None:
    """The comparison ``question`` asks for, or None when it asks for none (see module doc)."""
    cue = _CUE_ZH if lang == "zh" else _CUE_EN
    if not cue.search(question) and not _LISTED.search(question):
        return None
    years, spans = _years(question, lang)
    if len(years) >= 2:
        return Plan("year", years[:MAX_ITEMS], _topic(question, spans, lang), lang,
                    years[MAX_ITEMS:])  # fmt: skip
    titles = [(m.group(1), m.span()) for m in _TITLE.finditer(question)]
    if len({comparable(t) for t, _ in titles}) >= 2:
        topic = _topic(question, [s for _, s in titles], lang)
        names = list(dict.fromkeys(t for t, _ in titles))
        return Plan("document", names[:MAX_ITEMS], topic, lang, names[MAX_ITEMS:])
    named = [i for i in issuers if len(i) >= 2 and i in question]
    named = [i for i in named if not any(i != j and i in j for j in named)]  # the longest form
    if len(named) >= 2:
        named.sort(key=question.index)
        spans = [(question.index(i), question.index(i) + len(i)) for i in named]
        return Plan("issuer", named[:MAX_ITEMS], _topic(question, spans, lang), lang,
                    named[MAX_ITEMS:])  # fmt: skip
    return None


def item_filters(
    plan: Plan, item: str, base: SearchFilters, titles: Mapping[str, str],
    newest_first: Callable[[list[str]], list[str]] = sorted,
) -> SearchFilters | None:  # fmt: skip
    """The filters one item is searched under (``base`` narrowed to it), or None when the item
    cannot match anything (a year outside ``base``'s dates, a title no indexed document has, or
    none within ``base``'s source glob). ``titles`` maps each indexed source to its title;
    ``newest_first`` orders several versions of one title, the one to ask first."""
    if plan.axis == "year":
        early = base.date_from and item < base.date_from[:4]
        if early or (base.date_to and item > base.date_to[:4]):
            return None
        # The user's own dates stay where they are narrower than the year.
        lo = base.date_from if base.date_from[:4] == item else item
        hi = base.date_to if base.date_to[:4] == item else item
        return replace(base, date_from=lo, date_to=hi)
    if plan.axis == "document":
        wanted = title_keys(item)
        matching = [
            src for src, t in titles.items() if wanted & title_keys(t)
            and (not base.source or fnmatch.fnmatchcase(src, base.source))
        ]  # fmt: skip
        if not matching:
            return None
        return replace(base, source=glob.escape(newest_first(matching)[0]))
    return replace(base, issuer=item)


NOT_FOUND_CELL = {"zh": "未在已索引的文件中找到", "en": "not found in the indexed documents"}
_MARK = re.compile(r"\[(\d+)\]")


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    return _MARK.sub(lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", text)


def table_answer(
    question: str, plan: Plan, results: list[tuple[str, str, Answer | None]]
) -> Answer:
    """One answer from the per-item answers ``(item, item question, answer or None)``: markers
    renumbered across items; ``text`` is the table in Markdown (one row per item, each cell a
    verbatim quote with its marker) and ``comparison`` the same table as data."""
    lang = plan.language
    cells: list[ComparisonCell] = []
    citations: list[Citation] = []
    hits = []
    lines = []
    for item, asked, answer in results:
        label = f"{item}年" if plan.axis == "year" and lang == "zh" else item
        if answer is None or answer.abstained or not answer.citations:
            cells.append(ComparisonCell(item, False, NOT_FOUND_CELL[lang], question=asked))
            lines.append(f"{label}：{NOT_FOUND_CELL[lang]}" if lang == "zh"
                         else f"{label}: {NOT_FOUND_CELL[lang]}")  # fmt: skip
            if answer is not None:
                hits.extend(answer.hits)
            continue
        offset = len(citations)
        renumber = {c.marker: c.marker + offset for c in answer.citations}
        for c in answer.citations:
            citations.append(replace(c, marker=renumber[c.marker]))
        text = _renumbered(answer.text, renumber)
        first = answer.citations[0]
        short = answer.short.text if answer.short else ""
        cells.append(ComparisonCell(item, True, text, renumber[first.marker], first.quote,
                                    short, first.source, first.title, asked))  # fmt: skip
        lines.append(f"{label}：{text}" if lang == "zh" else f"{label}: {text}")
        hits.extend(answer.hits)
    found = [r[2] for r in results if r[2] is not None and not r[2].abstained and r[2].citations]
    comparison = Comparison(plan.axis, plan.topic, cells)  # type: ignore[arg-type]
    answer = Answer(
        question, comparison.markdown(lang), citations, hits, abstained=not found, language=lang,
        evidence=min((a.evidence for a in found), default=0.0),
        confidence=min((a.confidence for a in found), default=0.0),
        support=min((a.support for a in found), default=0.0), comparison=comparison,
    )  # fmt: skip
    if plan.left_out:
        answer.notes.append(
            f"只比较了前{len(plan.items)}项，未比较：" + "、".join(plan.left_out) if lang == "zh"
            else f"only the first {len(plan.items)} were compared; left out: "
            + ", ".join(plan.left_out)
        )  # fmt: skip
    missing = [c.item for c in cells if not c.found]
    if missing:
        answer.notes.append(
            ("未找到：" + "、".join(missing))
            if lang == "zh"
            else "not found: " + ", ".join(missing)
        )
    return answer
