"""The web server against hostile requests (issue 13): DNS rebinding, anonymous uploads on a
public bind, password guessing, sessions that pile up, hosts and ports it cannot serve. Real
servers on loopback, a real HTTP client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from helpers import free_port, make_settings

from assistant import Assistant
from assistant.frontends.ui.guard import LoginLimiter, host_allowed, host_of

pytestmark = pytest.mark.server


def _serve(settings, host: str, auth=None):
    from assistant.frontends.ui import serve

    port = free_port()
    return serve(Assistant(settings), host, port, auth, block=False), port


@pytest.fixture
def indexed(tmp_path, tiny_model, small_corpus):
    settings = make_settings(tmp_path / "index", tiny_model)
    Assistant(settings).index([small_corpus])
    return settings


def test_host_rules() -> None:
    assert host_of("attacker.example:7860") == "attacker.example"
    assert host_of("[::1]:7860") == "::1" and host_of("127.0.0.1") == "127.0.0.1"
    assert host_allowed("127.0.0.1", frozenset()) and host_allowed("localhost", frozenset())
    assert host_allowed("10.1.2.3", frozenset())  # an address names no one to rebind
    assert not host_allowed("attacker.example", frozenset())
    assert host_allowed("policy.example.gov.cn", frozenset({"policy.example.gov.cn"}))
    limiter = LoginLimiter(3)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("a", now=61.5) and limiter.allow("b", now=3)


def test_dns_rebinding_cannot_reach_the_loopback_admin(indexed, small_corpus) -> None:
    """13.2: a page on attacker.example resolving to 127.0.0.1 gets no route at all."""
    app, port = _serve(indexed, "127.0.0.1")
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/", timeout=20).status_code == 200
        evil = {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}
        for method, path in [("GET", "/"), ("GET", "/config"), ("POST", "/gradio_api/queue/join"),
                             ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/info")]:  # fmt: skip
            r = httpx.request(method, base + path, headers=evil, json={}, timeout=20)
            assert r.status_code == 421, (path, r.status_code)
            assert "not served here" in r.json()["error"]
        assert (small_corpus / "gwr-2024.txt").is_file()
    finally:
        app.close()


def test_no_anonymous_upload_on_a_public_bind(indexed) -> None:
    """13.3: with no login on 0.0.0.0, Gradio's upload route takes nothing."""
    app, port = _serve(indexed, "0.0.0.0")
    try:
        files = [("files", (f"x{i}.txt", b"0" * 5_000_000, "text/plain")) for i in range(3)]
        r = httpx.post(f"http://127.0.0.1:{port}/gradio_api/upload", files=files, timeout=30)
        assert r.status_code == 403 and "login" in r.json()["error"]
        assert "管理 · Admin" not in httpx.get(f"http://127.0.0.1:{port}/config", timeout=20).text
    finally:
        app.close()


def test_login_attempts_are_limited(indexed) -> None:
    """13.13: password guessing is slowed to the configured attempts per minute."""
    server = indexed.server.model_copy(update={"login_attempts_per_minute": 5})
    app, port = _serve(indexed.model_copy(update={"server": server}), "127.0.0.1",
                       auth=("admin", "correct horse"))  # fmt: skip
    try:
        codes = [
            httpx.post(f"http://127.0.0.1:{port}/login",
                       data={"username": "admin", "password": f"guess{i}"}, timeout=20).status_code
            for i in range(8)
        ]  # fmt: skip
        assert codes[:5].count(429) == 0 and codes[5:] == [429, 429, 429]
    finally:
        app.close()


def test_chat_sessions_are_bounded(indexed) -> None:
    """13.7: sessions beyond ``server.max_sessions`` are dropped, oldest first, so memory does
    not grow with every visitor."""
    from gradio_client import Client

    server = indexed.server.model_copy(update={"max_sessions": 4})
    app, port = _serve(indexed.model_copy(update={"server": server}), "127.0.0.1")
    try:
        for _ in range(10):
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            client.predict("2024年国内生产总值增长目标是多少？", [], "", "", 0, 0, 5,
                           api_name="/respond")  # fmt: skip
        assert 0 < len(app.state_holder.session_data) <= 4
    finally:
        app.close()


def _cli(args: list[str], tiny_model, env_extra=None, timeout: float = 60) -> subprocess.Popen:
    env = {**os.environ, "ASSISTANT_EMBEDDING__MODEL": str(tiny_model),
           "ASSISTANT_CHUNKING__TARGET_CHARS": "200", **(env_extra or {})}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "assistant", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip


@pytest.mark.subprocess
def test_ipv6_hosts_serve_and_a_busy_port_is_a_clear_error(indexed, tiny_model) -> None:
    """13.10: ``serve --host ::1`` serves; a port in use is one line, not a traceback."""
    index = str(indexed.index_dir)
    port = free_port()
    proc = _cli(["serve", "--index", index, "--host", "::1", "--port", str(port)], tiny_model)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://[::1]:{port}/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail(
                "serve --host ::1 did not answer: " + proc.stderr.read() if proc.stderr else ""
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        second = _cli(["serve", "--index", index, "--port", str(taken)], tiny_model)
        _out, err = second.communicate(timeout=120)
    assert second.returncode == 1 and "Traceback" not in err
    assert f"cannot listen on 127.0.0.1:{taken}" in err
