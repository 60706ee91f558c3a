"""``/api/v1``: search, ask (JSON, or a Word brief with ``format=docx``), status, and document
management (list, upload, delete, sync with progress as server-sent events) — each route one
call on the ``Assistant``."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assistant.app import Assistant
from assistant.core.errors import AssistantError
from assistant.core.types import AddedDocument, Answer, Hit, IndexStatus
from assistant.frontends.api.access import Access
from assistant.frontends.api.schemas import AskRequest, SearchRequest
from assistant.frontends.brief import brief_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def router(assistant: Assistant, access: Access, admin: bool = True) -> APIRouter:
    """The REST routes; document management only when ``admin``."""
    r = APIRouter(prefix="/api/v1", tags=["REST"])
    read = Depends(access.require("read"))

    @r.post("/search", dependencies=[read])
    def search(req: SearchRequest) -> list[Hit]:
        """The passages that best match the question (hybrid dense + BM25), ranked."""
        return assistant.search(
            req.question, req.k, req.filters.to_search() if req.filters else None
        )

    @r.post(
        "/ask", dependencies=[read], response_model=Answer,
        responses={200: {"content": {DOCX: {}}, "description": "The answer (JSON or .docx)"}},
    )  # fmt: skip
    def ask(
        req: AskRequest,
        format: Annotated[Literal["json", "docx"], Query(description="json or docx")] = "json",
    ) -> Any:
        """A cited answer or a refusal (the Python ``Answer``); ``format=docx`` returns it as a
        Word brief with one footnote per citation."""
        answer = assistant.ask(
            req.question, req.k, req.filters.to_search() if req.filters else None,
            list(req.history), req.mode,
        )  # fmt: skip
        if format == "docx":
            data = brief_docx([answer])
            return Response(data, media_type=DOCX, headers={
                "Content-Disposition": 'attachment; filename="answer.docx"'})  # fmt: skip
        return answer

    @r.get("/status", dependencies=[read])
    def status() -> IndexStatus:
        """Documents, chunks, model, last sync, problems."""
        return assistant.status()

    @r.get("/documents", dependencies=[read])
    def documents() -> list[dict[str, Any]]:
        """The indexed documents with their metadata."""
        return assistant.documents()

    if admin:
        _admin_routes(r, assistant, access)
    return r


def _admin_routes(r: APIRouter, assistant: Assistant, access: Access) -> None:
    admin = Depends(access.require("admin"))

    @r.post("/documents", dependencies=[admin])
    async def upload(
        file: Annotated[UploadFile, File(description="The document (PDF, DOCX, HTML, TXT, MD).")],
        replace: Annotated[bool, Form(description="Replace a document of that name.")] = False,
    ) -> AddedDocument:
        """Save a document into the corpus folder under a safe name (POST /sync indexes it)."""
        data = await file.read()
        return await run_in_threadpool(assistant.add_document, file.filename or "", data, replace)

    @r.delete("/documents/{source:path}", dependencies=[admin])
    def delete(source: str) -> dict[str, str]:
        """Remove a document from the corpus folder (POST /sync drops it from the index)."""
        assistant.delete_document(source)
        return {"deleted": source}

    @r.post("/sync", dependencies=[admin])
    def sync() -> StreamingResponse:
        """Sync the index with the corpus folders: ``progress`` events, then ``report`` (or
        ``error``), as server-sent events."""
        return StreamingResponse(iterate_in_threadpool(_sync_events(assistant)),
                                 media_type="text/event-stream")  # fmt: skip


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _sync_events(assistant: Assistant) -> Iterator[str]:
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def progress(stage: str, done: int, total: int) -> None:
        events.put(("progress", {"stage": stage, "done": done, "total": total}))

    def run() -> None:
        try:
            report = assistant.index(progress=progress)
            events.put(("report", asdict(report)))
        except AssistantError as exc:
            events.put(("error", {"error": {"message": str(exc), "type": "invalid_request_error",
                                            "code": "sync_failed"}}))  # fmt: skip
        except Exception as exc:  # a front end reports, never a stack trace
            message = f"sync failed ({type(exc).__name__}); see the server log"
            events.put(("error", {"error": {"message": message, "type": "server_error",
                                            "code": "sync_failed"}}))  # fmt: skip
        finally:
            events.put(("end", None))

    threading.Thread(target=run, name="api-sync", daemon=True).start()
    while True:
        kind, data = events.get()
        if kind == "end":
            return
        yield _sse(kind, data)
