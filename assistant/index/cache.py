"""Chunk-level embedding cache (SQLite): a vector per (model, hash of the embedded text).

A changed document re-embeds only the chunks whose text is new; renamed or moved text is free.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors keyed by model id and text hash, stored as float32 blobs.

    The cache is disposable: a damaged file (not a database, truncated) is moved aside and
    started afresh (``recovered`` says so), and a write that fails because the disk is full
    leaves no write-ahead log behind to hold the last free space."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered = ""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if "full" in str(exc).lower():
                raise
            aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                src = path.with_name(path.name + suffix)
                if src.exists():
                    src.replace(aside.with_name(aside.name + suffix))
            self.recovered = (
                f"the embedding cache {path.name} was damaged ({exc}); it was moved to "
                f"{aside.name} and started afresh (chunks are embedded again)"
            )
            self._open()

    def _open(self) -> None:
        self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, "
            "vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
        )
        # Reads the schema and one page: a damaged file fails here (a COUNT(*) would read all
        # of it — seconds at a million vectors).
        self._db.execute("SELECT key FROM vectors LIMIT 1").fetchone()

    def get_many(self, model: str, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            part = unique[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                [model, *part],
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)",
                [(model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def count(self, model: str | None = None) -> int:
        if model is None:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        q = "SELECT COUNT(*) FROM vectors WHERE model = ?"
        return int(self._db.execute(q, (model,)).fetchone()[0])

    def close(self, failed: bool = False) -> None:
        """Close the database; after a failed write (a full disk) also drop the write-ahead
        log that could not be checkpointed, so it does not hold the last free space (only the
        latest cached vectors are lost)."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if failed:
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
