"""Several instances writing one collection on a real Chroma server (`chroma run`): two syncs
of different new notices at once both land, neither deletes the other's documents, one waits
for the other's lease; a writer killed while it holds the lease blocks the next only until the
lease expires; a file another instance's folder already indexes under the same name is
reported, not overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_reports, make_settings, start_chroma

from assistant import Assistant
from assistant.core.settings import ChromaSettings
from assistant.index.store import ChromaStore

pytestmark = [pytest.mark.server, pytest.mark.subprocess]

WRITER = r"""
import json, sys, time
from assistant import Assistant, Settings

cfg = json.loads(sys.argv[1])
def progress(stage, done, total):
    if stage.startswith("wait: "):
        print("waiting", flush=True)
    if stage == "write" and done == 0 and cfg["stall_s"]:
        print("writing", flush=True)
        time.sleep(cfg["stall_s"])
        cfg["stall_s"] = 0
report = Assistant(Settings(**cfg["settings"])).index([cfg["corpus"]], progress=progress)
print(json.dumps({"added": report.added, "removed": report.removed, "failed": report.failed,
                  "waited_s": report.waited_s, "repaired": report.repaired}), flush=True)
"""

NOTICES = {
    "a-notice.txt": "工业和信息化部关于开展低空飞行器适航审定试点的通知\n\n到2027年建成12个试点基地。",
    "b-notice.txt": "农业农村部关于推进高标准农田建设的通知\n\n2026年新建高标准农田4500万亩。",
}


@pytest.fixture
def server(tmp_path):
    proc, url = start_chroma(tmp_path / "chroma-server")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def _settings(index_dir: Path, model: Path, url: str, ttl: float = 60.0):
    return make_settings(index_dir, model).model_copy(
        update={"chroma": ChromaSettings(url=url, lease_ttl_s=ttl, lease_wait_s=120)}
    )


def _writer(settings, corpus: Path, stall_s: float = 0.0) -> subprocess.Popen[str]:
    cfg = {"settings": json.loads(settings.model_dump_json()), "corpus": str(corpus),
           "stall_s": stall_s}  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", WRITER, json.dumps(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _report(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def _chunks_on_server(url: str, settings) -> tuple[set[str], set[str]]:
    """(chunk ids in the collection, sources they belong to)."""
    from assistant.index.layout import collection_name

    store = ChromaStore(Path("unused"), url)
    rows = list(store.iter_metadata(collection_name(settings)))
    return {cid for cid, _ in rows}, {str(m["source"]) for _, m in rows}


def test_two_writers_at_once_both_land_and_one_waits(tmp_path, tiny_model, server) -> None:
    fa, fb = tmp_path / "folder-a", tmp_path / "folder-b"
    copy_reports(fa, ("gwr-2024", "gwr-2025"))
    copy_reports(fb, ("gwr-2023",))
    sa = _settings(tmp_path / "a", tiny_model, server)
    sb = _settings(tmp_path / "b", tiny_model, server)
    assert Assistant(sa).index([fa]).added == ["gwr-2024.txt", "gwr-2025.txt"]
    first_b = Assistant(sb).index([fb])
    assert first_b.added == ["gwr-2023.txt"] and not first_b.removed  # A's documents kept

    (fa / "a-notice.txt").write_text(NOTICES["a-notice.txt"], "utf-8")
    (fb / "b-notice.txt").write_text(NOTICES["b-notice.txt"], "utf-8")
    pa = _writer(sa, fa, stall_s=3.0)  # holds the lease while it writes
    assert pa.stdout is not None and pa.stdout.readline().strip() == "writing"
    pb = _writer(sb, fb)
    ra, rb = _report(pa), _report(pb)
    assert ra["added"] == ["a-notice.txt"] and rb["added"] == ["b-notice.txt"]
    assert not ra["removed"] and not rb["removed"] and not ra["failed"] and not rb["failed"]
    assert rb["waited_s"] > 0.5 and ra["waited_s"] < 0.5

    ids, sources = _chunks_on_server(server, sa)
    want = {"gwr-2023.txt", "gwr-2024.txt", "gwr-2025.txt", "a-notice.txt", "b-notice.txt"}
    assert sources == want
    status = Assistant(sa).status()
    assert status.documents == 5 and status.chunks == len(ids) and not status.problems
    # Each instance answers from both notices (its BM25 copy caught up with the other's sync).
    for s in (sa, sb):
        a = Assistant(s)
        assert a.search("低空飞行器适航审定试点", k=1)[0].source == "a-notice.txt"
        assert a.search("高标准农田建设 4500万亩", k=1)[0].source == "b-notice.txt"
    # A name the other folder already indexes is reported, not taken over.
    (fb / "a-notice.txt").write_text("同名的另一份文件。", "utf-8")
    clash = Assistant(sb).index([fb])
    assert [f.source for f in clash.failed] == ["a-notice.txt"]
    assert "another instance" in clash.failed[0].reason
    assert "低空飞行器" in Assistant(sa).search("低空飞行器适航审定试点", k=1)[0].text


def test_a_killed_writer_blocks_only_until_its_lease_expires(tmp_path, tiny_model, server) -> None:
    folder = tmp_path / "folder"
    copy_reports(folder, ("gwr-2024",))
    settings = _settings(tmp_path / "a", tiny_model, server, ttl=4.0)
    Assistant(settings).index([folder])
    (folder / "a-notice.txt").write_text(NOTICES["a-notice.txt"], "utf-8")
    killed = _writer(settings, folder, stall_s=60.0)
    assert killed.stdout is not None and killed.stdout.readline().strip() == "writing"
    killed.kill()
    killed.wait()
    t0 = time.monotonic()
    other = _settings(tmp_path / "b", tiny_model, server, ttl=4.0)
    report = Assistant(other).index([folder])
    waited = time.monotonic() - t0
    assert report.added == ["a-notice.txt"] or report.updated == ["a-notice.txt"]
    assert report.waited_s > 0 and waited < 30
    ids, sources = _chunks_on_server(server, settings)
    assert sources == {"gwr-2024.txt", "a-notice.txt"}
    assert Assistant(other).status().chunks == len(ids)
