"""Where each part of an index lives inside its folder, and which collection a set of settings
builds (a change of model or chunking means a new collection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.core.settings import Settings


class IndexPaths:
    """The files and folders of one index folder."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.chroma = index_dir / "chroma"
        self.pointer = index_dir / "index.json"
        self.manifests = index_dir / "manifests"
        self.lexical_root = index_dir / "lexical"
        self.cache = index_dir / "embed_cache.sqlite"

    def manifest(self, collection: str) -> Path:
        return self.manifests / f"{collection}.json"

    def lexical(self, collection: str) -> Path:
        return self.lexical_root / collection


def collection_name(settings: Settings) -> str:
    """The Chroma collection the settings build: one per index signature."""
    return f"chunks-{settings.signature_key()}"


def describe_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between two index signatures, for 'status' and the sync report."""
    parts = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            parts.append(f"{key}: {old.get(key)!r} -> {new.get(key)!r}")
    return "; ".join(parts) or "index format changed"
