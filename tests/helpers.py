"""Helpers shared by the tests: paths, settings for a test index, copies of shipped documents,
a free loopback port."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from assistant.core.settings import ChunkingSettings, EmbeddingSettings, IngestSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def make_settings(index_dir: Path, model: Path, **chunking: int) -> Settings:
    return Settings(
        index_dir=index_dir,
        corpus_dirs=[],
        embedding=EmbeddingSettings(model=str(model)),
        chunking=ChunkingSettings(**({"target_chars": 200, "max_chars": 400} | chunking)),
        ingest=IngestSettings(write_batch_chunks=40),
    )


def copy_reports(dest: Path, stems: tuple[str, ...] | list[str]) -> None:
    """Copy shipped documents (text and sidecar) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        for suffix in (".txt", ".meta.json"):
            shutil.copy(CORPUS / f"{stem}{suffix}", dest / f"{stem}{suffix}")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
