"""``index.json``: which collection is live, built with which settings, synced when and from
which corpus folders, and what the last sync did."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import IndexAccessError
from assistant.index.jsonfile import read_json, write_json_atomic


def _damaged(path: Path, why: str) -> IndexAccessError:
    return IndexAccessError(
        f"{path} is damaged ({why}); run 'policy-assistant index CORPUS_DIR' to write it again "
        "(the collection and its vectors are kept)"
    )


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
        """The pointer in ``path`` (empty when there is none); an error naming the field when
        the file is damaged."""
        data = read_json(path)
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise _damaged(path, "it holds no JSON object")
        kinds = {"collection": str, "signature": dict, "corpus_roots": list, "last_sync": str,
                 "last_report": dict}  # fmt: skip
        for key, kind in kinds.items():
            if key in data and not isinstance(data[key], kind):
                raise _damaged(path, f"{key} is {data[key]!r}, not a {kind.__name__}")
        if not all(isinstance(r, str) for r in data.get("corpus_roots", [])):
            raise _damaged(path, "corpus_roots holds something other than folder names")
        return cls(**{k: v for k, v in data.items() if k in kinds})

    @classmethod
    def load_or_new(cls, path: Path) -> tuple[IndexPointer, str]:
        """The pointer, or a new one and why when the file is damaged (a sync writes it again)."""
        try:
            return cls.load(path), ""
        except IndexAccessError as exc:
            return cls(), str(exc).split(";")[0]

    def save(self, path: Path) -> None:
        write_json_atomic(path, asdict(self))
