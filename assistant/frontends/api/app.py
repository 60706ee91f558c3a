"""The FastAPI application of the HTTP API (OpenAPI docs at ``/docs``); ``serve`` mounts the
web UI on it, so both run in one process on one ``Assistant``."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.app import Assistant
from assistant.core.errors import ConfigError
from assistant.frontends.api import errors, openai_chat, rest
from assistant.frontends.api.access import Access, BodyLimit, is_loopback
from assistant.frontends.api.errors import APIError


def check_access(assistant: Assistant, host: str) -> Access:
    """The server's key check (a ``ConfigError`` naming a malformed key entry)."""
    try:
        keys = assistant.settings.server.keys()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return Access(keys, is_loopback(host))


def admin_routes(access: Access) -> bool:
    """Document management (upload, delete, sync) exists on loopback, or with an admin key:
    a public bind with no admin key never has those routes at all."""
    return access.open or "admin" in access.keys.values()


def build_api(assistant: Assistant, host: str = "127.0.0.1") -> FastAPI:
    """The API app for a server bound to ``host`` (loopback: no key needed)."""
    access = check_access(assistant, host)
    app = FastAPI(
        title="Policy Assistant API",
        description="Cited answers over government policy documents: an OpenAI-compatible "
        "chat route (/v1) and a REST API (/api/v1).",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    errors.install(app)
    app.include_router(openai_chat.router(assistant, access))
    app.include_router(rest.router(assistant, access, admin=admin_routes(access)))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @app.api_route("/v1/{rest:path}", methods=methods, include_in_schema=False)
    @app.api_route("/api/v1/{rest:path}", methods=methods, include_in_schema=False)
    def _unknown(rest: str) -> None:
        """An API path that does not exist (or document management on a public bind with no
        admin key) is a JSON 404, not the web UI's page."""
        raise APIError(404, f"no such API route: {rest!r} (see /docs)",
                       "invalid_request_error", "not_found")  # fmt: skip

    server, ingest = assistant.settings.server, assistant.settings.ingest
    app.add_middleware(
        BodyLimit,
        json_bytes=server.max_request_kb * 1024,
        upload_bytes=int(ingest.max_file_mb * 1024 * 1024) + 64 * 1024,
    )
    return app
