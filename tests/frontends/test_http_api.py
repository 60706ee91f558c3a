"""The HTTP API on a real server (``serve`` on a free loopback port, web UI mounted beside it),
driven by the real ``openai`` client, LangChain's ``ChatOpenAI`` and plain HTTP (httpx): cited
answers whose references quote the stored passage verbatim, streaming, refusals marked, filters,
follow-ups, REST search/ask/status/documents/sync, the Word brief, keys and errors."""

from __future__ import annotations

import json
import re

import httpx
import openai
import pytest
from helpers import free_port, make_settings
from pydantic import SecretStr

from assistant import Assistant
from assistant.core.settings import IngestSettings
from assistant.frontends.brief import read_footnotes
from assistant.frontends.ui import serve

pytestmark = pytest.mark.server

QUESTION = "2025年拟安排地方政府专项债券多少？"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, tiny_model):
    from helpers import copy_reports

    root = tmp_path_factory.mktemp("api")
    corpus = root / "corpus"
    copy_reports(corpus, ("gwr-2023", "gwr-2024", "gwr-2025", "npc-resolution-14-3"))
    settings = make_settings(root / "index", tiny_model)
    settings = settings.model_copy(update={"corpus_dirs": [corpus]})
    assert not Assistant(settings).index([corpus]).failed
    return settings


@pytest.fixture(scope="module")
def server(indexed):
    port = free_port()
    web = serve(Assistant(indexed), "127.0.0.1", port, None, block=False)
    yield f"http://127.0.0.1:{port}"
    web.close()


@pytest.fixture(scope="module")
def stored(indexed):
    """chunk id → stored passage, read back from the index (not from the API)."""
    from pathlib import Path

    from assistant.index.layout import IndexPaths
    from assistant.index.pointer import IndexPointer
    from assistant.index.store import ChromaStore

    paths = IndexPaths(Path(indexed.index_dir))
    pointer = IndexPointer.load(paths.pointer)
    return {cid: doc for cid, doc, _ in ChromaStore(paths.chroma).iter_records(pointer.collection)}


def _client(base: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=60)


def test_models_one_per_answer_mode(server) -> None:
    ids = [m.id for m in _client(server).models.list()]
    assert "policy-assistant-extractive" in ids and "policy-assistant-llm" not in ids


def test_openai_client_gets_a_cited_answer_with_verbatim_references(server, stored) -> None:
    resp = _client(server).chat.completions.create(
        model="policy-assistant-extractive", messages=[{"role": "user", "content": QUESTION}]
    )
    body = resp.model_dump()
    message = body["choices"][0]["message"]
    assert "4.4万亿元" in message["content"] and "[1]" in message["content"]
    assert message["refused"] is False and body["refused"] is False
    refs = message["references"]
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", message["content"])}
    assert markers == {r["marker"] for r in refs}
    for ref in refs:
        assert ref["passage"] == stored[ref["chunk_id"]]
        assert ref["quote"] in ref["passage"]
        assert ref["title"] and ref["source"].startswith("gwr-")
    assert refs[0]["source"] == "gwr-2025.txt"
    assert len(body["citations"]) == len(refs)


def test_streaming_gives_the_same_answer_and_references_last(server) -> None:
    stream = _client(server).chat.completions.create(
        model="policy-assistant-extractive", stream=True,
        messages=[{"role": "user", "content": QUESTION}],
    )  # fmt: skip
    text, final = "", None
    for chunk in stream:
        delta = chunk.choices[0].delta.model_dump()
        text += delta.get("content") or ""
        if chunk.choices[0].finish_reason == "stop":
            final = delta
    assert final is not None and final["refused"] is False
    assert "4.4万亿元" in text and {r["marker"] for r in final["references"]} == {1} | {
        int(m) for m in re.findall(r"\[(\d+)\]", text)
    }


def test_a_refusal_is_marked_not_dressed_up(server) -> None:
    resp = _client(server).chat.completions.create(
        model="policy-assistant-extractive",
        messages=[{"role": "user", "content": "比特币挖矿有什么监管要求？"}],
    )
    message = resp.model_dump()["choices"][0]["message"]
    assert message["refused"] is True and message["references"] == []
    assert "[1]" not in message["content"]


def test_filters_and_k_from_extra_body(server) -> None:
    resp = _client(server).chat.completions.create(
        model="policy-assistant-extractive",
        messages=[{"role": "user", "content": "赤字率是多少？"}],
        extra_body={"filters": {"source": "gwr-2024*"}, "k": 3},
    )
    refs = resp.model_dump()["choices"][0]["message"]["references"]
    assert refs and all(r["source"] == "gwr-2024.txt" for r in refs)


def test_a_follow_up_in_a_second_turn(server) -> None:
    first = "2024年赤字率是多少？"
    a1 = _client(server).chat.completions.create(
        model="policy-assistant-extractive", messages=[{"role": "user", "content": first}]
    )
    a2 = _client(server).chat.completions.create(
        model="policy-assistant-extractive",
        messages=[
            {"role": "user", "content": first},
            {"role": "assistant", "content": a1.choices[0].message.content},
            {"role": "user", "content": "那2025年呢？"},
        ],
    )
    refs = a2.model_dump()["choices"][0]["message"]["references"]
    assert refs and refs[0]["source"] == "gwr-2025.txt"


