"""A logistic model over standardised features, read from and written to a small JSON file (the
answer model and the refusal model ship that way)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from assistant.core.settings import SAME_VECTORS

CLIP = 4.0


@dataclass(frozen=True)
class LinearModel:
    """``sigmoid(bias + Σ w·(x − mean)/scale)`` over the features ``names``."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    names: tuple[str, ...]

    def probability(self, x: list[float]) -> float:
        # Standardised values are clipped to ±CLIP: a feature far outside what the model was
        # trained on (a passage scoring against itself) cannot decide alone.
        z = self.bias + sum(
            w * max(-CLIP, min(CLIP, (v - m) / s))
            for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self, **info: object) -> str:
        data = {"features": list(self.names), "weights": list(self.weights), "bias": self.bias,
                "mean": list(self.mean), "scale": list(self.scale), **info}  # fmt: skip
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, expected: tuple[str, ...]) -> LinearModel:
        """The model in ``text``; an error when it was trained on other features."""
        data = json.loads(text)
        names = tuple(data["features"])
        if names != expected:
            missing = sorted(set(expected) - set(names))
            raise ValueError(
                f"the model file was trained on other features (missing {missing[:5]}); "
                "retrain it with its training script (python -m benchmarks.train_answer_model)"
            )
        return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]),
                   tuple(data["scale"]), names)  # fmt: skip


# The model for any embedding model: trained with the dense similarity left out, because its
# scale belongs to the embedding model that gave it.
PORTABLE = "portable"


def read_models(text: str, expected: tuple[str, ...]) -> dict[str, LinearModel]:
    """The models of a weights file: one per embedding model it was trained with, and the
    portable one."""
    data = json.loads(text)
    return {
        name: LinearModel.from_json(json.dumps(part), expected)
        for name, part in data["models"].items()
    }


def pick(models: dict[str, LinearModel], embedding_model: str) -> LinearModel:
    """The model trained with ``embedding_model``'s similarities (or with those of the model
    whose vectors it computes, ``SAME_VECTORS``), else the portable one."""
    same = SAME_VECTORS.get(embedding_model, embedding_model)
    return models.get(embedding_model) or models.get(same) or models[PORTABLE]


def write_models(models: dict[str, LinearModel], **info: object) -> str:
    parts = {name: json.loads(m.to_json()) for name, m in models.items()}
    return json.dumps({"models": parts, **info}, indent=1, ensure_ascii=False) + "\n"
