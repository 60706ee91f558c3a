"""Which indexed document is in force on a date (pure): the repeal, amendment and revision
references documents make (``Validity.refs``) resolved to the indexed documents they name — by
文号, else by title — and each document's status as of a date, the warning a citation of it
carries, and its timeline.

A reference resolves by 文号 when one is written (brackets and spaces normalised), else by title
(compared without punctuation; a notice 关于印发《X》的通知 also answers to X, and a title to its
part from 关于 on). Of several documents with that title, the latest one older than the naming
document is meant. A document is in force on a day when it has begun (its effective date, else
its date), has not reached its last day, and no document in force by then repealed or replaced
it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.core.text import comparable
from assistant.core.types import Validity

RelationKind = Literal["repeals", "repealed_by", "amends", "amended_by", "revises", "revised_by"]
_INVERSE: dict[str, RelationKind] = {
    "repeals": "repealed_by", "amends": "amended_by", "revises": "revised_by"
}  # fmt: skip
_BRACKETS = str.maketrans(
    {"[": "〔", "［": "〔", "【": "〔", "(": "〔", "（": "〔", "﹝": "〔",
     "]": "〕", "］": "〕", "】": "〕", ")": "〕", "）": "〕", "﹞": "〕"}
)  # fmt: skip
_INNER_TITLE = re.compile(r"关于(?:印发|转发|发布|公布|颁布)\s*《([^》]+)》")
# A revision mark ending a title: （2024年修订）, (2024年修正), （2024年第二次修订）.
REVISION_MARK = re.compile(
    r"\s*[（(]\s*((?:19|20)\d{2})\s*年\s*"
    r"(?:修订|修正|修改|第[一二三四五六七八九十\d]+次修订)\s*[）)]\s*$"
)


def inner_title(title: str) -> str:
    """The X of 关于印发《X》的通知 (the document a covering notice issues), or ""."""
    m = _INNER_TITLE.search(title)
    return m.group(1) if m else ""


@dataclass(frozen=True)
class DocFacts:
    """What resolution needs of one indexed document."""

    source: str
    title: str = ""
    doc_number: str = ""
    date: str = ""
    issuer: str = ""
    validity: Validity = field(default_factory=Validity)

    @property
    def begins(self) -> str:
        return self.validity.effective or self.date


@dataclass
class Relation:
    """One edge of the timeline: ``source`` (this document) ``kind`` ``other`` — e.g.
    repealed_by — from ``since``, with the sentence that says so in ``evidence_source``."""

    kind: RelationKind
    other: str  # the other document's source, "" when it is not indexed
    title: str  # the other document's title (as indexed, else as written)
    doc_number: str
    since: str  # ISO date the relation takes effect ("" when not known)
    evidence: str
    evidence_source: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocStatus:
    """One document's validity and its resolved relations to the other indexed documents."""

    facts: DocFacts
    relations: list[Relation] = field(default_factory=list)

    def replaced(self) -> list[Relation]:
        """The relations that end this document: repealed or replaced by a revision."""
        return [r for r in self.relations if r.kind in ("repealed_by", "revised_by")]

    def in_force(self, on: str) -> bool:
        return not status_problem(self, on)[0]


def number_key(number: str) -> str:
    """A 文号 as references are matched by: no spaces, one kind of bracket, no 第."""
    return "".join(number.split()).translate(_BRACKETS).replace("第", "")


def title_keys(title: str) -> set[str]:
    """The forms a title is matched by: itself, from 关于 on, the X of 关于印发《X》的通知, and
    each without a revision mark."""
    keys = set()
    for t in (title, REVISION_MARK.sub("", title)):
        t = t.strip().strip("《》")
        if not t:
            continue
        keys.add(comparable(t))
        if "关于" in t:
            keys.add(comparable(t[t.index("关于") :]))
        inner = inner_title(t)
        if inner:
            keys.add(comparable(inner))
            keys.add(comparable(REVISION_MARK.sub("", inner)))
    keys.discard("")
    return keys


def _older_first(d: DocFacts) -> tuple[str, str]:
    return (d.date or d.begins or "", d.source)


