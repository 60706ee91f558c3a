"""What the load scripts share: run N simulated users at once, then print latency and errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from assistant.evaluation.metrics import percentile


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
