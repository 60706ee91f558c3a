"""The manifest: per document its content hash, chunk ids and metadata; plus the index pointer.

Files are written atomically (temporary file, fsync, rename), so a crash leaves the old or the
new version, never half of one. ``IndexLock`` keeps two syncs off the same index.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import IndexError_, IndexLockedError


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexError_(
            f"{path} is unreadable ({exc}); delete it and run 'policy-assistant index' again"
        ) from exc


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


@dataclass
class IndexPointer:
    """``index.json``: which collection is live, built with which settings, synced when."""

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


class IndexLock:
    """An exclusive lock on an index folder while a sync runs (the OS releases it on kill)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / ".sync.lock"
        self._fh = None

    def __enter__(self) -> IndexLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._fh.close()
            raise IndexLockedError(
                f"another sync is running on {self.path.parent}; wait for it to finish"
            ) from exc
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        self._fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
