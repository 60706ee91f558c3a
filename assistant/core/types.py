"""Plain data types shared by every layer: loaded text, document metadata, chunks and reports."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Language = Literal["zh", "en"]
AnswerMode = Literal["extractive", "llm"]


@dataclass(frozen=True)
class PageSpan:
    """Characters ``[start, end)`` of a document's text come from page ``page`` (1-based)."""

    start: int
    end: int
    page: int


@dataclass(frozen=True)
class ReadLimits:
    """How much a document may expand to while it is read (see ``ingest`` settings)."""

    max_expanded_bytes: int = 100 * 2**20
    max_chars: int = 2_000_000
    ocr: bool = True  # read scanned / garbage PDF pages by OCR
    ocr_dpi: int = 200
    ocr_max_pages: int = 200  # per document
    ocr_max_seconds: float = 900.0  # per document


@dataclass
class LoadedText:
    """What a loader extracted from one file: the text and, for paged formats, page spans."""

    text: str
    format: str
    pages: list[PageSpan] = field(default_factory=list)
    title_hint: str = ""
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR
    warnings: list[str] = field(default_factory=list)  # pages skipped, and why

    def page_at(self, offset: int) -> int | None:
        """The page holding character ``offset``, or None for formats without pages."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        if self.pages and offset >= self.pages[-1].end:
            return self.pages[-1].page
        return None


@dataclass
class DocMeta:
    """公文 metadata of one document. Empty strings mean "not found"; nothing is invented."""

    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""  # ISO form, possibly partial: 2024-03-05, 2024-03 or 2024
    doc_type: str = ""
    url: str = ""

    FIELDS = ("title", "issuer", "doc_number", "date", "doc_type", "url")

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in self.FIELDS}

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if len(self.date) >= 4 and self.date[:4].isdigit() else None


@dataclass
class DocRef:
    """A document that another one names in order to repeal, amend or replace it: its title
    and/or 文号 as written, and the sentence saying so (``start``/``end``: offsets of that
    sentence in the naming document's text, like a citation)."""

    relation: Literal["repeals", "amends", "revises"]
    title: str = ""
    doc_number: str = ""
    evidence: str = ""
    start: int = 0
    end: int = 0


@dataclass
class Validity:
    """What a document says about its own validity, read by rule (``ingest.validity``) or given
    in its sidecar. Empty strings mean "not stated"; nothing is guessed.

    ``effective`` is the ISO date it takes effect (``effective_kind`` "date" when the text names
    it, "on_issue" for 自印发之日起施行, taken from the document's date); ``expires`` the last
    day it is in force (有效期至…, or a period counted from ``effective``); ``expires_condition``
    an end stated as an event (有效期至疫情解除). ``spans`` holds the offsets of the sentences
    each fact was read from."""

    effective: str = ""
    effective_kind: str = ""  # "date" | "on_issue" | "sidecar" | ""
    expires: str = ""
    period: str = ""  # 有效期5年 → "5年"
    expires_condition: str = ""
    refs: list[DocRef] = field(default_factory=list)
    interpreted_by: str = ""
    spans: dict[str, list[int]] = field(default_factory=dict)
    quotes: dict[str, str] = field(default_factory=dict)  # the sentence of each span

    def is_empty(self) -> bool:
        return not (self.effective or self.expires or self.expires_condition or self.refs
                    or self.interpreted_by or self.effective_kind or self.period)  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Validity:
        """A ``Validity`` from ``as_dict`` output; keys it does not know (an index written by
        another version, a hand-edited sidecar) are left out rather than failing."""
        data = dict(data or {})
        refs = []
        for r in data.pop("refs", None) or []:
            if isinstance(r, dict):
                known = {k: v for k, v in r.items() if k in DocRef.__dataclass_fields__}
                if "relation" in known:
                    refs.append(DocRef(**known))
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**fields, refs=refs)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document. ``text == document_text[start:end]`` always holds."""

    chunk_id: str
    source: str
    ordinal: int
    text: str
    start: int
    end: int
    section: tuple[str, ...] = ()
    page: int | None = None
    page_end: int | None = None

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


@dataclass(frozen=True)
class AddedDocument:
    """What an upload did: the source it was saved under, and whether it replaced a document of
    that name (its sidecar dropped) or was saved under another name beside one."""

    source: str
    requested: str  # the safe form of the name it came with
    replaced: bool = False
    renamed: bool = False
    sidecar_dropped: bool = False

    def message(self) -> str:
        if self.replaced:
            extra = "; its metadata sidecar was removed" if self.sidecar_dropped else ""
            return f"replaced {self.source}{extra}"
        if self.renamed:
            return f"saved as {self.source}: a document named {self.requested} already exists"
        return f"saved as {self.source}"


@dataclass(frozen=True)
class FileProblem:
    """A file that was not indexed, and why."""

    source: str
    reason: str


@dataclass
class SyncReport:
    """What one ``index`` run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)
    chunks_total: int = 0
    chunks_written: int = 0  # chunks written whole (vector, text, metadata)
    chunks_kept: int = 0  # chunks of changed documents whose text was unchanged: metadata only
    chunks_deleted: int = 0
    chunks_embedded: int = 0
    chunks_from_cache: int = 0
    rebuilt: bool = False
    rebuild_reason: str = ""
    repaired: int = 0
    waited_s: float = 0.0  # on a server: seconds spent waiting for another instance's sync
    seconds: float = 0.0
    # Where the time went, seconds by part (a part that did not run is absent): scan (listing
    # and stat-ing the corpus), open (store, manifest, BM25 copy, and any wait for the lease:
    # see waited_s), repair (incl. a BM25 catch-up), changes (deciding what changed), read,
    # embed, store (Chroma writes and deletes), lexical (BM25 segments written), merge (the
    # segment merges those writes triggered), manifest (its saves), live (tokens, stamps).
    phases: dict[str, float] = field(default_factory=dict)
    segments_merged: int = 0  # BM25 segments this sync merged into larger ones
    notes: list[str] = field(default_factory=list)  # what the sync repaired or worked around

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IndexStatus:
    """What ``status`` prints about an index."""

    index_dir: str
    exists: bool
    documents: int = 0
    chunks: int = 0
    model: str = ""
    collection: str = ""
    corpus_roots: list[str] = field(default_factory=list)
    last_sync: str = ""
    last_report: dict[str, Any] = field(default_factory=dict)
    changed_since: list[tuple[str, str]] = field(default_factory=list)
    settings_changed: str = ""
    problems: list[str] = field(default_factory=list)  # what is wrong, and what to do

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_DATE_PREFIX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_day(value: str, name: str) -> str:
    """``value`` stripped when it is a day that exists (2026-06-01) or empty; else an error
    naming ``name`` and the form to use."""
    from assistant.core.errors import AssistantError

    value = value.strip()
    if not value:
        return ""
    if not _FULL_DATE.fullmatch(value):
        raise AssistantError(f"{name} {value!r} is not a day; use the form 2026-06-01")
    import datetime

    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise AssistantError(f"{name} {value!r} is not a date that exists") from None
    return value


