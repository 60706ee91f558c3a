"""One document made ready for the index: loaded, its metadata read (sidecar over rules), cut
into chunks, and each chunk's searched text and stored record built."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.core.errors import DocumentError
from assistant.core.settings import ChunkingSettings
from assistant.core.text import is_chinese, searchable_text
from assistant.core.types import Chunk, ReadLimits
from assistant.index.manifest import DocEntry
from assistant.index.records import chunk_metadata
from assistant.ingest.chunking import chunk_text
from assistant.ingest.corpus import CorpusFile
from assistant.ingest.loaders import load_bytes
from assistant.ingest.metadata import merge, merge_validity, parse_metadata, read_sidecar
from assistant.ingest.validity import parse_validity


@dataclass
class Prepared:
    """A document ready to write: its manifest entry, chunks, texts to embed and records."""

    source: str
    entry: DocEntry
    chunks: list[Chunk]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)  # pages skipped while reading


def prepare_document(
    cf: CorpusFile, data: bytes, digest: str, st: os.stat_result, chunking: ChunkingSettings,
    limits: ReadLimits | None = None,
) -> Prepared:  # fmt: skip
    """Load, read metadata, chunk; ``DocumentError`` when the file holds no usable text."""
    loaded = load_bytes(data, cf.path.suffix, cf.source, limits)
    parsed = parse_metadata(loaded.text, loaded.title_hint)
    sidecar = read_sidecar(cf.path, cf.source)
    meta = merge(parsed, sidecar)
    if not meta.title:
        meta.title = cf.path.stem
    validity = merge_validity(parse_validity(loaded.text, meta), sidecar)
    scale = 1.0 if is_chinese(loaded.text[:4000]) else chunking.latin_scale
    chunks = chunk_text(
        loaded.text,
        cf.source,
        target_chars=round(chunking.target_chars * scale),
        max_chars=round(chunking.max_chars * scale),
        overlap_sentences=chunking.overlap_sentences,
        page_at=loaded.page_at if loaded.pages else None,
        title=meta.title,
    )
    if not chunks:
        raise DocumentError(cf.source, "no text found in the file")
    meta_d = meta.as_dict()
    entry = DocEntry(
        hash=digest,
        chunk_ids=[ch.chunk_id for ch in chunks],
        meta=meta_d,
        size=st.st_size,
        mtime=st.st_mtime,
        format=loaded.format,
        indexed_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        validity=validity.as_dict() if not validity.is_empty() else {},
    )
    return Prepared(
        cf.source,
        entry,
        chunks,
        [searchable_text(meta.title, ch.section_path, ch.text) for ch in chunks],
        [
            chunk_metadata(
                ch,
                meta_d,
                digest,
                loaded.format,
                ocr=_from_ocr(ch.page, ch.page_end, loaded.ocr_pages),
                validity=validity,
            )
            for ch in chunks
        ],
        [f"{cf.source}: {w}" for w in loaded.warnings],
    )


def _from_ocr(page: int | None, page_end: int | None, ocr_pages: list[int]) -> bool:
    """Whether a chunk's text (on pages ``page``..``page_end``) comes from OCR."""
    if page is None or not ocr_pages:
        return False
    return any(p in ocr_pages for p in range(page, (page_end or page) + 1))
