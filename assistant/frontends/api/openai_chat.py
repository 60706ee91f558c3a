"""``/v1``: the OpenAI chat-completions protocol over the assistant. The last user message is
the question, earlier user/assistant turns its history; the answer keeps its verified [n]
markers and carries its references (``choices[0].message.references``, the final stream
chunk's ``delta``, and a top-level ``citations`` list); a refusal is marked ``refused``."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assistant.app import Assistant
from assistant.core.types import Answer, AnswerMode
from assistant.frontends.api.access import Access
from assistant.frontends.api.errors import APIError
from assistant.frontends.api.schemas import ChatRequest

PREFIX = "policy-assistant"


def model_ids(assistant: Assistant) -> dict[str, AnswerMode]:
    """One model per answer mode the server can give (LLM only with a chat model set)."""
    out: dict[str, AnswerMode] = {f"{PREFIX}-extractive": "extractive"}
    llm = assistant.settings.llm
    if llm.base_url and llm.model:
        out[f"{PREFIX}-llm"] = "llm"
    out[PREFIX] = assistant.settings.answer.mode  # the server's default mode
    return out


def references(answer: Answer) -> list[dict[str, Any]]:
    return [
        {"marker": c.marker, "title": c.title, "doc_number": c.doc_number, "issuer": c.issuer,
         "date": c.date, "section": c.section, "page": c.page, "source": c.source,
         "quote": c.quote, "passage": c.passage, "url": c.url, "chunk_id": c.chunk_id,
         "in_force": c.in_force, "validity_note": c.validity_note}
        for c in answer.citations
    ]  # fmt: skip


def content(answer: Answer) -> str:
    """The message text: the answer (a comparison is a Markdown table) and a warning line for
    each cited document that is no longer in force."""
    text = answer.text
    warn = [f"[{c.marker}] ⚠ {c.validity_note}" for c in answer.citations
            if not c.in_force and c.validity_note]  # fmt: skip
    return text + ("\n\n" + "\n".join(warn) if warn else "")


def comparison(answer: Answer) -> dict[str, Any] | None:
    return asdict(answer.comparison) if answer.comparison else None


def citation_strings(answer: Answer) -> list[str]:
    """The ``citations`` convention some clients read: one string per marker, in order."""
    return [c.url or f"{c.title} ({c.source})" for c in answer.citations]


def turns(req: ChatRequest) -> tuple[str, list[tuple[str, str]]]:
    """The question (last user message) and the (question, answer) pairs before it."""
    msgs = [m for m in req.messages if m.role in ("user", "assistant")]
    if not msgs or msgs[-1].role != "user":
        raise APIError(400, "the last message must be the user's question",
                       "invalid_request_error", "invalid_value")  # fmt: skip
    question = msgs[-1].text().strip()
    if not question:
        raise APIError(400, "the question (last user message) is empty",
                       "invalid_request_error", "empty_question")  # fmt: skip
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for m in msgs[:-1]:
        if m.role == "user":
            pending = m.text()
        elif pending is not None:
            history.append((pending, m.text()))
            pending = None
    return question, history


def router(assistant: Assistant, access: Access) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
    read = Depends(access.require("read"))

    @r.get("/models", dependencies=[read])
    def models() -> dict[str, Any]:
        """The models (answer modes) this server offers."""
        now = int(time.time())
        return {"object": "list", "data": [
            {"id": mid, "object": "model", "created": now, "owned_by": PREFIX}
            for mid in model_ids(assistant)
        ]}  # fmt: skip

    @r.post("/chat/completions", dependencies=[read], response_model=None)
    async def chat(req: ChatRequest) -> JSONResponse | StreamingResponse:
        """A cited answer to the last user message (streamed as server-sent events with
        ``stream: true``)."""
        modes = model_ids(assistant)
        if req.model not in modes:
            raise APIError(404, f"model {req.model!r} does not exist; use one of "
                           f"{', '.join(modes)} (GET /v1/models)",
                           "invalid_request_error", "model_not_found")  # fmt: skip
        question, history = turns(req)
        filters = req.filters.to_search() if req.filters else None
        mode = modes[req.model]
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if not req.stream:
            answer = await run_in_threadpool(assistant.ask, question, req.k, filters, history, mode)
            return JSONResponse(_completion(answer, cid, created, req.model))
        # The first event is produced before the response starts, so a bad question is
        # still a JSON error with its status code, not a broken stream.
        events = assistant.ask_stream(question, req.k, filters, history, mode)
        first = await run_in_threadpool(next, events, None)
        return StreamingResponse(
            iterate_in_threadpool(_sse(first, events, cid, created, req.model)),
            media_type="text/event-stream",
        )

    return r


def _message(answer: Answer) -> dict[str, Any]:
    return {"role": "assistant", "content": content(answer), "references": references(answer),
            "refused": answer.abstained, "notes": answer.notes,
            "comparison": comparison(answer)}  # fmt: skip


def _completion(answer: Answer, cid: str, created: int, model: str) -> dict[str, Any]:
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": _message(answer), "finish_reason": "stop",
                     "logprobs": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": citation_strings(answer), "refused": answer.abstained,
    }  # fmt: skip


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any],
           finish: str | None = None, **extra: Any) -> str:  # fmt: skip
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _sse(first: Any, events: Iterator[Any], cid: str, created: int, model: str) -> Iterator[str]:
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    event = first
    while event is not None:
        if event.kind == "token" and event.text:
            yield _chunk(cid, created, model, {"content": event.text})
        elif event.kind == "answer" and event.answer is not None:
            a = event.answer
            warnings = content(a)[len(a.text) :]
            if warnings:
                yield _chunk(cid, created, model, {"content": warnings})
            yield _chunk(cid, created, model,
                         {"references": references(a), "refused": a.abstained, "notes": a.notes,
                          "comparison": comparison(a)},
                         "stop", citations=citation_strings(a), refused=a.abstained)  # fmt: skip
        event = next(events, None)
    yield "data: [DONE]\n\n"
