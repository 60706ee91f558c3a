"""``index.json``: which collection is live, built with which settings, synced when and from
which corpus folders, and what the last sync did."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.index.jsonfile import read_json, write_json_atomic


@dataclass
class IndexPointer:
    """The live collection of an index folder and the facts about its last sync."""

    collection: str = ""
    signature: dict[str, Any] = field(default_factory=dict)
    corpus_roots: list[str] = field(default_factory=list)
    last_sync: str = ""
    last_report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> IndexPointer:
        data = read_json(path)
        return cls(**data) if data else cls()

    def save(self, path: Path) -> None:
        write_json_atomic(path, asdict(self))
