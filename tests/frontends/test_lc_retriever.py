"""The LangChain retriever front end over the sample index."""

from __future__ import annotations

from assistant import Assistant
from assistant.core.types import SearchFilters


def test_langchain_retriever(sample_index) -> None:
    from langchain_core.retrievers import BaseRetriever

    from assistant import PolicyRetriever

    assistant = Assistant(sample_index)
    retriever = PolicyRetriever(assistant=assistant, k=3, filters=SearchFilters(source="gwr-2025*"))
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("人工智能+行动")
    assert len(docs) == 3
    assert all(d.metadata["source"] == "gwr-2025.txt" for d in docs)
    assert all(d.id == d.metadata["chunk_id"] and d.page_content for d in docs)
