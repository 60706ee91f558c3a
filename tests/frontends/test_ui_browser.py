"""The web UI in a real browser: Debian's Chromium driven by Playwright.

Ask a Chinese question and get a cited answer; click a marker and see the highlighted passage in
the document view; upload a notice and get it cited; an XSS question stays inert; an unanswerable
question is refused with the nearest passages; the conversation exports as Markdown. The run saves
a screenshot of the main view to test-artifacts/ui-main.png.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, copy_reports, free_port, make_settings, notices_index, web_server

from assistant import Assistant

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ensure_chromium() -> str:
    """Debian's chromium (and CJK fonts, so screenshots show Chinese), installed when missing."""
    if not Path(CHROMIUM).exists() or not list(Path("/usr/share/fonts").rglob("*CJK*")):
        if shutil.which("apt-get") is None:
            pytest.fail("chromium is missing and apt-get is not available to install it")
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(f"could not install chromium with apt-get: {done.stderr[-500:]}")
    return CHROMIUM


@pytest.fixture(scope="module")
def ui(tmp_path_factory, tiny_model):
    from assistant.frontends.ui import serve

    base = tmp_path_factory.mktemp("ui")
    corpus = base / "corpus"
    copy_reports(corpus, ("gwr-2024", "gwr-2025", "npc-resolution-14-3"))
    settings = make_settings(base / "index", tiny_model)
    assistant = Assistant(settings)
    assistant.index([corpus])
    port = free_port()
    app = serve(assistant, "127.0.0.1", port, None, block=False)
    yield f"http://127.0.0.1:{port}/", corpus
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = _ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, ui):
    url, _ = ui
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.goto(url, wait_until="domcontentloaded")
    pg.wait_for_selector("#question textarea", timeout=60000)
    yield pg
    pg.close()


def ask(page, question: str) -> None:
    n = page.locator("#chat .message-row, #chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        "n => document.querySelectorAll("
        "\"#chat .message-row, #chat [data-testid='bot']\").length > n",
        arg=n,
        timeout=60000,
    )
    # The answer is complete when the sources panel was rendered for it (or an error shows).
    page.wait_for_function(
        "() => !document.querySelector('#chat .pending') && "
        "(document.querySelectorAll('#sources .source-card').length > 0 || "
        "document.querySelector('#chat').innerText.includes('Error'))",
        timeout=60000,
    )


def test_cited_answer_marker_opens_highlighted_passage(page) -> None:
    ask(page, "2025年拟安排地方政府专项债券多少？")
    page.wait_for_selector("#chat a.cite-link", timeout=60000)
    assert "4.4万亿元" in page.inner_text("#chat")
    page.click("#chat a.cite-link >> nth=-1")
    active = page.locator("#sources .passage.active")
    active.wait_for(state="visible", timeout=10000)
    assert "4.4万亿元" in active.locator("mark.quote").first.inner_text()
    assert "gwr-2025.txt" in page.inner_text("#sources")
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "ui-main.png"), full_page=True)
    assert (out / "ui-main.png").stat().st_size > 20000


def test_unanswerable_question_is_refused_with_nearest_passages(page) -> None:
    ask(page, "比特币挖矿有什么监管要求？")
    assert "未找到答案" in page.inner_text("#chat")
    assert page.locator("#sources .source-card.nearest").count() >= 1


def test_xss_question_is_inert(page) -> None:
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    ask(page, payload + " 专项债券")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__xss") is None
    assert "<img src=x" in page.inner_text("#chat")  # shown as text
    assert page.locator("#chat img[src='x']").count() == 0


