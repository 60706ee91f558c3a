"""The embedding interface every backend implements: LangChain's ``Embeddings`` interface plus
numpy batch calls, a stable model id and the vector dimension.

It implements LangChain's interface without importing LangChain: langchain-core takes about
0.3 s to import, a third of a new process's time to its first answer, and answering a question
never needs it. ``register_with_langchain`` makes every model an instance of LangChain's
``Embeddings`` (for ``isinstance`` and the pydantic fields that check it); the public ways to
get a model (``assistant.embed.load_embeddings``, ``Assistant.embeddings``) call it."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

import numpy as np


def register_with_langchain() -> None:
    """Register ``PolicyEmbeddings`` (and so every backend) as a LangChain ``Embeddings``."""
    from langchain_core.embeddings import Embeddings

    Embeddings.register(PolicyEmbeddings)  # type: ignore[type-abstract]


class PolicyEmbeddings(ABC):
    """An embedding model with a stable id; vectors are L2-normalised float32."""

    model_id: str
    dimension: int
    batch_size: int = 32

    @abstractmethod
    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages, shape ``(len(texts), dimension)``."""

    @abstractmethod
    def encode_query(self, text: str) -> np.ndarray:
        """Vector for one question, shape ``(dimension,)``."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts)).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()  # type: ignore[no-any-return]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)
