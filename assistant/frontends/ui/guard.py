"""The web server's gate (ASGI middleware, no Gradio): every request — page, Gradio API, file,
upload — passes it first.

- **Host check** against DNS rebinding: a page on ``attacker.example`` that resolves to
  127.0.0.1 must not reach the loopback admin tab. A request is served only when its Host is an
  IP address, a loopback name, or a name in ``server.allowed_hosts``.
- **No anonymous uploads on a public bind**: Gradio's upload route is refused unless the admin
  tab is offered (a login, or a loopback bind).
- **Login attempts** per client address are limited (``server.login_attempts_per_minute``).

Refusals are JSON (``{"error": …}``), never a stack trace.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "localhost.localdomain"})


def host_of(header: str) -> str:
    """The host part of a Host header: "example.org:7860" → "example.org", "[::1]:80" → "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """An IP literal (no name to rebind), a loopback name, or a configured name."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return host in LOOPBACK_NAMES or host.rstrip(".") in allowed


class LoginLimiter:
    """At most ``per_minute`` login attempts per client address in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen[client]
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True


class Guard:
    """ASGI middleware applying the checks of the module docstring."""

    def __init__(
        self, app: ASGIApp, allowed_hosts: frozenset[str] = frozenset(),
        uploads: bool = False, login_per_minute: int = 10,
    ) -> None:  # fmt: skip
        self.app = app
        self.allowed = frozenset(h.lower().rstrip(".") for h in allowed_hosts)
        self.uploads = uploads
        self.limiter = LoginLimiter(login_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = host_of(headers.get("host", ""))
        path = str(scope.get("path", ""))
        if not host_allowed(host, self.allowed):
            await _refuse(scope, send, 421, f"host {host!r} is not served here; add it to "
                          "server.allowed_hosts (ASSISTANT_SERVER__ALLOWED_HOSTS)")  # fmt: skip
            return
        if path.rstrip("/").endswith("/upload") and not self.uploads:
            await _refuse(scope, send, 403, "uploads need a login on a public address")
            return
        if path.rstrip("/").endswith("/login") and scope.get("method") == "POST":
            client = (scope.get("client") or ("?", 0))[0]
            if not self.limiter.allow(str(client)):
                await _refuse(scope, send, 429, "too many login attempts; wait a minute")
                return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
