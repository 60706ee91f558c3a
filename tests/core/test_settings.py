"""Settings: environment variables with the ASSISTANT_ prefix, validation messages."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from assistant.core.settings import DEFAULT_MODEL, ChunkingSettings, EmbeddingSettings, Settings


def test_defaults_are_offline_and_chinese_ready(monkeypatch) -> None:
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    s = Settings()
    assert s.embedding.model == DEFAULT_MODEL
    assert s.lexical.analyzer == "bigram"


def test_environment_overrides_nested_fields(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_EMBEDDING__MODEL", "/models/bge")
    monkeypatch.setenv("ASSISTANT_CHUNKING__TARGET_CHARS", "500")
    s = Settings()
    assert (s.index_dir, s.embedding.model, s.chunking.target_chars) == (
        tmp_path,
        "/models/bge",
        500,
    )


def test_signature_changes_with_model_chunking_and_vector_graph_only() -> None:
    base = Settings()
    assert base.signature_key() == Settings(lexical={"analyzer": "jieba"}).signature_key()
    assert base.signature_key() != Settings(embedding={"model": "x"}).signature_key()
    assert base.signature_key() != Settings(chunking={"target_chars": 301}).signature_key()
    assert base.signature_key() != Settings(chroma={"hnsw_max_neighbors": 16}).signature_key()
    # the search width applies to a built graph: no rebuild
    assert base.signature_key() == Settings(chroma={"hnsw_ef_search": 800}).signature_key()


def test_bad_values_name_the_field_and_the_fix() -> None:
    with pytest.raises(ValidationError, match=r"max_chars \(100\) is below chunking.target_chars"):
        ChunkingSettings(target_chars=300, max_chars=100)
    with pytest.raises(ValidationError, match="not a bundled model"):
        EmbeddingSettings(model="bundled:nothing")
    with pytest.raises(ValidationError, match="extra"):
        Settings(nonsense=1)
    with pytest.raises(
        ValidationError, match=r"hnsw_ef_search 40 is below retrieval\.candidates 50"
    ):
        Settings(chroma={"hnsw_ef_search": 40})