def test_upload_a_notice_then_it_is_cited(page, ui) -> None:
    _, corpus = ui
    notice = Path(corpus.parent / "upload") / "低空经济 试点通知 🚁.txt"
    notice.parent.mkdir(exist_ok=True)
    notice.write_text(
        "工业和信息化部关于开展低空飞行器适航审定试点的通知\n\n工信部装〔2026〕88号\n\n"
        "一、试点目标\n\n到2027年建成12个低空飞行器适航审定试点基地。<script>window.__xss=3</script>\n\n"
        "工业和信息化部\n2026年3月1日\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="管理 · Admin").click()
    page.set_input_files("#upload input[type=file]", str(notice))
    page.click("#upload-sync")
    page.wait_for_function(
        "() => document.querySelector('#admin-log textarea').value.includes('新增 added 1')",
        timeout=120000,
    )
    assert (corpus / "低空经济 试点通知 🚁.txt").is_file()
    page.get_by_role("tab", name="问答 · Chat").click()
    ask(page, "低空飞行器适航审定试点基地建成多少个？")
    page.wait_for_selector("#chat a.cite-link", timeout=60000)
    assert "12个低空飞行器适航审定试点基地" in page.inner_text("#chat")
    sources = page.inner_text("#sources")
    assert "工信部装〔2026〕88号" in sources and "低空经济 试点通知 🚁.txt" in sources
    assert page.evaluate("() => window.__xss") is None


def test_export_markdown(page) -> None:
    ask(page, "2025年拟安排地方政府专项债券多少？")
    with page.expect_download(timeout=30000) as dl:
        page.click("#export")
        page.locator("#download a").first.click(timeout=30000)
    text = Path(dl.value.path()).read_text("utf-8")
    assert "**问 Q:** 2025年拟安排地方政府专项债券多少？" in text
    assert "[^1]:" in text and "gwr-2025.txt" in text


def test_export_word_brief(page) -> None:
    from assistant.frontends.brief import read_footnotes

    ask(page, "2025年拟安排地方政府专项债券多少？")
    with page.expect_download(timeout=30000) as dl:
        page.click("#export-docx")
        page.locator("#download a").first.click(timeout=30000)
    notes = read_footnotes(Path(dl.value.path()).read_bytes())
    assert notes and any("4.4万亿元" in n and "政府工作报告" in n for n in notes)


@pytest.fixture(scope="module")
def validity_ui(tmp_path_factory, tiny_model):
    """A second server whose corpus holds a repeal chain of notices and two work reports."""
    with web_server(notices_index(tmp_path_factory.mktemp("ui-validity"), tiny_model)) as url:
        yield url + "/"


@pytest.fixture
def validity_page(browser, validity_ui):
    pg = _open(browser, validity_ui)
    yield pg
    pg.close()


def _open(browser, url: str):
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.goto(url, wait_until="domcontentloaded")
    pg.wait_for_selector("#question textarea", timeout=60000)
    return pg


def _sources_name(page, source: str) -> None:
    page.wait_for_function(
        "s => document.querySelector('#sources').innerText.includes(s)",
        arg=source, timeout=60000, polling=250,
    )  # fmt: skip


def test_superseded_citation_warns_and_in_force_filter_switches_documents(
    browser, validity_ui, validity_page
) -> None:
    page = validity_page
    ask(page, "对专精特新“小巨人”企业给予一次性奖励多少？")
    page.wait_for_selector("#chat a.cite-link", timeout=60000)
    assert "province-sme-2022.txt" in page.inner_text("#sources")
    warning = page.locator("#sources .validity-warning").first
    assert warning.inner_text() == "⚠ 已于2025年6月30日到期失效"  # 有效期3年 from 2022-07-01
    assert "⚠ [1] 已于2025年6月30日到期失效" in page.inner_text("#chat")
    # Each further question in a page of its own: Gradio drops a submission made while the
    # previous answer's event is still closing.
    repealed = _open(browser, validity_ui)
    ask(repealed, "道路货运车辆“三检合一”是指什么？")
    _sources_name(repealed, "logistics-2019.txt")
    note = repealed.locator("#sources .validity-warning").first.inner_text()
    assert "（江南交发〔2024〕30号）废止，自2025年1月1日起" in note  # a repealed notice
    repealed.close()
    then = _open(browser, validity_ui)
    then.get_by_text("筛选").first.click()
    box = then.locator("#as-of input, #as-of textarea").first
    box.wait_for(state="visible", timeout=10000)
    box.fill("2020-06-01")
    ask(then, "工业互联网平台评价多久开展一次？")
    _sources_name(then, "miit-platform-2018.txt")
    assert then.locator("#sources .validity-warning").count() == 0  # in force on that day
    then.close()
    now = _open(browser, validity_ui)
    now.get_by_text("筛选").first.click()
    now.locator("#in-force input").check()
    ask(now, "工业互联网平台评价多久开展一次？")
    _sources_name(now, "miit-platform-2023.txt")
    assert "miit-platform-2018.txt" not in now.inner_text("#sources")
    now.close()


def test_comparison_renders_as_a_table_and_timeline_links(validity_page) -> None:
    page = validity_page
    ask(page, "2024年和2025年的赤字率目标分别是多少？")
    table = page.locator("#chat table.comparison").last
    table.wait_for(state="visible", timeout=60000)
    rows = table.locator("tr")
    assert rows.count() == 3
    assert rows.nth(1).locator("td").first.inner_text() == "2024"
    assert rows.nth(1).locator("a.cite-link").count() >= 1
    page.get_by_role("tab", name="文件 · Documents").click()
    page.locator("#timeline-doc input").click()
    page.get_by_role("option", name="miit-platform-2018.txt").click()
    page.wait_for_selector("#timeline .timeline", timeout=30000)
    text = page.inner_text("#timeline")
    assert "已失效" in text and "工信部信管〔2023〕30号" in text
    link = page.locator("#timeline a.doc-link").first
    assert link.inner_text() == "miit-platform-2023.txt"
    import hashlib

    anchor = hashlib.sha1(b"miit-platform-2023.txt").hexdigest()[:12]
    assert link.get_attribute("href") == f"#doc-{anchor}"
    assert page.locator(f"#timeline #doc-{anchor}").count() == 1
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "ui-timeline.png"), full_page=True)
