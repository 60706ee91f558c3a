"""API errors in the OpenAI error shape: ``{"error": {"message", "type", "code"}}``, with the
status code that fits. Every failure a client can cause ends here, never in a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.core.errors import AssistantError, ConfigError, IndexAccessError

log = logging.getLogger(__name__)


class APIError(Exception):
    """A refusal of the request, with its HTTP status, OpenAI error type and code."""

    def __init__(self, status: int, message: str, type_: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code = status, message, type_, code


def error_body(message: str, type_: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "code": code, "param": None}}


def _json(status: int, message: str, type_: str, code: str) -> JSONResponse:
    return JSONResponse(error_body(message, type_, code), status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def install(app: FastAPI) -> None:
    """Error handlers for every route of ``app``."""

    @app.exception_handler(APIError)
    async def _api(_: Request, exc: APIError) -> JSONResponse:
        return _json(exc.status, exc.message, exc.type, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _json(400, "the body is not valid JSON", "invalid_request_error", "bad_json")
        return _json(400, _validation_message(exc), "invalid_request_error", "invalid_value")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _json(exc.status_code, str(exc.detail), "invalid_request_error", code)

    @app.exception_handler(AssistantError)
    async def _assistant(_: Request, exc: AssistantError) -> JSONResponse:
        if isinstance(exc, IndexAccessError):
            return _json(503, str(exc), "server_error", "index_unavailable")
        if isinstance(exc, ConfigError):
            return _json(400, str(exc), "invalid_request_error", "not_configured")
        return _json(400, str(exc), "invalid_request_error", "invalid_value")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("API request failed")
        return _json(500, f"internal error ({type(exc).__name__}); see the server log",
                     "server_error", "internal_error")  # fmt: skip
