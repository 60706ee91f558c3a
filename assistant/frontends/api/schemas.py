"""Request bodies of the HTTP API (pydantic). Responses are the Python API's own types
(``Answer``, ``Hit``, ``IndexStatus``, ``AddedDocument``: dataclasses FastAPI documents as they
are), so the OpenAPI schema at ``/docs`` and the Python API never drift apart."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.core.types import SearchFilters


class Filters(BaseModel):
    """Metadata filters; empty fields do not filter (as ``SearchFilters``)."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(default="", description="Issuing body, e.g. 国务院.")
    doc_type: str = Field(default="", description="Document type, e.g. 通知, 报告.")
    type: str = Field(default="", description="Same as doc_type.")
    date_from: str = Field(default="", description="ISO date or prefix: 2023, 2023-03.")
    date_to: str = Field(default="", description="ISO date or prefix.")
    source: str = Field(default="", description="Glob over the source path: gwr-202*.txt.")
    in_force: bool = Field(
        default=False, description="Only documents in force today (not repealed or expired)."
    )
    as_of: str = Field(default="", description="Only documents in force on this day: 2026-06-01.")

    def to_search(self) -> SearchFilters:
        return SearchFilters(
            issuer=self.issuer, doc_type=self.doc_type or self.type,
            date_from=self.date_from, date_to=self.date_to, source=self.source,
            as_of=self.as_of, in_force=self.in_force,
        )  # fmt: skip


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="What to search for.")
    k: int | None = Field(default=None, ge=1, le=50, description="Passages to return.")
    filters: Filters | None = None


class AskRequest(SearchRequest):
    history: list[tuple[str, str]] = Field(
        default_factory=list,
        max_length=50,
        description="Earlier (question, answer) turns, oldest first: a follow-up is rewritten.",
    )
    mode: Literal["extractive", "llm"] | None = Field(
        default=None, description="Answer mode for this question (default: the server's)."
    )


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")


class ChatRequest(BaseModel):
    """An OpenAI chat-completions request; ``k`` and ``filters`` (in the SDK: ``extra_body``)
    are this server's additions, other OpenAI fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="One of GET /v1/models.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    k: int | None = Field(default=None, ge=1, le=50)
    filters: Filters | None = None
