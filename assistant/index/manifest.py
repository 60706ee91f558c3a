"""The manifest of one collection: per document its content hash, chunk ids and metadata."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.index.jsonfile import read_json, write_json_atomic


@dataclass
class DocEntry:
    """One indexed document."""

    hash: str
    chunk_ids: list[str]
    meta: dict[str, str]
    size: int
    mtime: float
    format: str = ""
    indexed_at: str = ""


@dataclass
class Manifest:
    """The documents of one Chroma collection."""

    collection: str
    signature: dict[str, Any]
    docs: dict[str, DocEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, collection: str, signature: dict[str, Any]) -> Manifest:
        data = read_json(path)
        if not data:
            return cls(collection, signature)
        docs = {k: DocEntry(**v) for k, v in data.get("docs", {}).items()}
        return cls(data["collection"], data["signature"], docs)

    def save(self, path: Path) -> None:
        write_json_atomic(
            path,
            {
                "collection": self.collection,
                "signature": self.signature,
                "docs": {k: asdict(v) for k, v in sorted(self.docs.items())},
            },
        )

    def all_chunk_ids(self) -> set[str]:
        return {cid for entry in self.docs.values() for cid in entry.chunk_ids}

    def chunk_count(self) -> int:
        return sum(len(e.chunk_ids) for e in self.docs.values())
