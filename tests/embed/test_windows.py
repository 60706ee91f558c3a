"""The windowing of long texts (pure): windows of ``window`` tokens, a token-weighted mean of
their pooled vectors, normalised; batches bounded by ``batch_tokens``."""

from __future__ import annotations

import numpy as np

from assistant.embed.e5.windows import Forward, encode_windows


def first_token_forward(calls: list[int]) -> Forward:
    """A stand-in encoder: a window's vector is (its first token id, 1), batch sizes recorded."""

    def forward(windows: list[list[int]]) -> np.ndarray:
        calls.append(len(windows))
        return np.array([[float(w[0]) if w else 0.0, 1.0] for w in windows])

    return forward


def test_long_text_is_the_token_weighted_mean_of_its_windows() -> None:
    calls: list[int] = []
    out = encode_windows([[3, 0, 5, 0, 7]], 2, 2, first_token_forward(calls), 1024)
    want = np.array([2 * 3 + 2 * 5 + 1 * 7, 5.0]) / 5
    assert np.allclose(out[0], want / np.linalg.norm(want), atol=1e-6)
    assert out.dtype == np.float32 and sum(calls) == 3


def test_each_text_keeps_its_own_row_and_empty_text_gets_one_window() -> None:
    out = encode_windows([[4, 1], [], [9]], 512, 2, first_token_forward([]), 1024)
    assert out.shape == (3, 2)
    assert np.allclose(out[1], [0.0, 1.0]) and out[0][0] > 0.9 and out[2][0] > out[0][0]


def test_batches_stay_under_the_token_budget() -> None:
    calls: list[int] = []
    encode_windows([[1] * 8 for _ in range(10)], 512, 2, first_token_forward(calls), 40)
    assert sum(calls) == 10 and max(calls) == 4  # 4 windows x (8 + 2 specials) = 40 tokens
