"""Bounded load on the HTTP API: N concurrent clients of the OpenAI-compatible route.

    python -m benchmarks.load_api --users 20 --questions 5          # starts its own server
    python -m benchmarks.load_api --url http://127.0.0.1:7860       # or targets a running one

Without ``--url`` it serves ``--index`` (default indexes/default, the sample corpus built by
``make index``) with ``serve`` on a free loopback port in this process — the same app as
``policy-assistant serve``, web UI mounted beside the API. Each simulated client uses the real
``openai`` SDK and asks golden-set questions one after another. Prints throughput, latency
p50/p95 and errors (an exception, a timeout, or a reply with neither references nor a marked
refusal).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time

from benchmarks.loadgen import add_load_args, check_loopback, question_pool, report, run_users


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="", help="a running server (loopback only)")
    ap.add_argument("--index", default="indexes/default")
    add_load_args(ap, "clients")
    args = ap.parse_args()
    import openai

    web = None
    url = args.url.rstrip("/")
    if not url:
        from assistant import Assistant
        from assistant.frontends.ui import serve

        port = _free_port()
        assistant = Assistant.open(args.index)
        assistant.retriever()
        web = serve(assistant, "127.0.0.1", port, None, block=False)
        url = f"http://127.0.0.1:{port}"
    check_loopback(url)
    pool = question_pool(args.golden)
    latencies: list[float] = []
    errors: list[str] = []
    refused = 0
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds

    def user(n: int) -> None:
        nonlocal refused
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=120)
        for i in range(args.questions):
            if time.monotonic() > deadline:
                return
            q = pool[(n * args.questions + i) % len(pool)]
            t0 = time.perf_counter()
            try:
                resp = client.chat.completions.create(
                    model="policy-assistant", messages=[{"role": "user", "content": q}]
                )
                message = resp.model_dump()["choices"][0]["message"]
                ok = bool(message.get("references")) or message.get("refused") is True
                text = "" if ok else str(message)[:200]
            except Exception as exc:
                ok, text = False, f"{type(exc).__name__}: {exc}"
                message = {}
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                refused += bool(message.get("refused"))
                if not ok:
                    errors.append(text)

    wall = run_users(args.users, user, args.max_seconds)
    if web is not None:
        web.close()
    print(f"{args.users} concurrent API clients x {args.questions} questions, "
          f"{os.cpu_count()} cores, {url}/v1/chat/completions")  # fmt: skip
    print(f"answers: {len(latencies)} ({refused} refusals) in {wall:.1f} s, "
          f"throughput {len(latencies) / wall:.1f}/s")  # fmt: skip
    sys.exit(report(latencies, errors, wall))


if __name__ == "__main__":
    main()
