"""Hybrid search, filters, extractive answers with verifiable citations, refusals, follow-ups."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import CORPUS

from assistant import Assistant
from assistant.core.errors import AssistantError, ConfigError
from assistant.core.types import SearchFilters
from assistant.index.layout import IndexPaths
from assistant.index.pointer import IndexPointer
from assistant.index.store import ChromaStore
from assistant.qa.extractive import NOT_FOUND

GOLDEN = [
    json.loads(x) for x in (CORPUS.parent / "eval" / "golden.jsonl").read_text("utf-8").splitlines()
]


@pytest.fixture(scope="module")
def assistant(sample_index) -> Assistant:
    return Assistant(sample_index)


def stored_chunks(settings) -> dict[str, tuple[str, dict]]:
    paths = IndexPaths(Path(settings.index_dir))
    pointer = IndexPointer.load(paths.pointer)
    return {
        cid: (doc, meta)
        for cid, doc, meta in ChromaStore(paths.chroma).iter_records(pointer.collection)
    }


def test_every_golden_citation_resolves_to_stored_text(assistant, sample_index) -> None:
    """The whole golden set: each [n] names a citation whose quotes stand verbatim in the
    stored chunk, which stands verbatim in its document at its offsets."""
    chunks = stored_chunks(sample_index)
    documents = {p.name: p.read_text("utf-8") for p in CORPUS.glob("*.txt")}
    answered = 0
    for q in GOLDEN:
        answer = assistant.ask(q["question"])
        if answer.abstained:
            assert not answer.citations and answer.text == NOT_FOUND[answer.language]
            continue
        answered += 1
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
        assert markers == {c.marker for c in answer.citations}, answer.text
        # Every sentence of the answer ends with a marker.
        assert re.fullmatch(r"(?:[^\[\]]+\[\d+\]\s*)+", answer.text), answer.text
        for c in answer.citations:
            text, meta = chunks[c.chunk_id]
            assert c.passage == text and meta["source"] == c.source
            assert documents[c.source][meta["start"] : meta["end"]] == text
            assert c.quotes and all(quote in text for quote in c.quotes)
            plain = re.sub(r"\[\d+\]", "", answer.text)
            assert all(quote in plain for quote in c.quotes)
            assert c.title and c.issuer and c.date  # from the sidecars
    assert answered > len(GOLDEN) // 2


def test_answer_is_short_and_cites_the_right_report(assistant) -> None:
    answer = assistant.ask("2025年拟安排地方政府专项债券多少？")
    assert not answer.abstained
    assert "4.4万亿元" in answer.text
    assert answer.citations[0].source == "gwr-2025.txt"
    assert answer.citations[0].section.startswith("二、2025年经济社会发展总体要求和政策取向")
    assert len(answer.text) <= 320


def test_refusal_in_the_question_language_with_nearest_passages(assistant) -> None:
    zh = assistant.ask("比特币挖矿有什么监管要求？")
    assert zh.abstained and zh.text == NOT_FOUND["zh"] and zh.hits and not zh.citations
    en = assistant.ask("What is the corporate income tax rate in Singapore?")
    assert en.abstained and en.text == NOT_FOUND["en"]


def test_filters(assistant) -> None:
    hits = assistant.search("政府工作报告", k=10, filters=SearchFilters(issuer="全国人民代表大会"))
    assert hits and all(h.source.startswith("npc-resolution") for h in hits)
    hits = assistant.search(
        "经济增长预期目标", k=10, filters=SearchFilters(date_from="2024", date_to="2025")
    )
    assert hits and {h.source for h in hits} <= {
        "gwr-2024.txt",
        "gwr-2025.txt",
        "npc-resolution-14-2.txt",
        "npc-resolution-14-3.txt",
    }
    hits = assistant.search(
        "赤字率", k=5, filters=SearchFilters(doc_type="报告", source="gwr-201*")
    )
    assert hits and all(re.fullmatch(r"gwr-201\d\.txt", h.source) for h in hits)
    assert assistant.search("赤字率", filters=SearchFilters(issuer="不存在的机关")) == []


def test_hits_carry_metadata_and_scores(assistant) -> None:
    hits = assistant.search("人工智能+行动", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(h.title and h.section is not None and h.end > h.start for h in hits)
    assert hits[0].score >= hits[-1].score


def test_bad_questions_are_clear_errors(assistant) -> None:
    for bad in ("", "   \n "):
        with pytest.raises(AssistantError, match="empty"):
            assistant.ask(bad)
    with pytest.raises(AssistantError, match="shorten"):
        assistant.ask("问" * 20000)
    # Issue 13.11: questions with nothing to search for are refused with a clear message.
    for empty in ("？", "???", "……", "？？！！。。", "😀😀😀", "1", "\x00" * 10, "\u200b" * 10):
        with pytest.raises(AssistantError, match=r"no words to search for|empty"):
            assistant.ask(empty)
    gibberish = assistant.ask("asdfghjkl")
    assert gibberish.abstained and not gibberish.citations


def test_model_mismatch_names_both_models(sample_index) -> None:
    other = sample_index.model_copy(
        update={"embedding": sample_index.embedding.model_copy(update={"model": "other-model"})}
    )
    with pytest.raises(
        ConfigError, match=r"built with embedding model .* settings name 'other-model'"
    ):
        Assistant(other).search("赤字率")


def test_followup_in_ask(assistant) -> None:
    first = assistant.ask("2024年拟安排地方政府专项债券多少？")
    follow = assistant.ask("那2025年呢？", history=[(first.standalone_question, first.text)])
    assert follow.standalone_question == "2025年拟安排地方政府专项债券多少？"
    assert follow.question == "那2025年呢？"
    assert "4.4万亿元" in follow.text
