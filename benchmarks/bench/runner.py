"""The benchmark's parent: runs every step in a child process, in phases, and collects the
figures (wall time and peak RSS from the kernel's rusage for each step)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench.common import RESULT, ROOT
from benchmarks.bench.common import log as _log
from benchmarks.bench.report import render
from benchmarks.cold_start import NOW, clock


def child(step: str, **args: Any) -> dict[str, Any]:
    """Run one step in a new process; its result plus wall time and peak RSS (MB)."""
    _log(f"{step} …")
    out_path = Path(args["work"]) / f"{step}-{time.monotonic_ns()}.out"
    with out_path.open("w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.bench",
                "--child",
                step,
                json.dumps(args, ensure_ascii=False),
            ],
            stdout=fh,
            cwd=ROOT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    text = out_path.read_text("utf-8")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step {step} failed; its output:\n{text[-3000:]}")
    line = next(x for x in reversed(text.splitlines()) if x.startswith(RESULT))
    result = json.loads(line[len(RESULT) :])
    result["process_wall_seconds"] = wall
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def timed_command(cmd: list[str], repeat: int = 3) -> float:
    """Median wall seconds of a whole command, process start to exit."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving_memory(index: str, model: str, golden: Path, users: int, questions: int) -> dict:
    """Peak RSS of ``policy-assistant serve`` after ``users`` concurrent chats."""
    port = free_port()
    env = dict(os.environ)
    if model:
        env["ASSISTANT_EMBEDDING__MODEL"] = model
    exe = Path(sys.executable).parent / "policy-assistant"
    cmd = [str(exe), "serve", "--index", index, "--port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    raise SystemExit(f"the web UI did not start: {err[-2000:]}") from None
                time.sleep(0.5)
        idle = _rss(proc.pid)
        load = subprocess.run(
            [
                *(sys.executable, "-m", "benchmarks.load_ui", "--url", url),
                *("--users", str(users), "--questions", str(questions), "--golden", str(golden)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        after = _rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "idle_rss_mb": idle["VmRSS"],
        "peak_rss_mb": after["VmHWM"],
        "load": load.stdout.strip().splitlines(),
        "load_ok": load.returncode == 0,
    }


def _rss(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def pick_new_doc(data: Path, corpus: Path, work: Path) -> Path:
    """A real notice that is not in the corpus (a report of 2012 from the data set), else the
    sample corpus's last file, held back from the full build."""
    out = work / "new-notice"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if data.is_file():
        from scripts.import_gov_reports import write_document

        for line in data.read_text("utf-8").splitlines():
            doc = json.loads(line)
            if doc.get("year") and not (corpus / f"{doc['doc_id']}.txt").exists():
                return write_document(doc, out)
    _log(f"{data} not found: the sample corpus's last notice is held back and added instead")
    last = sorted(corpus.glob("*.txt"))[-1]
    shutil.move(last, out / last.name)
    side = last.with_suffix(".meta.json")
    if side.exists():
        shutil.move(side, out / side.name)
    return out / last.name


@dataclass
class Plan:
    """Where one benchmark run works and what every step is given."""

    args: argparse.Namespace
    work: Path
    model: str  # the --model option ("" = the settings' default)
    model_name: str  # the model actually measured
    golden: str
    sample: Path  # the copy of the sample corpus the run changes
    ours: str
    naive: str
    scaled: str
    new_doc: Path = Path()

    @property
    def common(self) -> dict[str, Any]:
        return {"work": str(self.work), "model": self.model}


def run_all(args: argparse.Namespace) -> None:
    """Every phase in order; writes bench.json and bench.md into ``args.out``."""
    plan = _plan(args)
    started = time.perf_counter()
    r: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    r["model"] = plan.model_name
    _ingest_phase(plan, r)
    _query_phase(plan, r)
    _naive_phase(plan, r)
    _scaled_phase(plan, r)
    _backends_phase(plan, r)
    r["serving"] = serving_memory(plan.ours, plan.model, args.golden, args.users, 3)
    r["total_seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), "utf-8")
    md = render(r)
    (args.out / "bench.md").write_text(md, "utf-8")
    print(md)
    print(f"written: {args.out / 'bench.md'}, {args.out / 'bench.json'}")


def _plan(args: argparse.Namespace) -> Plan:
    from assistant.core.settings import Settings

    work = (args.work or args.out / "work").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sample = work / "corpus"
    shutil.copytree(args.corpus, sample)
    return Plan(
        args, work, args.model, args.model or Settings().embedding.model,
        str(args.golden.resolve()), sample, str(work / "ours"), str(work / "naive"),
        str(work / "scaled"),
    )  # fmt: skip


def _ingest_phase(plan: Plan, r: dict[str, Any]) -> None:
    """Model preparation, the full sync against the raw encoder, incremental work."""
    common = plan.common
    # The ONNX backends write their model file on first use: paid once, reported apart.
    r["prepare"] = child("prepare", **common)
    plan.new_doc = pick_new_doc(plan.args.data, plan.sample, plan.work)  # may hold one back
    # The raw encode just before and just after the sync, the sync measured against their mean:
    # this machine's speed drifts by 5-10 % within minutes, as much as the gap being measured.
    before = child("encode", corpus=[str(plan.sample)], **common)
    r["full_sync"] = child("sync", index=plan.ours, corpus=[str(plan.sample)], **common)
    after = child("encode", corpus=[str(plan.sample)], **common)
    r["raw_encode"] = bracketed(before, after)
    change = max(plan.sample.glob("*.txt"), key=lambda p: p.stat().st_size).name
    r["incremental"] = child(
        "incremental", index=plan.ours, corpus=[str(plan.sample)], new_doc=str(plan.new_doc),
        change_doc=change, **common,
    )  # fmt: skip


def bracketed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The raw encode as the mean of the runs before and after a step (each kept)."""
    seconds = (before["seconds"] + after["seconds"]) / 2
    return {
        **after, "seconds": seconds, "per_second": after["texts"] / seconds,
        "seconds_each": [before["seconds"], after["seconds"]],
        "peak_rss_mb": max(before["peak_rss_mb"], after["peak_rss_mb"]),
    }  # fmt: skip


def _query_phase(plan: Plan, r: dict[str, Any]) -> None:
    """Latency and golden metrics, cold start, start-up of light commands."""
    r["query"] = child(
        "query", index=plan.ours, golden=plan.golden, metrics=True, rounds=plan.args.rounds,
        **plan.common,
    )  # fmt: skip
    exe = str(Path(sys.executable).parent / "policy-assistant")
    n = plan.args.starts
    cold = _cold_start(plan, plan.ours, plan.model)
    r["start"] = {
        "cold_first_answer_seconds": cold["answer"],
        "cold_exit_seconds": cold["exit"],
        "help_seconds": timed_command([exe, "--help"], n),
        "status_seconds": timed_command([exe, "status", "--index", plan.ours], n),
        "python_bare_seconds": timed_command([sys.executable, "-c", "pass"], n),
        "repeats": n,
    }


def _naive_phase(plan: Plan, r: dict[str, Any]) -> None:
    """The naive LangChain pipeline, with our embedder and with the model as it ships."""
    corpus = [str(plan.sample)]
    r["naive"] = child("naive", index=plan.naive, corpus=corpus, golden=plan.golden, **plan.common)
    if plan.model_name.startswith("bundled:multilingual-e5-small"):
        r["naive_as_shipped"] = child(
            "naive", index=plan.naive + "-shipped", corpus=corpus, golden=plan.golden,
            as_shipped=True, **plan.common,
        )  # fmt: skip


def _scaled_phase(plan: Plan, r: dict[str, Any]) -> None:
    """The scaled corpus: written, synced from the cache, queried, changed."""
    common = plan.common
    r["scaled_corpus"] = child(
        "scaled_corpus", index=plan.scaled, real_index=plan.ours, data=str(plan.args.data),
        out_corpus=str(plan.work / "scaled-corpus"), target=plan.args.scale,
        dim=r["raw_encode"]["dimension"], fallback_corpus=str(plan.args.corpus), **common,
    )  # fmt: skip
    roots = r["scaled_corpus"].pop("roots")
    r["scaled_sync"] = child("sync", index=plan.scaled, corpus=roots, **common)
    r["scaled_query"] = child(
        "query", index=plan.scaled, golden=plan.golden, rounds=plan.args.rounds, **common
    )
    r["scaled_incremental"] = _scaled_add(plan.scaled, roots, plan.new_doc, plan.work, common)


def _backends_phase(plan: Plan, r: dict[str, Any]) -> None:
    """Other embedding backends: a cold full sync, its raw encode, the golden set and a cold
    start (a new process to its first answer) each."""
    r["backends"] = {}
    for other in [b for b in plan.args.backends.split(",") if b and b != plan.model_name]:
        idx = str(plan.work / f"backend-{len(r['backends'])}")
        opts = {**plan.common, "model": other}
        child("prepare", **opts)
        sync = child("sync", index=idx, corpus=[str(plan.sample)], **opts)
        encode = child("encode", corpus=[str(plan.sample)], **opts)
        query = child("query", index=idx, golden=plan.golden, metrics=True, rounds=1, **opts)
        cold = _cold_start(plan, idx, other)["answer"]
        r["backends"][other] = {"sync": sync, "encode": encode, "query": query, "cold": cold}


def _cold_start(plan: Plan, index: str, model: str) -> dict[str, float]:
    """Median seconds from a new process's start to its first answer on ``index`` (the child
    reads the system-wide monotonic clock after answering), and to its exit."""
    first_q = json.loads(plan.args.golden.read_text("utf-8").splitlines()[0])["question"]
    code = (
        "import sys, json, time; from benchmarks.bench.common import step_settings;"
        "from assistant import Assistant;"
        f"a = Assistant(step_settings(json.loads(sys.argv[1]))); a.ask({first_q!r});"
        f"print({NOW})"
    )
    cmd = [sys.executable, "-c", code, json.dumps({"index": index, "model": model})]
    answer, whole = [], []
    for _ in range(plan.args.starts):
        t0 = clock()
        done = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
        whole.append(clock() - t0)
        answer.append(float(done.stdout.strip().splitlines()[-1]) - t0)
    return {"answer": statistics.median(answer), "exit": statistics.median(whole)}


def _scaled_add(
    index: str, roots: list[str], new_doc: Path, work: Path, common: dict[str, Any],
    mark: str = "增补", repeats: int = 1,
) -> dict[str, Any]:  # fmt: skip
    """Adding one notice to the scaled index: its text under a new title (marked ``mark``), so
    it is embedded."""
    folder = Path(roots[0])
    doc = work / "scaled-new" / f"added-{new_doc.name}"
    doc.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(new_doc, doc)
    side = new_doc.with_suffix(".meta.json")
    meta = json.loads(side.read_text("utf-8")) if side.exists() else {}
    meta["title"] = f"{meta.get('title', new_doc.stem)}（{mark}）"
    doc.with_suffix(".meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    change = max(folder.glob("*.txt"), key=lambda p: p.stat().st_size).name
    return child(
        "incremental", index=index, corpus=roots, new_doc=str(doc),
        change_doc=change, repeats=repeats, **common,
    )  # fmt: skip
