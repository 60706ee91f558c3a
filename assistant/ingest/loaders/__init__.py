"""Loaders: one module per file format, each turning a file into text with page positions.

``load_file(path, source)`` picks the loader by extension and raises ``DocumentError`` (naming
the file and the reason) for anything it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.core.errors import DocumentError
from assistant.core.types import LoadedText
from assistant.ingest.loaders.docx import load_docx
from assistant.ingest.loaders.html import load_html
from assistant.ingest.loaders.pdf import load_pdf
from assistant.ingest.loaders.text import load_text

LOADERS: dict[str, Callable[[bytes, str], LoadedText]] = {
    ".txt": load_text,
    ".md": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}

__all__ = ["LOADERS", "load_bytes", "load_file"]


def load_bytes(data: bytes, suffix: str, source: str) -> LoadedText:
    """Load ``data`` as a file with ending ``suffix``; ``source`` names it in errors."""
    loader = LOADERS.get(suffix.lower())
    if loader is None:
        raise DocumentError(source, f"unsupported file type {suffix!r}")
    if not data:
        raise DocumentError(source, "empty file (0 bytes)")
    try:
        loaded = loader(data, source)
    except DocumentError:
        raise
    except Exception as exc:  # a parser's own error on a malformed file
        raise DocumentError(
            source, f"unreadable {suffix} file ({type(exc).__name__}: {exc})"
        ) from exc
    if not loaded.text.strip():
        raise DocumentError(source, "no text found in the file")
    return loaded


def load_file(path: Path, source: str) -> LoadedText:
    """Read ``path`` from disk and load it (see ``load_bytes``)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(source, f"cannot read file ({exc.strerror or exc})") from exc
    return load_bytes(data, path.suffix, source)
