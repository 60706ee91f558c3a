"""Citations: what a marker [n] points to, with verbatim quotes of the passage's cited sentences."""

from __future__ import annotations

from assistant.core.types import Citation, Hit


def merge_spans(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Verbatim quotes: sentences that follow each other directly (same paragraph) become one."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        gap = text[merged[-1][1] : s] if merged else "x"
        if (
            merged
            and not gap.strip()
            and "\n" not in gap
            and "\n" not in text[merged[-1][0] : e].strip()
        ):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [text[s:e].strip() for s, e in merged]


def citation_for(marker: int, hit: Hit, spans: list[tuple[int, int]]) -> Citation:
    quotes = merge_spans(hit.text, spans)
    return Citation(
        marker=marker,
        chunk_id=hit.chunk_id,
        source=hit.source,
        title=hit.title,
        doc_number=hit.doc_number,
        issuer=hit.issuer,
        date=hit.date,
        section=hit.section,
        page=hit.page,
        quote=" … ".join(quotes),
        passage=hit.text,
        url=hit.url,
        quotes=quotes,
        ocr=hit.ocr,
        in_force=hit.in_force,
        validity_note=hit.validity_note,
    )
