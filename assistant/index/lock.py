"""``IndexLock``: one sync at a time on an index folder (an OS file lock, released on kill)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from assistant.core.errors import IndexLockedError


class IndexLock:
    """An exclusive lock on an index folder while a sync runs (the OS releases it on kill)."""

    def __init__(self, index_dir: Path, wait: bool = False) -> None:
        self.path = index_dir / ".sync.lock"
        self.wait = wait
        self._fh: IO[str] | None = None

    def __enter__(self) -> IndexLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if self.wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.close()
            raise IndexLockedError(
                f"another sync is running on {self.path.parent}; wait for it to finish"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