@dataclass
class SearchFilters:
    """Metadata filters for search. Empty fields do not filter.

    ``date_from``/``date_to`` take ISO dates or prefixes (``2023``, ``2023-03``); a document
    whose date is only a year matches when that year is in range. ``source`` is a glob over the
    source path (``gwr-202*.txt``, ``notices/**``).
    """

    issuer: str = ""
    doc_type: str = ""
    date_from: str = ""
    date_to: str = ""
    source: str = ""
    # Only documents in force on ``as_of`` (an ISO date); ``in_force`` alone means today.
    as_of: str = ""
    in_force: bool = False

    def __post_init__(self) -> None:
        from assistant.core.errors import AssistantError

        if not isinstance(self.in_force, bool):
            raise AssistantError(f"filter in_force must be true or false, not {self.in_force!r}")
        for name in ("issuer", "doc_type", "date_from", "date_to", "source", "as_of"):
            value = getattr(self, name)
            if value is None:
                setattr(self, name, "")
            elif not isinstance(value, str):
                raise AssistantError(
                    f"filter {name} must be text, not {type(value).__name__} ({value!r})"
                )
            elif len(value) > 200:
                raise AssistantError(f"filter {name} is longer than 200 characters; shorten it")
        for name in ("date_from", "date_to"):
            value = getattr(self, name).strip()
            setattr(self, name, value)
            if value and not _DATE_PREFIX.fullmatch(value):
                raise AssistantError(
                    f"filter {name} {value!r} is not a date; use 2023, 2023-03 or 2023-03-05"
                )
        self.as_of = check_day(self.as_of, "filter as_of")
        if self.date_from and self.date_to and self.date_from[:4] > self.date_to[:4]:
            raise AssistantError(
                f"filter date_from {self.date_from!r} is after date_to {self.date_to!r}"
            )

    def is_empty(self) -> bool:
        return not any((self.issuer, self.doc_type, self.date_from, self.date_to, self.source,
                        self.as_of, self.in_force))  # fmt: skip

    def validity_date(self) -> str:
        """The day documents must be in force on ("" when validity does not filter)."""
        if self.as_of:
            return self.as_of
        if self.in_force:
            import datetime

            return datetime.date.today().isoformat()
        return ""