def test_langchain_chat_openai(server) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{server}/v1", api_key="unused", model="policy-assistant",
                     max_retries=0)  # fmt: skip
    reply = llm.invoke(QUESTION)
    assert "4.4万亿元" in str(reply.content) and "[1]" in str(reply.content)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "赤字率"}]}),
         404, "model_not_found"),
        (json.dumps({"model": "policy-assistant", "messages": [{"role": "user", "content": " "}]}),
         400, "empty_question"),
        (json.dumps({"model": "policy-assistant",
                     "messages": [{"role": "user", "content": "赤" * 3000}]}), 400, None),
        (json.dumps({"model": "policy-assistant", "messages": []}), 400, "invalid_value"),
    ],
)  # fmt: skip
def test_bad_requests_get_the_openai_error_shape(server, body, status, code) -> None:
    r = httpx.post(f"{server}/v1/chat/completions", content=body,
                   headers={"content-type": "application/json"}, timeout=30)  # fmt: skip
    assert r.status_code == status
    err = r.json()["error"]
    assert err["message"] and err["type"] == "invalid_request_error"
    if code:
        assert err["code"] == code
    assert "Traceback" not in r.text


def test_rest_search_ask_status_documents_and_the_word_brief(server) -> None:
    hits = httpx.post(f"{server}/api/v1/search", json={"question": "专项债券", "k": 3}).json()
    assert len(hits) == 3 and all(h["rank"] == i for i, h in enumerate(hits, 1))
    answer = httpx.post(f"{server}/api/v1/ask", json={"question": QUESTION}, timeout=30).json()
    assert not answer["abstained"] and answer["citations"][0]["source"] == "gwr-2025.txt"
    status = httpx.get(f"{server}/api/v1/status").json()
    assert status["exists"] and status["documents"] == 4
    docs = httpx.get(f"{server}/api/v1/documents").json()
    assert {d["source"] for d in docs} >= {"gwr-2025.txt", "npc-resolution-14-3.txt"}
    r = httpx.post(f"{server}/api/v1/ask", params={"format": "docx"},
                   json={"question": QUESTION}, timeout=30)  # fmt: skip
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    notes = read_footnotes(r.content)
    assert len(notes) == len(answer["citations"])
    for note, c in zip(notes, answer["citations"], strict=True):
        assert c["title"] in note and c["quote"] in note
    spec = httpx.get(f"{server}/openapi.json").json()
    assert {"/v1/chat/completions", "/api/v1/ask", "/api/v1/sync"} <= set(spec["paths"])
    assert "Answer" in spec["components"]["schemas"]
    assert httpx.get(f"{server}/docs").status_code == 200
    assert httpx.get(f"{server}/").status_code == 200  # the web UI beside it


def test_upload_sync_and_delete_over_rest(server) -> None:
    text = "关于测试上传的通知\n各单位：本通知用于检验上传接口。\n".encode()
    r = httpx.post(f"{server}/api/v1/documents", files={"file": ("api-upload.txt", text)})
    assert r.status_code == 200 and r.json()["source"] == "api-upload.txt"
    with httpx.stream("POST", f"{server}/api/v1/sync", timeout=120) as s:
        events = [line[7:] for line in s.iter_lines() if line.startswith("event: ")]
    assert events[-1] == "report"
    assert "api-upload.txt" in {d["source"] for d in httpx.get(f"{server}/api/v1/documents").json()}
    assert httpx.delete(f"{server}/api/v1/documents/api-upload.txt").status_code == 200
    with httpx.stream("POST", f"{server}/api/v1/sync", timeout=120) as s:
        list(s.iter_lines())
    assert "api-upload.txt" not in {
        d["source"] for d in httpx.get(f"{server}/api/v1/documents").json()
    }


def test_keys_on_an_address_that_is_not_loopback_only(indexed) -> None:
    """127.0.0.2 stands for a public address: API routes need a key, admin routes an admin
    key, and an upload over the size limit is refused with 413."""
    settings = indexed.model_copy(update={
        "server": indexed.server.model_copy(update={"api_keys": SecretStr("reader-key-1:read,admin-key-1:admin")}),
        "ingest": IngestSettings(max_file_mb=1),
    })  # fmt: skip
    port = free_port()
    web = serve(Assistant(settings), "127.0.0.2", port, None, block=False)
    base = f"http://127.0.0.2:{port}"
    try:
        r = httpx.post(f"{base}/api/v1/search", json={"question": "赤字率"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "missing_api_key"
        r = httpx.post(f"{base}/api/v1/search", json={"question": "赤字率"},
                       headers={"Authorization": "Bearer wrong-key-99"})  # fmt: skip
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        with pytest.raises(openai.AuthenticationError):
            _client(base, "wrong-key-99").models.list()
        reader = _client(base, "reader-key-1")
        resp = reader.chat.completions.create(
            model="policy-assistant", messages=[{"role": "user", "content": QUESTION}]
        )
        assert "4.4万亿元" in (resp.choices[0].message.content or "")
        read = {"Authorization": "Bearer reader-key-1"}
        admin = {"Authorization": "Bearer admin-key-1"}
        r = httpx.post(f"{base}/api/v1/documents", headers=read,
                       files={"file": ("x.txt", "通知".encode())})  # fmt: skip
        assert r.status_code == 403
        big = b"0" * (2 * 1024 * 1024)
        r = httpx.post(f"{base}/api/v1/documents", headers=admin, files={"file": ("big.txt", big)})
        assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"
    finally:
        web.close()


def test_a_public_bind_without_an_admin_key_has_no_document_management(indexed) -> None:
    settings = indexed.model_copy(update={
        "server": indexed.server.model_copy(update={"api_keys": SecretStr("reader-key-1:read")}),
    })  # fmt: skip
    port = free_port()
    web = serve(Assistant(settings), "127.0.0.2", port, None, block=False)
    try:
        r = httpx.post(f"http://127.0.0.2:{port}/api/v1/sync",
                       headers={"Authorization": "Bearer reader-key-1"})  # fmt: skip
        assert r.status_code in (404, 405)
        assert r.json()["error"]["type"] == "invalid_request_error"
    finally:
        web.close()
