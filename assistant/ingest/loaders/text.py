"""Plain text and Markdown: the whole file decoded with one detected encoding."""

from __future__ import annotations

from assistant.core.types import LoadedText, ReadLimits
from assistant.ingest.loaders.decode import decode_bytes


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(data: bytes, source: str, limits: ReadLimits | None = None) -> LoadedText:
    text, _enc = decode_bytes(data, source)
    text = normalize_newlines(text)
    fmt = "md" if source.lower().endswith(".md") else "txt"
    title = ""
    if fmt == "md":
        for line in text.splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
    return LoadedText(text=text, format=fmt, title_hint=title)
