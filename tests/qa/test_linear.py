"""Which learned answer / refusal model applies to an embedding model (pure): its own, else the
one of the model whose vectors it computes, else the portable one."""

from __future__ import annotations

from assistant.core.settings import (
    BUNDLED_E5,
    BUNDLED_E5_FP32,
    BUNDLED_E5_INT8,
    BUNDLED_E5_OPENVINO,
    BUNDLED_E5_ST,
    BUNDLED_MINILM,
)
from assistant.qa.linear import PORTABLE, LinearModel, pick


def model(bias: float) -> LinearModel:
    return LinearModel((1.0,), bias, (0.0,), (1.0,), ("x",))


MODELS = {BUNDLED_E5_FP32: model(1.0), PORTABLE: model(0.0), BUNDLED_E5_INT8: model(2.0)}


def test_models_computing_the_fp32_vectors_use_its_learned_model() -> None:
    for name in (BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO, BUNDLED_E5_ST, BUNDLED_E5):
        assert pick(MODELS, name).bias == 1.0, name


def test_other_models_use_their_own_or_the_portable_one() -> None:
    assert pick(MODELS, BUNDLED_E5_INT8).bias == 2.0
    assert pick(MODELS, BUNDLED_MINILM).bias == 0.0
    assert pick(MODELS, "/models/some-local-folder").bias == 0.0
    assert pick({PORTABLE: model(0.0)}, BUNDLED_E5_OPENVINO).bias == 0.0
