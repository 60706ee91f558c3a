"""Loaders: one module per file format, each turning a file into text with page positions.

``load_file(path, source)`` picks the loader by extension and raises ``DocumentError`` (naming
the file and the reason) for anything it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.core.errors import DocumentError
from assistant.core.types import LoadedText, ReadLimits
from assistant.ingest.loaders.docx import load_docx
from assistant.ingest.loaders.html import load_html
from assistant.ingest.loaders.pdf import load_pdf
from assistant.ingest.loaders.text import load_text

LOADERS: dict[str, Callable[[bytes, str, ReadLimits], LoadedText]] = {
    ".txt": load_text,
    ".md": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}

__all__ = ["LOADERS", "load_bytes", "load_file"]


def load_bytes(
    data: bytes, suffix: str, source: str, limits: ReadLimits | None = None
) -> LoadedText:
    """Load ``data`` as a file with ending ``suffix``; ``source`` names it in errors. A file
    that would expand beyond ``limits`` fails with the limit and its setting named."""
    limits = limits or ReadLimits()
    loader = LOADERS.get(suffix.lower())
    if loader is None:
        raise DocumentError(source, f"unsupported file type {suffix!r}")
    if not data:
        raise DocumentError(source, "empty file (0 bytes)")
    try:
        loaded = loader(data, source, limits)
    except DocumentError:
        raise
    except Exception as exc:  # a parser's own error on a malformed file
        raise DocumentError(
            source, f"unreadable {suffix} file ({type(exc).__name__}: {exc})"
        ) from exc
    if not loaded.text.strip():
        raise DocumentError(source, "no text found in the file")
    if len(loaded.text) > limits.max_chars:
        raise DocumentError(
            source,
            f"{len(loaded.text):,} characters of text, more than the limit of "
            f"{limits.max_chars:,} (setting ingest.max_document_chars)",
        )
    return loaded


def load_file(path: Path, source: str, limits: ReadLimits | None = None) -> LoadedText:
    """Read ``path`` from disk and load it (see ``load_bytes``)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(source, f"cannot read file ({exc.strerror or exc})") from exc
    return load_bytes(data, path.suffix, source, limits)
