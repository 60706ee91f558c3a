"""The bounded load script against a running web UI on loopback: 20 concurrent chats, 0 errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import ROOT, free_port, make_settings

from assistant import Assistant

pytestmark = [pytest.mark.server, pytest.mark.subprocess]


def test_twenty_concurrent_chats(tmp_path, tiny_model, small_corpus) -> None:
    from assistant.frontends.ui import serve

    settings = make_settings(tmp_path / "index", tiny_model)
    assistant = Assistant(settings)
    assistant.index([small_corpus])
    port = free_port()
    app = serve(assistant, "127.0.0.1", port, None, block=False)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "benchmarks.load_ui", "--url",
             f"http://127.0.0.1:{port}/", "--users", "20", "--questions", "2",
             "--max-seconds", "120"],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
    finally:
        app.close()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "answers: 40" in run.stdout and "errors: 0" in run.stdout
