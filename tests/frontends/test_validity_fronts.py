"""Validity and comparisons through the front ends: the CLI (--as-of, --in-force, the
superseded warning, the comparison table, ``status --document``; its real commands run in this
process by click's runner), the HTTP API on a real server (filters, warnings in references,
the comparison as rows, the OpenAI route's table) and the Word brief (a real table whose cells
carry footnotes)."""

from __future__ import annotations

import io
import re

import httpx
import openai
import pytest
from helpers import Ran, notices_index, web_server
from helpers import cli as run_cli

from assistant.frontends.brief import read_footnotes

COMPARE = "2024年和2025年的赤字率目标分别是多少？"
REPEALED = (
    "已被《工业和信息化部关于印发〈工业互联网平台管理办法〉的通知》（工信部信管〔2023〕30号）废止"
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, tiny_model):
    return notices_index(tmp_path_factory.mktemp("validity-fronts"), tiny_model)


@pytest.fixture(scope="module")
def server(indexed):
    with web_server(indexed) as url:
        yield url


def cli(args: list[str], indexed) -> Ran:
    env = {"ASSISTANT_EMBEDDING__MODEL": indexed.embedding.model,
           "ASSISTANT_CHUNKING__TARGET_CHARS": "200", "ASSISTANT_CHUNKING__MAX_CHARS": "400"}  # fmt: skip
    return run_cli([*args, "--index", str(indexed.index_dir)], env)


def test_cli_as_of_warning_table_and_timeline(indexed) -> None:
    then = cli(["ask", "工业互联网平台评价多久开展一次？", "--as-of", "2020-06-01"], indexed)
    assert then.returncode == 0, then.stderr
    assert "miit-platform-2018.txt" in then.stdout and "⚠" not in then.stdout
    now = cli(
        ["ask", "工业互联网平台评价多久开展一次？", "--source", "miit-platform-2018.txt"], indexed
    )
    assert f"⚠ {REPEALED}，自2023年4月1日起" in now.stdout
    search = cli(["search", "中小企业发展专项资金", "--in-force"], indexed)
    assert search.returncode == 0 and "province-sme-2019.txt" not in search.stdout
    table = cli(["ask", COMPARE], indexed)
    assert table.stdout.startswith("| 年份 |"), table.stdout
    rows = [
        line
        for line in table.stdout.splitlines()
        if line.startswith("| 2024") or line.startswith("| 2025")
    ]
    assert len(rows) == 2 and all(re.search(r"\[\d+\]", r) for r in rows)
    timeline = cli(["status", "--document", "miit-platform-2018.txt"], indexed)
    assert "In force:   NO" in timeline.stdout and "→ miit-platform-2023.txt" in timeline.stdout
    assert "原《工业互联网平台管理办法》（工信部信管〔2018〕12号）同时废止。" in timeline.stdout
    bad = cli(["ask", "平台评价", "--as-of", "2026-02-30"], indexed)
    assert bad.returncode == 1 and "not a date that exists" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.server
def test_api_filters_warnings_and_comparison_rows(server) -> None:
    r = httpx.post(f"{server}/api/v1/search", json={
        "question": "工业互联网企业应当设立安全管理机构", "k": 5,
        "filters": {"as_of": "2026-02-01"}}, timeout=60)  # fmt: skip
    assert r.status_code == 200
    assert "security-guidance-2026.txt" not in {h["source"] for h in r.json()}
    r = httpx.post(f"{server}/api/v1/ask", json={
        "question": "工业互联网平台评价多久开展一次？",
        "filters": {"source": "miit-platform-2018.txt"}}, timeout=60)  # fmt: skip
    cited = r.json()["citations"][0]
    assert cited["in_force"] is False and cited["validity_note"].startswith(REPEALED)
    r = httpx.post(f"{server}/api/v1/ask", json={"question": COMPARE}, timeout=60)
    comp = r.json()["comparison"]
    assert comp["axis"] == "year" and [c["item"] for c in comp["cells"]] == ["2024", "2025"]
    markers = {c["marker"] for c in r.json()["citations"]}
    assert {c["marker"] for c in comp["cells"] if c["found"]} <= markers
    bad = httpx.post(f"{server}/api/v1/search", json={
        "question": "平台", "filters": {"as_of": "June 2026"}}, timeout=60)  # fmt: skip
    assert bad.status_code == 400 and "2026-06-01" in bad.text and "Traceback" not in bad.text


@pytest.mark.server
def test_openai_route_returns_the_table_and_the_warning(server) -> None:
    client = openai.OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0, timeout=60)
    resp = client.chat.completions.create(
        model="policy-assistant-extractive", messages=[{"role": "user", "content": COMPARE}]
    )
    message = resp.model_dump()["choices"][0]["message"]
    assert message["content"].startswith("| 年份 |") and message["comparison"]["axis"] == "year"
    stream = client.chat.completions.create(
        model="policy-assistant-extractive", stream=True,
        messages=[{"role": "user", "content": "工业互联网平台评价多久开展一次？"}],
        extra_body={"filters": {"source": "miit-platform-2018.txt"}})  # fmt: skip
    text = "".join((c.choices[0].delta.content or "") for c in stream if c.choices)
    assert f"⚠ {REPEALED}" in text


@pytest.mark.server
def test_word_brief_has_the_comparison_table_with_footnotes(server) -> None:
    import docx

    r = httpx.post(f"{server}/api/v1/ask", params={"format": "docx"},
                   json={"question": COMPARE}, timeout=60)  # fmt: skip
    assert r.status_code == 200
    doc = docx.Document(io.BytesIO(r.content))
    (table,) = doc.tables
    assert [row.cells[0].text for row in table.rows] == ["年份", "2024", "2025"]
    from docx.oxml.ns import qn

    notes = read_footnotes(r.content)
    assert notes and all("政府工作报告" in n for n in notes)
    refs = [el for row in table.rows[1:] for el in row.cells[1]._tc.iter(qn("w:footnoteReference"))]
    assert len(refs) == len(notes)  # every marker of a cell is a footnote of its citation
