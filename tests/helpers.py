"""Helpers shared by the tests: paths, settings for a test index, copies of shipped documents,
the command line run in this process, a free loopback port, a real Chroma server."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.core.settings import ChunkingSettings, EmbeddingSettings, IngestSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "tests" / "data" / "notices"
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


def notices_index(root: Path, model: Path) -> Settings:
    """The written notices (repeal chains, an amendment, a revision) and the 2024 and 2025
    work reports, indexed under ``root`` with the tiny model; the settings of that index."""
    from assistant import Assistant

    corpus = root / "corpus"
    shutil.copytree(NOTICES, corpus)
    copy_reports(corpus, ("gwr-2024", "gwr-2025"))
    settings = make_settings(root / "index", model).model_copy(update={"corpus_dirs": [corpus]})
    report = Assistant(settings).index([corpus])
    assert not report.failed, report.failed
    return settings


@dataclass(frozen=True)
class Ran:
    """What a command run through ``cli`` gave: exit code, standard output, standard error."""

    returncode: int
    stdout: str
    stderr: str


def cli(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> Ran:
    """``policy-assistant ARGS`` run in this process by click's runner: the real commands on a
    real index, ``env`` set for the call (the settings read it), stdout and stderr apart. An
    exception the command let through is written to stderr as a traceback, as a real process
    would print it, so "no traceback" stays checkable. (A child process costs ~5 s here, most
    of it importing sentence-transformers for the tiny model; the process boundary itself is
    covered by the tests that still start ``python -m assistant``. What only a fresh process
    shows — a setting read at import time, output of a thread started by an earlier call — is
    not seen here.)"""
    from click.testing import CliRunner

    from assistant.frontends.cli import cli as command

    result = CliRunner().invoke(command, args, input=stdin, env=env, prog_name="policy-assistant")
    err = result.stderr
    # click records exc_info for every exit, sys.exit(0) included; ``exception`` is set only
    # for a failure (a SystemExit with a nonzero code, or an escaped exception).
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, err)


@contextlib.contextmanager
def web_server(settings: Settings) -> Iterator[str]:
    """``serve`` (web UI + HTTP API) on a free loopback port; yields its base URL."""
    from assistant import Assistant
    from assistant.frontends.ui import serve

    port = free_port()
    web = serve(Assistant(settings), "127.0.0.1", port, None, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        web.close()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A real ``chroma run`` on a free loopback port over ``data``, once its heartbeat answers:
    (the process, its URL). The caller terminates it."""
    from benchmarks.scale import start_chroma as start

    return start(data)
