"""Atomic JSON files: written to a temporary file, fsynced and renamed, so a crash leaves the old
or the new version, never half of one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from assistant.core.errors import IndexAccessError


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
    """The file's content, or None when it does not exist."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexAccessError(
            f"{path} is unreadable ({exc}); run 'policy-assistant index CORPUS_DIR' to write it "
            "again (vectors come from the embedding cache)"
        ) from exc
