"""Bounded load on a running web UI: N concurrent chats on loopback (count- and time-limited).

    python -m benchmarks.load_ui --url http://127.0.0.1:7860/ --users 20 --questions 5

Each simulated official opens their own session (gradio_client) and asks questions from the
golden set one after another through the same endpoint the browser uses. Prints throughput,
latency p50/p95 and the number of errors (an error is an exception, a timeout, or an answer that
is an error message).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

from benchmarks.loadgen import add_load_args, check_loopback, question_pool, report, run_users


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:7860/")
    add_load_args(ap, "chats")
    args = ap.parse_args()
    check_loopback(args.url)
    from gradio_client import Client

    pool = question_pool(args.golden)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds

    def user(n: int) -> None:
        try:
            client = Client(args.url, verbose=False)
        except Exception as exc:
            with lock:
                errors.append(f"connect: {exc}")
            return
        for i in range(args.questions):
            if time.monotonic() > deadline:
                return
            q = pool[(n * args.questions + i) % len(pool)]
            t0 = time.perf_counter()
            try:
                _, chat, _ = client.predict(q, [], "", "", 0, 0, 5, api_name="/respond")
                text = str(chat[-1]["content"]) if chat else ""
                ok = bool(text) and "Error" not in text
            except Exception as exc:
                ok, text = False, f"{type(exc).__name__}: {exc}"
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                if not ok:
                    errors.append(text[:200])

    wall = run_users(args.users, user, args.max_seconds)
    print(f"{args.users} concurrent chats x {args.questions} questions, {os.cpu_count()} cores")
    print(f"answers: {len(latencies)} in {wall:.1f} s, throughput {len(latencies) / wall:.1f}/s")
    sys.exit(report(latencies, errors, wall))


if __name__ == "__main__":
    main()
