"""Shared fixtures: a tiny real sentence-transformers model, settings, and real document files."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CORPUS, copy_reports, make_settings

from assistant.core.settings import EmbeddingSettings, Settings


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sentence-transformers model (StaticEmbedding over a WordLevel tokenizer), saved to
    disk and loaded back by path, exactly as a user's local model would be. Its vector is the
    mean of random per-character vectors, so cosine similarity follows shared characters: dense
    retrieval in tests is weak but not noise."""
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import StaticEmbedding
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("gwr-202*.txt"))]
    texts.append("工业和信息化部 通知 人工智能 工业互联网 policy notice artificial intelligence")
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(
        Regex(r"[\u4e00-\u9fff]|[A-Za-z]+|\d+"), behavior="isolated"
    )
    tok.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]"]))
    torch.manual_seed(0)
    model = SentenceTransformer(modules=[StaticEmbedding(tok, embedding_dim=256)], device="cpu")
    out = tmp_path_factory.mktemp("models") / "tiny-static"
    model.save(str(out))
    return out


@pytest.fixture
def settings(tmp_path: Path, tiny_model: Path) -> Settings:
    return make_settings(tmp_path / "index", tiny_model)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Three real reports and a resolution, with their sidecars, in a fresh folder."""
    dest = tmp_path / "corpus"
    copy_reports(dest, ("gwr-2023", "gwr-2024", "gwr-2025", "npc-resolution-14-3"))
    return dest


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Settings:
    """The whole shipped sample corpus indexed with default chunking and the tiny model."""
    from assistant import Assistant

    settings = Settings(
        index_dir=tmp_path_factory.mktemp("sample") / "index",
        embedding=EmbeddingSettings(model=str(tiny_model)),
    )
    report = Assistant(settings).index([CORPUS])
    assert not report.failed
    return settings
