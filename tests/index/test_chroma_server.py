"""The same assistant against a real Chroma server (`chroma run` on loopback): index, status,
search, ask and eval work unchanged (the CLI's commands run in this process), and two
instances sharing the server see each other's updates (the BM25 copy is rebuilt when the
collection's sync token changes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ROOT, Ran, cli, free_port, make_settings, start_chroma

from assistant import Assistant
from assistant.core.errors import IndexAccessError
from assistant.core.settings import ChromaSettings

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def _server_settings(index_dir: Path, model: Path, url: str):
    s = make_settings(index_dir, model)
    return s.model_copy(update={"chroma": ChromaSettings(url=url)})


def test_two_instances_share_one_server(tmp_path, tiny_model, small_corpus, chroma_url) -> None:
    a = Assistant(_server_settings(tmp_path / "a", tiny_model, chroma_url))
    b = Assistant(_server_settings(tmp_path / "b", tiny_model, chroma_url))
    report = a.index([small_corpus])
    assert len(report.added) == 4 and not (tmp_path / "a" / "chroma").exists()
    assert a.status().documents == 4

    # B never indexed: it finds the collection on the server and builds its own BM25 copy.
    hit = b.search("拟安排地方政府专项债券4.4万亿元", k=1)[0]
    assert hit.source == "gwr-2025.txt"
    assert "4.4万亿元" in b.ask("2025年拟安排地方政府专项债券多少？").text

    # A adds a notice; B sees it on its next question.
    (small_corpus / "notice.txt").write_text(
        "工业和信息化部关于开展低空飞行器适航审定试点的通知\n\n到2027年建成12个试点基地。", "utf-8"
    )
    assert a.index([small_corpus]).added == ["notice.txt"]
    answer = b.ask("低空飞行器适航审定试点基地建成多少个？")
    assert answer.citations and answer.citations[0].source == "notice.txt"


def test_cli_against_the_server(tmp_path, tiny_model, small_corpus, chroma_url) -> None:
    env = {"ASSISTANT_EMBEDDING__MODEL": str(tiny_model), "ASSISTANT_CHUNKING__TARGET_CHARS": "150"}
    index = str(tmp_path / "cli-index")

    def run(*args: str) -> Ran:
        return cli(["--chroma-url", chroma_url, *args, "--index", index], env)

    assert run("index", str(small_corpus)).returncode == 0
    assert not (tmp_path / "cli-index" / "chroma").exists()  # the vectors are on the server
    assert "Documents:  4" in run("status").stdout
    assert "gwr-2025.txt" in run("search", "地方政府专项债券4.4万亿元").stdout
    asked = run("ask", "2025年拟安排地方政府专项债券多少？")
    assert asked.returncode == 0 and "4.4万亿元" in asked.stdout
    golden = tmp_path / "q.jsonl"
    shutil.copy(ROOT / "eval" / "dev_questions.jsonl", golden)
    ev = run("eval", str(golden))
    assert ev.returncode == 0 and "recall@5" in ev.stdout


def test_unreachable_server_is_a_clear_error(tmp_path, tiny_model) -> None:
    port = free_port()
    a = Assistant(_server_settings(tmp_path / "x", tiny_model, f"http://127.0.0.1:{port}"))
    with pytest.raises(IndexAccessError, match=r"cannot reach the Chroma server.*chroma run"):
        a.search("赤字率")
