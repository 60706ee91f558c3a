"""The embedding interface every backend implements: LangChain's ``Embeddings`` plus numpy
batch calls, a stable model id and the vector dimension."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
from langchain_core.embeddings import Embeddings


class PolicyEmbeddings(Embeddings):
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