def resolve(docs: Iterable[DocFacts]) -> dict[str, DocStatus]:
    """Every document's status, with the references between them resolved both ways."""
    facts = {d.source: d for d in docs}
    out = {s: DocStatus(d) for s, d in facts.items()}
    by_number: dict[str, list[DocFacts]] = {}
    by_title: dict[str, list[DocFacts]] = {}
    for d in facts.values():
        if d.doc_number:
            by_number.setdefault(number_key(d.doc_number), []).append(d)
        for key in title_keys(d.title):
            by_title.setdefault(key, []).append(d)
    for d in sorted(facts.values(), key=_older_first):
        for ref in d.validity.refs:
            if ref.relation not in _INVERSE:
                continue  # a relation this version does not know (a hand-edited record)
            target = _target(d, ref.doc_number, ref.title, by_number, by_title)
            if target is not None and any(
                r.other == d.source and r.kind in _INVERSE for r in out[target.source].relations
            ):
                target = None  # the two name each other: the older one's reference is wrong
            since = d.begins
            if target is None:
                out[d.source].relations.append(
                    Relation(ref.relation, "", ref.title, ref.doc_number, since, ref.evidence,
                             d.source, ref.start, ref.end)
                )  # fmt: skip
                continue
            out[d.source].relations.append(
                Relation(ref.relation, target.source, target.title, target.doc_number, since,
                         ref.evidence, d.source, ref.start, ref.end)
            )  # fmt: skip
            out[target.source].relations.append(
                Relation(_INVERSE[ref.relation], d.source, d.title, d.doc_number, since,
                         ref.evidence, d.source, ref.start, ref.end)
            )  # fmt: skip
    return out


def _target(
    d: DocFacts, number: str, title: str,
    by_number: dict[str, list[DocFacts]], by_title: dict[str, list[DocFacts]],
) -> DocFacts | None:  # fmt: skip
    """The indexed document a reference of ``d`` names: by 文号, else by title; of several, the
    latest one not newer than ``d``. None when nothing matches, when every match is newer than
    ``d``, or when ``d`` has no date and the title fits several documents."""
    found: list[DocFacts] = []
    if number:
        found = by_number.get(number_key(number), [])
    if not found and title:
        found = [x for k in title_keys(title) for x in by_title.get(k, [])]
    found = list({x.source: x for x in found if x.source != d.source}.values())
    if not d.date:
        return found[0] if len(found) == 1 else None
    older = [x for x in found if not x.date or not _before(d.date, x.date)]
    return max(older, key=_older_first) if older else None


def _before(a: str, b: str) -> bool:
    """``a`` < ``b`` at the precision both have ('2024' is not before '2024-03-01')."""
    n = min(len(a), len(b))
    return bool(a and b) and a[:n] < b[:n]


def status_problem(st: DocStatus, on: str) -> tuple[str, Relation | None, str]:
    """Why ``st``'s document is not in force on ``on``: ("not_yet", None, date), ("expired",
    None, last day), ("repealed"/"revised", the relation, since) — or ("", None, "")."""
    f = st.facts
    for rel in st.replaced():
        if not rel.since or not _before(on, rel.since):
            return ("repealed" if rel.kind == "repealed_by" else "revised", rel, rel.since)
    if f.begins and _before(on, f.begins):
        return "not_yet", None, f.begins
    if f.validity.expires and _before(f.validity.expires, on):
        return "expired", None, f.validity.expires
    return "", None, ""


def _cn_date(iso: str) -> str:
    parts = iso.split("-")
    units = ("年", "月", "日")
    return "".join(f"{int(p)}{u}" for p, u in zip(parts, units, strict=False))


def _named(title: str, number: str) -> str:
    """《title》（文号）, a title inside the title in 〈〉 as 公文 writes it; the 文号 alone when
    the title is not known."""
    inner = title.strip("《》").replace("《", "〈").replace("》", "〉")
    if not inner:
        return number or "（未名文件）"
    return f"《{inner}》" + (f"（{number}）" if number else "")


def warning(st: DocStatus, on: str, lang: str = "zh") -> str:
    """The visible warning a citation of ``st``'s document carries on ``on``, or "" when it is
    in force: 已被《…》（…号）废止，自2026年3月1日起."""
    why, rel, since = status_problem(st, on)
    zh = lang == "zh"
    if why in ("repealed", "revised") and rel is not None:
        verb = "废止" if why == "repealed" else "修订取代"
        if zh:
            when = f"，自{_cn_date(since)}起" if since else ""
            return f"已被{_named(rel.title, rel.doc_number)}{verb}{when}"
        verb_en = "Repealed" if why == "repealed" else "Replaced by a revision"
        when = f" from {since}" if since else ""
        return f"{verb_en}: {_named(rel.title, rel.doc_number)}{when}"
    if why == "expired":
        return f"已于{_cn_date(since)}到期失效" if zh else f"Expired: in force until {since}"
    if why == "not_yet":
        return f"自{_cn_date(since)}起施行，尚未生效" if zh else f"Not yet in force: from {since}"
    return ""


