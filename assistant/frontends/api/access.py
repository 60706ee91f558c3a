"""Who may call the API, and how much they may send.

On a loopback bind the API needs no key (a key that is sent must still be right). On any other
address every API route needs ``Authorization: Bearer KEY`` with a key of ``server.api_keys``;
``read`` keys may chat, search, ask, read status and list documents, ``admin`` keys may also
upload, delete and sync. Bodies above the size limits are refused with 413 before they are read
whole."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal

from fastapi import Request

from assistant.frontends.api.errors import APIError, error_body

Role = Literal["read", "admin"]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


class Access:
    """The key check of one server: ``keys`` {key: role}; ``open_`` when bound to loopback."""

    def __init__(self, keys: dict[str, str], open_: bool) -> None:
        self.keys = keys
        self.open = open_

    def role_of(self, request: Request) -> Role | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if not header:
            return "admin" if self.open else None
        if scheme.lower() != "bearer" or not token:
            raise APIError(401, "the Authorization header must be 'Bearer KEY'",
                           "invalid_request_error", "invalid_api_key")  # fmt: skip
        for key, role in self.keys.items():
            if hmac.compare_digest(key.encode(), token.encode()):
                return "admin" if role == "admin" else "read"
        if self.open and not self.keys:
            return "admin"  # loopback with no keys configured: any token is accepted
        raise APIError(401, "the API key is not valid", "invalid_request_error", "invalid_api_key")

    def require(self, needed: Role) -> Callable[[Request], Awaitable[Role]]:
        async def check(request: Request) -> Role:
            role = self.role_of(request)
            if role is None:
                raise APIError(
                    401, "an API key is needed on this address: send 'Authorization: Bearer KEY' "
                    "(keys are set in ASSISTANT_SERVER__API_KEYS)",
                    "invalid_request_error", "missing_api_key",
                )  # fmt: skip
            if needed == "admin" and role != "admin":
                raise APIError(403, "this route needs an admin key", "invalid_request_error",
                               "insufficient_permissions")  # fmt: skip
            return role

        return check


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: an API request body larger than its limit gets 413 in the OpenAI error
    shape — JSON routes ``json_bytes``, the upload route ``upload_bytes``."""

    def __init__(self, app: ASGIApp, json_bytes: int, upload_bytes: int) -> None:
        self.app, self.json_bytes, self.upload_bytes = app, json_bytes, upload_bytes

    def _limit(self, scope: Scope) -> int | None:
        path = str(scope.get("path", ""))
        if not (path.startswith("/v1/") or path.startswith("/api/v1/")):
            return None
        if path.rstrip("/") == "/api/v1/documents" and scope.get("method") == "POST":
            return self.upload_bytes
        return self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(error_body(
        f"the request body is larger than {limit // 1024} KiB; send less (or raise "
        "server.max_request_kb / ingest.max_file_mb)", "invalid_request_error",
        "request_too_large",
    )).encode()  # fmt: skip
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
