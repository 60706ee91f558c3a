"""The command line: the sync summary, exit codes, status, errors, answers, the terminal chat.
The commands run in this process through click's runner (``helpers.cli``: real commands on real
indexes); the entry point ``python -m assistant``, an exit code and the chat reading a real
stdin (a pipe) run as real processes (marked ``subprocess``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docfiles import make_image_pdf
from helpers import Ran, cli


def run(args: list[str], tiny_model: Path, **env: str) -> Ran:
    return cli(args, {"ASSISTANT_EMBEDDING__MODEL": str(tiny_model),
                      "ASSISTANT_CHUNKING__TARGET_CHARS": "200", **env})  # fmt: skip


def process(args: list[str], tiny_model: Path, stdin: str | None = None) -> Ran:
    """``python -m assistant ARGS`` as a child process."""
    env = {**os.environ, "ASSISTANT_EMBEDDING__MODEL": str(tiny_model),
           "ASSISTANT_CHUNKING__TARGET_CHARS": "200"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    return Ran(done.returncode, done.stdout, done.stderr)


def test_index_summary_strict_and_status(tmp_path, tiny_model, small_corpus) -> None:
    make_image_pdf(small_corpus / "scan.pdf")
    (small_corpus / "notes.xlsx").write_bytes(b"x")
    index = str(tmp_path / "idx")

    first = run(["index", str(small_corpus), "--index", index, "--progress"], tiny_model)
    assert first.returncode == 0, first.stderr
    assert (
        "added 4, updated 0, removed 0, renamed 0, unchanged 0, failed 1, skipped 1" in first.stdout
    )
    assert "scan.pdf: no extractable text (OCR found none)" in first.stdout
    assert "notes.xlsx: unsupported file type '.xlsx'" in first.stdout
    assert "embedding chunks" in first.stderr  # the progress bar
    time_line = next(x for x in first.stdout.splitlines() if x.startswith("  time: "))
    parts = {"scan", "open", "repair", "changes", "read", "embed", "store", "lexical", "merge"}
    assert re.search(rf"time: ({'|'.join(parts)}) \d+\.\d s", time_line)  # where it went

    strict = run(["index", str(small_corpus), "--index", index, "--strict"], tiny_model)
    assert strict.returncode == 1
    assert "unchanged 4" in strict.stdout

    (small_corpus / "gwr-2023.txt").unlink()
    status = run(["status", "--index", index], tiny_model)
    assert status.returncode == 0
    assert "Documents:  4" in status.stdout
    assert "removed    gwr-2023.txt" in status.stdout
    assert "scan.pdf: no extractable text (OCR found none)" in status.stdout

    changed_model = run(["status", "--index", index], tiny_model,
                        ASSISTANT_CHUNKING__TARGET_CHARS="250")  # fmt: skip
    assert "the next 'index' rebuilds it" in changed_model.stdout


@pytest.mark.subprocess
def test_the_entry_point_exits_1_with_a_message_not_a_traceback(tmp_path, tiny_model) -> None:
    missing = process(["index", str(tmp_path / "nope"), "--index", str(tmp_path / "i")], tiny_model)
    assert missing.returncode == 1
    assert "Error: corpus folder" in missing.stderr and "Traceback" not in missing.stderr


def test_errors_are_messages_not_tracebacks(tmp_path, tiny_model) -> None:
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


@pytest.mark.subprocess
def test_help_lists_the_commands(tiny_model) -> None:
    out = process(["--help"], tiny_model)
    assert out.returncode == 0 and "index" in out.stdout and "status" in out.stdout


def test_search_and_ask_commands(sample_index, tiny_model) -> None:
    import json

    index = str(sample_index.index_dir)
    found = run(
        ["search", "人工智能+行动", "--index", index, "-k", "3", "--from", "2024"], tiny_model
    )
    assert found.returncode == 0, found.stderr
    assert "Traceback" not in found.stderr
    assert found.stdout.startswith("1. [")
    assert "gwr-2024.txt" in found.stdout or "gwr-2025.txt" in found.stdout

    asked = run(
        ["ask", "2025年拟安排地方政府专项债券多少？", "--index", index, "--json"], tiny_model
    )
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert "4.4万亿元" in data["text"] and data["citations"][0]["source"] == "gwr-2025.txt"

    text = run(["ask", "2025年拟安排地方政府专项债券多少？", "--index", index], tiny_model)
    assert "[1] 2025年中华人民共和国国务院政府工作报告 · 国务院 · 2025" in text.stdout

    from assistant.frontends.brief import read_footnotes

    brief = Path(index).parent / "brief.docx"
    word = run(["ask", "2025年拟安排地方政府专项债券多少？", "--index", index, "--docx",
                str(brief)], tiny_model)  # fmt: skip
    assert word.returncode == 0 and f"wrote {brief}" in word.stderr
    notes = read_footnotes(brief.read_bytes())
    assert (
        notes and "2025年中华人民共和国国务院政府工作报告" in notes[0] and "4.4万亿元" in notes[0]
    )

    refused = run(["ask", "比特币挖矿有什么监管要求？", "--index", index], tiny_model)
    assert refused.stdout.startswith("在已索引的文件中未找到答案")

    empty = run(["ask", "   ", "--index", index], tiny_model)
    assert empty.returncode == 1 and "question is empty" in empty.stderr


@pytest.mark.subprocess
def test_the_terminal_chat_answers_a_follow_up(sample_index, tiny_model) -> None:
    index = str(sample_index.index_dir)
    chat = process(["chat", "--index", index], tiny_model,
                   stdin="2024年拟安排地方政府专项债券多少？\n那2025年呢？\n\n")  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert "3.9万亿元" in chat.stdout and "4.4万亿元" in chat.stdout


def test_terminal_escapes_from_documents_never_reach_the_terminal(
    tmp_path, tiny_model, small_corpus
) -> None:
    """Issue 13.13: a document with escape sequences is quoted without them."""
    (small_corpus / "escape.txt").write_text(
        "关于试点的通知\n\n\x1b]0;PWNED\x07试点工作自\x1b[31m2026年3月1日\x1b[0m起开展。", "utf-8"
    )
    index = str(tmp_path / "idx")
    assert run(["index", str(small_corpus), "--index", index], tiny_model).returncode == 0
    out = run(["search", "试点工作自何时起开展", "--index", index], tiny_model)
    assert out.returncode == 0 and "escape.txt" in out.stdout
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "2026年3月1日" in out.stdout


def test_bad_filter_values_are_clear_errors(tmp_path, tiny_model, small_corpus) -> None:
    index = str(tmp_path / "idx")
    assert run(["index", str(small_corpus), "--index", index], tiny_model).returncode == 0
    bad = run(["search", "政府工作", "--index", index, "--from", "abc"], tiny_model)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "date_from 'abc' is not a date" in bad.stderr
    backwards = run(["ask", "政府工作", "--index", index, "--from", "2025", "--to", "2023"],
                    tiny_model)  # fmt: skip
    assert backwards.returncode == 1 and "is after date_to" in backwards.stderr
