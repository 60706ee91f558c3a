"""The manifest of one collection: per document its content hash, chunk ids and metadata."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import IndexAccessError
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
    validity: dict[str, Any] = field(default_factory=dict)  # ``Validity.as_dict()``, or {}


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
        try:
            docs = {k: DocEntry(**v) for k, v in data.get("docs", {}).items()}
            return cls(str(data["collection"]), dict(data["signature"]), docs)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexAccessError(
                f"{path} is damaged ({type(exc).__name__}: {exc}); run 'policy-assistant index "
                "CORPUS_DIR' to write it again (vectors come from the embedding cache)"
            ) from exc

    @classmethod
    def load_or_new(
        cls, path: Path, collection: str, signature: dict[str, Any]
    ) -> tuple[Manifest, str]:
        """The manifest, or an empty one and why when the file is damaged: the sync then reads
        every document again and keeps what Chroma holds that matches."""
        try:
            return cls.load(path, collection, signature), ""
        except IndexAccessError as exc:
            return cls(collection, signature), str(exc).split(";")[0]

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
