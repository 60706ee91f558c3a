"""What the load scripts share: run N simulated users at once, then print latency and errors."""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from assistant.evaluation.metrics import percentile


def add_load_args(ap: argparse.ArgumentParser, who: str) -> None:
    """The options every load script takes: how many ``who`` at once, questions each, a time
    limit, and the questions file."""
    ap.add_argument("--users", type=int, default=20, help=f"concurrent {who}")
    ap.add_argument("--questions", type=int, default=5, help=f"questions per {who[:-1]}")
    ap.add_argument("--max-seconds", type=float, default=300, help="stop sending after this")
    ap.add_argument("--golden", type=Path, default=Path("eval/golden.jsonl"))


def question_pool(path: Path) -> list[str]:
    return [json.loads(x)["question"] for x in path.read_text("utf-8").splitlines() if x.strip()]


def check_loopback(url: str) -> None:
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("this load script only targets loopback addresses")


def run_users(users: int, user: Callable[[int], None], max_seconds: float) -> float:
    """Run ``user(n)`` for n in 0..users-1 in threads; the wall time in seconds."""
    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max_seconds + 60)
    return time.perf_counter() - t0


def report(latencies: list[float], errors: list[str], wall: float) -> int:
    """Print latency p50/p95 and the first errors; the exit status (1 with any error)."""
    print(
        f"latency p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms"
    )
    print(f"errors: {len(errors)}")
    for e in errors[:5]:
        print("  ", e)
    return 1 if errors else 0
