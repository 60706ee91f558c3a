"""Failing parts (issue 13): a damaged cache, pointer or manifest, a deleted Chroma database,
a Chroma server that stops answering, a full disk. Each gives one clear message that names the
folder and the fix — never advice that destroys data — and what still works keeps working."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_reports, make_settings, start_chroma

from assistant import Assistant
from assistant.core.errors import IndexAccessError
from assistant.core.settings import ChromaSettings

QUESTION = "2024年国内生产总值增长目标是多少？"


@pytest.fixture
def built(tmp_path, tiny_model, small_corpus):
    settings = make_settings(tmp_path / "index", tiny_model)
    Assistant(settings).index([small_corpus])
    return settings


def test_a_damaged_embedding_cache_is_rebuilt_and_said(built, small_corpus) -> None:
    cache = Path(built.index_dir) / "embed_cache.sqlite"
    cache.write_bytes(b"this is not a database" * 100)
    copy_reports(small_corpus, ("gwr-2021",))
    report = Assistant(built).index([small_corpus])
    assert report.added == ["gwr-2021.txt"] and not report.failed
    assert any("embedding cache" in n and "damaged" in n for n in report.notes)
    assert list(Path(built.index_dir).glob("embed_cache.sqlite.damaged-*"))


def test_a_damaged_pointer_is_named_and_the_next_sync_writes_it(built, small_corpus) -> None:
    pointer = Path(built.index_dir) / "index.json"
    pointer.write_text(json.dumps({"collection": 5}), "utf-8")
    a = Assistant(built)
    with pytest.raises(IndexAccessError, match=r"index\.json is damaged \(collection is 5"):
        a.ask(QUESTION)
    assert any("damaged" in p for p in a.status().problems)
    report = Assistant(built).index([small_corpus])
    assert any("written again" in n for n in report.notes) and not report.failed
    assert not Assistant(built).ask(QUESTION).abstained


def test_a_deleted_manifest_shows_in_status(built) -> None:
    pointer = json.loads((Path(built.index_dir) / "index.json").read_text("utf-8"))
    for p in (Path(built.index_dir) / "manifests").glob(f"{pointer['collection']}.sqlite*"):
        p.unlink()
    problems = Assistant(built).status().problems
    assert any("manifest" in p and "is missing" in p for p in problems)


@pytest.mark.subprocess
def test_a_deleted_chroma_database_is_named_not_a_traceback(built, tiny_model) -> None:
    """In new processes, as an operator would meet it (Chroma keeps an open database per
    process, so the deletion only shows in a process that opens it afresh)."""
    shutil.rmtree(Path(built.index_dir) / "chroma")
    env = {**os.environ, "ASSISTANT_EMBEDDING__MODEL": str(tiny_model),
           "ASSISTANT_CHUNKING__TARGET_CHARS": "200"}  # fmt: skip
    args = [sys.executable, "-m", "assistant"]
    status = subprocess.run([*args, "status", "--index", str(built.index_dir)], env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert status.returncode == 0 and "Problem:" in status.stdout
    assert "Chroma database" in status.stdout and "is missing" in status.stdout
    ask = subprocess.run([*args, "ask", QUESTION, "--index", str(built.index_dir)], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ask.returncode == 1 and "Traceback" not in ask.stderr
    assert "has no collection" in ask.stderr and "policy-assistant index" in ask.stderr


@pytest.mark.server
@pytest.mark.subprocess
def test_a_paused_chroma_server_times_out_then_recovers(tmp_path, tiny_model, small_corpus) -> None:
    proc, url = start_chroma(tmp_path / "srv")
    try:
        settings = make_settings(tmp_path / "index", tiny_model).model_copy(
            update={"chroma": ChromaSettings(url=url, timeout_s=3)}
        )
        a = Assistant(settings)
        a.index([small_corpus])
        assert not a.ask(QUESTION).abstained
        os.kill(proc.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        with pytest.raises(IndexAccessError, match=r"did not answer within 3 s"):
            Assistant(settings).ask(QUESTION)
        assert time.monotonic() - t0 < 30
        os.kill(proc.pid, signal.SIGCONT)
        assert not Assistant(settings).ask(QUESTION).abstained
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=30)


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)  # fmt: skip
    return done.returncode == 0


def test_a_full_disk_is_one_line_and_the_old_index_answers(tmp_path, tiny_model, small_corpus):
    disk = tmp_path / "small-disk"
    if not _mount_tmpfs(disk, "48m"):
        pytest.skip("mounting a tmpfs is not allowed here (needs root and CAP_SYS_ADMIN)")
    try:
        settings = make_settings(disk / "index", tiny_model)
        Assistant(settings).index([small_corpus])
        before = Assistant(settings).ask(QUESTION)
        # Fill the disk, leaving a few kilobytes.
        free = shutil.disk_usage(disk).free
        with open(disk / "filler", "wb") as fh:
            fh.write(b"\0" * max(free - 64 * 1024, 0))
        copy_reports(small_corpus, ("gwr-2013", "gwr-2014", "gwr-2015", "gwr-2016"))
        with pytest.raises(IndexAccessError, match=r"disk holding .* is full .* still answers"):
            Assistant(settings).index([small_corpus])
        assert not list((disk / "index").glob("embed_cache.sqlite-wal"))
        after = Assistant(settings).ask(QUESTION)
        assert after.text == before.text
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