def amended_note(st: DocStatus, on: str, lang: str = "zh") -> str:
    """ "经《…》修改" when amendments in force by ``on`` changed the document, else ""."""
    rels = [r for r in st.relations if r.kind == "amended_by" and not _before(on, r.since)]
    if not rels:
        return ""
    names = "、".join(_named(r.title, r.doc_number) for r in rels)
    return f"经{names}修改" if lang == "zh" else f"Amended by {names}"


def today() -> str:
    return datetime.date.today().isoformat()


@dataclass
class TimelineEvent:
    """One dated step in a document's life."""

    date: str
    kind: str  # issued | effective | expires | ends_when | repeals | repealed_by | amends | …
    text: str
    other: str = ""  # the related document's source ("" when not indexed)
    evidence: str = ""
    evidence_source: str = ""
    start: int = 0
    end: int = 0


@dataclass
class Timeline:
    """A document's validity, as ``status --document`` and the UI's document view show it."""

    source: str
    title: str
    doc_number: str
    in_force: bool
    warning: str
    events: list[TimelineEvent]
    interpreted_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_KIND_TEXT = {
    "repeals": "废止", "repealed_by": "被废止", "amends": "修改", "amended_by": "被修改",
    "revises": "修订取代", "revised_by": "被修订取代",
}  # fmt: skip


def timeline(st: DocStatus, on: str) -> Timeline:
    """The dated events of ``st``'s document, oldest first (undated ones last)."""
    f, v = st.facts, st.facts.validity
    events: list[TimelineEvent] = []
    if f.date:
        events.append(TimelineEvent(f.date, "issued", "印发 / 发布"))
    if v.effective or v.effective_kind:
        span = v.spans.get("effective", [0, 0])
        how = "自印发之日起施行" if v.effective_kind == "on_issue" else "施行"
        quote = v.quotes.get("effective", "")
        events.append(TimelineEvent(v.effective, "effective", how, "", quote, f.source,
                                    span[0], span[1]))  # fmt: skip
    if v.expires or v.period:
        span = v.spans.get("expires", [0, 0])
        text = f"有效期{v.period}，至此日止" if v.period else "有效期至此日止"
        events.append(TimelineEvent(v.expires, "expires", text, "", v.quotes.get("expires", ""),
                                    f.source, span[0], span[1]))  # fmt: skip
    if v.expires_condition:
        span = v.spans.get("expires", [0, 0])
        quote = v.quotes.get("expires", "")
        events.append(TimelineEvent("", "ends_when", f"有效期至{v.expires_condition}", "", quote,
                                    f.source, span[0], span[1]))  # fmt: skip
    for r in st.relations:
        name = _named(r.title, r.doc_number) + ("" if r.other else "（未收录）")
        events.append(TimelineEvent(r.since, r.kind, f"{_KIND_TEXT[r.kind]} {name}", r.other,
                                    r.evidence, r.evidence_source, r.start, r.end))  # fmt: skip
    events.sort(key=lambda e: (not e.date, e.date))
    return Timeline(f.source, f.title, f.doc_number, st.in_force(on), warning(st, on), events,
                    v.interpreted_by)  # fmt: skip


def facts_from_records(records: Iterable[Mapping[str, Any]]) -> list[DocFacts]:
    """One ``DocFacts`` per source from chunk records (the first chunk of a document carries
    its validity as JSON under ``validity``)."""
    import json

    seen: dict[str, DocFacts] = {}
    for meta in records:
        source = str(meta.get("source", ""))
        raw = meta.get("validity")
        if source in seen and not raw:
            continue
        validity = Validity()
        if raw:
            try:
                validity = Validity.from_dict(json.loads(str(raw)))
            except (ValueError, TypeError):
                validity = Validity()
        elif source in seen:
            continue
        seen[source] = DocFacts(source, str(meta.get("title", "")),
                                str(meta.get("doc_number", "")), str(meta.get("date", "")),
                                str(meta.get("issuer", "")), validity)  # fmt: skip
    return list(seen.values())
