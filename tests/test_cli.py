"""The command line, run as a real process: summary, exit codes, status, errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from docfiles import make_image_pdf


def run(args: list[str], tiny_model: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ASSISTANT_EMBEDDING__MODEL": str(tiny_model),
                "ASSISTANT_CHUNKING__TARGET_CHARS": "200", **env}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, env=full_env, timeout=300,
    )  # fmt: skip


def test_index_summary_strict_and_status(tmp_path, tiny_model, small_corpus) -> None:
    make_image_pdf(small_corpus / "scan.pdf")
    (small_corpus / "notes.xlsx").write_bytes(b"x")
    index = str(tmp_path / "idx")

    first = run(["index", str(small_corpus), "--index", index, "--progress"], tiny_model)
    assert first.returncode == 0, first.stderr
    assert (
        "added 4, updated 0, removed 0, renamed 0, unchanged 0, failed 1, skipped 1" in first.stdout
    )
    assert "scan.pdf: no extractable text (needs OCR)" in first.stdout
    assert "notes.xlsx: unsupported file type '.xlsx'" in first.stdout
    assert "embedding chunks" in first.stderr  # the progress bar

    strict = run(["index", str(small_corpus), "--index", index, "--strict"], tiny_model)
    assert strict.returncode == 1
    assert "unchanged 4" in strict.stdout

    (small_corpus / "gwr-2023.txt").unlink()
    status = run(["status", "--index", index], tiny_model)
    assert status.returncode == 0
    assert "Documents:  4" in status.stdout
    assert "removed    gwr-2023.txt" in status.stdout
    assert "scan.pdf: no extractable text (needs OCR)" in status.stdout

    changed_model = run(["status", "--index", index], tiny_model,
                        ASSISTANT_CHUNKING__TARGET_CHARS="250")  # fmt: skip
    assert "the next 'index' rebuilds it" in changed_model.stdout


def test_errors_are_messages_not_tracebacks(tmp_path, tiny_model) -> None:
    missing = run(["index", str(tmp_path / "nope"), "--index", str(tmp_path / "i")], tiny_model)
    assert missing.returncode == 1
    assert "Error: corpus folder" in missing.stderr and "Traceback" not in missing.stderr

    bad = run(["status", "--index", str(tmp_path / "i")], tiny_model,
              ASSISTANT_CHUNKING__TARGET_CHARS="ten")  # fmt: skip
    assert bad.returncode == 1
    assert "chunking.target_chars" in bad.stderr and "Traceback" not in bad.stderr

    (tmp_path / "a.txt").write_text("内容。")
    model = run(["index", str(tmp_path), "--index", str(tmp_path / "j")], tiny_model,
                ASSISTANT_EMBEDDING__MODEL=str(tmp_path / "no-such-model"))  # fmt: skip
    assert model.returncode == 1
    assert "cannot load sentence-transformers model" in model.stderr


def test_status_without_index(tmp_path, tiny_model) -> None:
    out = run(["status", "--index", str(tmp_path / "none")], tiny_model)
    assert out.returncode == 0 and "No index in" in out.stdout


def test_help_is_fast_to_reach(tiny_model) -> None:
    out = run(["--help"], tiny_model)
    assert out.returncode == 0 and "index" in out.stdout and "status" in out.stdout
