"""The assistant's hybrid search as a LangChain ``BaseRetriever`` (for chains and agents)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.app import Assistant
from assistant.core.types import SearchFilters


class PolicyRetriever(BaseRetriever):
    """``PolicyRetriever(assistant=Assistant.open("indexes/default"), k=5).invoke("…")``.

    Each ``Document`` holds the chunk's original text; its metadata carries the source path,
    title, 文号, issuer, date, section path, page, offsets, chunk id and scores.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant
    k: int = 5
    filters: SearchFilters = Field(default_factory=SearchFilters)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.assistant.search(query, self.k, self.filters)
        docs = []
        for h in hits:
            meta: dict[str, Any] = h.as_dict()
            text = meta.pop("text")
            docs.append(Document(page_content=text, metadata=meta, id=h.chunk_id))
        return docs