@dataclass
class Hit:
    """One retrieved chunk with where it comes from and how it scored."""

    rank: int
    chunk_id: str
    source: str
    text: str
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: str = ""
    doc_type: str = ""
    url: str = ""
    section: str = ""
    page: int | None = None
    page_end: int | None = None
    start: int = 0
    end: int = 0
    ocr: bool = False  # the text was read by OCR from a page image
    # Whether the document is in force (today, or on the filters' as_of day), and if not why:
    # "已被《…》（…号）废止，自2026年3月1日起"; amendments in force are named too.
    in_force: bool = True
    validity_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Citation:
    """What a marker [n] in an answer points to: a quoted passage of a named document."""

    marker: int
    chunk_id: str
    source: str
    title: str
    doc_number: str
    issuer: str
    date: str
    section: str
    page: int | None
    quote: str
    passage: str
    url: str = ""
    quotes: list[str] = field(default_factory=list)  # each a verbatim slice of ``passage``
    ocr: bool = False  # the passage was read by OCR: it may differ from the printed page
    in_force: bool = True  # see ``Hit.in_force``
    validity_note: str = ""  # see ``Hit.validity_note``

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ShortAnswer:
    """The figure, date, name or list item that answers a factoid question, inside the quoted
    sentence: ``answer.text[start:end] == text`` and, in the passage of citation ``marker``,
    ``citation.passage[passage_start:passage_end] == text``."""

    text: str
    marker: int
    start: int
    end: int
    passage_start: int
    passage_end: int


@dataclass
class ComparisonCell:
    """One item of a comparison (a year, a document, an issuer) answered from its own
    documents: ``text`` a verbatim quote followed by its marker [n], or ``found`` False and a
    "not found" text."""

    item: str
    found: bool
    text: str
    marker: int | None = None
    quote: str = ""
    short: str = ""  # the figure or phrase inside the quote that answers, when there is one
    source: str = ""
    title: str = ""
    question: str = ""  # the question asked for this item


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass
class Comparison:
    """A comparison answer's table: one row per item along ``axis``."""

    axis: Literal["year", "document", "issuer"]
    topic: str
    cells: list[ComparisonCell]
    summary: str = ""  # LLM mode: one checked sentence on the differences, after the table

    def markdown(self, lang: str = "zh") -> str:
        head = {"year": ("年份", "year"), "document": ("文件", "document"),
                "issuer": ("发文机关", "issuer")}[self.axis][0 if lang == "zh" else 1]  # fmt: skip
        answer, where = ("答案（原文）", "出处") if lang == "zh" else ("answer (quoted)", "source")
        figure = any(c.short for c in self.cells)
        point = ("要点" if lang == "zh" else "figure") if figure else ""
        cols = [head, *([point] if figure else []), answer, where]
        rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for c in self.cells:
            parts = [c.item, *([c.short or "—"] if figure else []), c.text, c.title or "—"]
            rows.append("| " + " | ".join(_cell(p) for p in parts) + " |")
        table = "\n".join(rows)
        return f"{table}\n\n{self.summary}" if self.summary else table


@dataclass
class Answer:
    """An answer whose sentences carry markers [n] resolving to ``citations``."""

    question: str
    text: str
    citations: list[Citation]
    hits: list[Hit]
    abstained: bool = False
    mode: AnswerMode = "extractive"
    language: Language = "zh"
    standalone_question: str = ""
    evidence: float = 0.0
    # The answer model's probability that the best unit of the passages answers (0..1).
    confidence: float = 0.0
    # The refusal model's probability that the passages answer the question at all (0..1).
    support: float = 0.0
    # Across languages: how far the best unit's similarity stands above the typical unit's.
    cross_margin: float = 0.0
    # Across languages: how far the best passage's dense similarity stands above the question's
    # mean similarity to the index (None when not measured).
    cross_lift: float | None = None
    unsupported_sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    short: ShortAnswer | None = None
    # Comparison questions: the table (``text`` then holds one line per item).
    comparison: Comparison | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StreamEvent:
    """A piece of a streamed answer: text as it arrives, then the final checked ``Answer``."""

    kind: Literal["token", "answer"]
    text: str = ""
    answer: Answer | None = None


def reference_line(item: Citation | Hit, page_label: str = "p. {}") -> str:
    """The one-line reference of a citation or hit, as every front end shows it:
    title · 文号 · issuer · date · section path · page (empty parts left out)."""
    page = page_label.format(item.page) if item.page else ""
    if item.ocr:
        page = f"{page} (OCR)".strip()
    parts = (item.title, item.doc_number, item.issuer, item.date, item.section, page)
    return " · ".join(p for p in parts if p)
