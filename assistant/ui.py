"""Gradio web front end: chat with streamed, cited answers, a sources panel, a document view,
filters, Markdown export, and (for operators) upload, sync, status and delete.

Everything shown comes from the ``Assistant`` facade; document text and questions are escaped
before they are put into HTML, so markup inside a document or a question is shown as text.
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.errors import AssistantError
from assistant.types import Answer, Citation, SearchFilters

log = logging.getLogger(__name__)

EXAMPLES = [
    "2025年拟安排地方政府专项债券多少？",
    "如何推进“人工智能+”行动？",
    "工业互联网有哪些部署？",
    "What is the GDP growth target for 2025?",
]

CSS = """
.cite-link { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.source-card { border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.source-card .meta { font-size: 0.85em; color: #555; }
.docview { max-height: 420px; overflow-y: auto; white-space: pre-wrap; border: 1px solid #ccc;
           padding: 8px; font-size: 0.92em; line-height: 1.6; }
.docview .passage { background: #fff7d6; }
.docview .passage.active { outline: 2px solid #e0a800; }
mark.quote { background: #ffe066; }
.flag { color: #b00020; }
"""

# Clicking a marker [n] opens the document view of citation n and scrolls it to the passage.
HEAD = """
<script>
document.addEventListener("click", function (ev) {
  const link = ev.target.closest && ev.target.closest("a.cite-link");
  if (!link) return;
  ev.preventDefault();
  ev.stopPropagation();
  const id = (link.getAttribute("href") || "").replace(/^#/, "");
  const passage = document.getElementById(id);
  if (!passage) return;
  const details = passage.closest("details");
  if (details) details.open = true;
  document.querySelectorAll(".passage.active").forEach(function (p) {
    p.classList.remove("active");
  });
  passage.classList.add("active");
  passage.scrollIntoView({block: "center"});
}, true);
</script>
"""

T = {  # UI text, Chinese first with English
    "title": "政策文件问答 · Policy Assistant",
    "mode": {"extractive": "摘录式（离线）· extractive (offline)", "llm": "大模型生成 · LLM"},
    "ask": "提问 Ask",
    "placeholder": "输入问题，例如：2025年拟安排地方政府专项债券多少？ · Ask a question",
    "sources": "引用来源 · Sources",
    "nearest": "未找到答案，最接近的段落 · Not found — the closest passages",
    "filters": "筛选 · Filters",
    "export": "导出对话 Markdown · Export",
    "clear": "清空 · Clear",
    "error": "⚠ 出错了 · Error",
}


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def answer_html(answer: Answer, turn: int) -> str:
    """The answer text, escaped, with each marker [n] turned into a link to its passage."""
    body = esc(answer.text)

    def link(m: re.Match[str]) -> str:
        n = m.group(1)
        return f'<a class="cite-link" href="#passage-{turn}-{n}">[{n}]</a>'

    body = re.sub(r"\[(\d+)\]", link, body)
    flags = "".join(
        f'<div class="flag">⚑ 无有效引用 · no valid citation: {esc(s)}</div>'
        for s in answer.unsupported_sentences
    )
    return body + flags


def _highlight(passage: str, quotes: list[str]) -> str:
    out = esc(passage)
    for q in sorted(set(quotes), key=len, reverse=True):
        e = esc(q)
        if e and e in out:
            out = out.replace(e, f'<mark class="quote">{e}</mark>', 1)
    return out


def _meta_line(c: Citation) -> str:
    parts = [c.title, c.doc_number, c.issuer, c.date, c.section, f"第{c.page}页" if c.page else ""]
    return " · ".join(esc(p) for p in parts if p)


def sources_html(assistant: Assistant, answer: Answer, turn: int) -> str:
    """Citation cards: metadata, the passage with the cited sentence highlighted, and a
    document view of the whole notice scrolled to that passage when a marker is clicked."""
    if answer.abstained:
        cards = [f"<h4>{esc(T['nearest'])}</h4>"]
        for h in answer.hits[:3]:
            meta = " · ".join(esc(p) for p in (h.title, h.doc_number, h.date, h.section) if p)
            cards.append(
                f'<div class="source-card nearest"><div class="meta">{meta} ({esc(h.source)})'
                f"</div><div>{esc(h.text)}</div></div>"
            )
        return "\n".join(cards)
    cards = []
    for c in answer.citations:
        pid = f"passage-{turn}-{c.marker}"
        try:
            doc = assistant.document_text(c.source)
        except AssistantError:
            doc = ""
        start = doc.find(c.passage) if doc else -1
        if start >= 0:
            view = (
                esc(doc[:start])
                + f'<span class="passage" id="{pid}">{_highlight(c.passage, c.quotes)}</span>'
                + esc(doc[start + len(c.passage) :])
            )
        else:  # the file changed since it was indexed: show the stored passage only
            view = f'<span class="passage" id="{pid}">{_highlight(c.passage, c.quotes)}</span>'
        cards.append(
            f'<div class="source-card" id="source-{turn}-{c.marker}">'
            f"<b>[{c.marker}]</b> {_meta_line(c)}"
            f'<div class="meta">{esc(c.source)}</div>'
            f"<blockquote>{_highlight(c.passage, c.quotes)}</blockquote>"
            f"<details><summary>文档 · Document view</summary>"
            f'<div class="docview">{view}</div></details></div>'
        )
    return "\n".join(cards)


def export_markdown(turns: list[dict[str, Any]]) -> str:
    """The conversation as Markdown, each marker a footnote naming its source."""
    lines = ["# 政策文件问答记录 · Conversation", ""]
    n = 0
    for t in turns:
        text = t["answer"]
        notes = []
        for c in t["citations"]:
            n += 1
            text = text.replace(f"[{c['marker']}]", f"[^{n}]")
            where = " · ".join(
                str(p)
                for p in (
                    c["title"],
                    c["doc_number"],
                    c["issuer"],
                    c["date"],
                    c["section"],
                    f"p. {c['page']}" if c["page"] else "",
                )
                if p
            )
            notes.append(f"[^{n}]: {where} ({c['source']}): “{c['quote']}”")
        lines += [f"**问 Q:** {t['question']}", "", f"**答 A:** {text}", "", *notes, ""]
    return "\n".join(lines)


def build_app(assistant: Assistant, admin: bool) -> Any:
    """The Gradio Blocks app on ``assistant``; the admin tab exists only when ``admin``."""
    import gradio as gr

    mode = T["mode"][assistant.settings.answer.mode]
    issuers = sorted({d.get("issuer", "") for d in assistant.documents()} - {""})
    types = sorted({d.get("doc_type", "") for d in assistant.documents()} - {""})

    def respond(
        message: str,
        history: list,
        turns: list,
        issuer: str,
        doc_type: str,
        year_from: float | None,
        year_to: float | None,
        k: float,
    ):
        history = list(history or [])
        turns = list(turns or [])
        question = (message or "").strip()
        history.append({"role": "user", "content": esc(question) or "…"})
        history.append({"role": "assistant", "content": "…"})
        yield "", history, turns, gr.update()
        filters = SearchFilters(
            issuer=issuer or "",
            doc_type=doc_type or "",
            date_from=str(int(year_from)) if year_from else "",
            date_to=str(int(year_to)) if year_to else "",
        )
        pairs = [(t["standalone"], t["answer"]) for t in turns]
        try:
            text = ""
            final = None
            for event in assistant.ask_stream(question, int(k), filters, history=pairs):
                if event.kind == "token":
                    text += event.text
                    history[-1] = {"role": "assistant", "content": esc(text)}
                    yield "", history, turns, gr.update()
                else:
                    final = event.answer
            assert final is not None
            turn = len(turns)
            history[-1] = {"role": "assistant", "content": answer_html(final, turn)}
            turns.append(
                {
                    "question": question,
                    "standalone": final.standalone_question,
                    "answer": final.text,
                    "abstained": final.abstained,
                    "citations": [c.as_dict() for c in final.citations],
                }
            )
            yield "", history, turns, sources_html(assistant, final, turn)
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": f"{T['error']}: {esc(str(exc))}"}
            yield "", history, turns, gr.update()
        except Exception:  # a front end shows a message, never a stack trace
            log.exception("question failed")
            history[-1] = {
                "role": "assistant",
                "content": f"{T['error']}: 内部错误，请稍后再试 · internal error, please retry",
            }
            yield "", history, turns, gr.update()

    def export(turns: list) -> Any:
        if not turns:
            return gr.update(value=None, visible=False)
        out = Path(tempfile.mkdtemp(prefix="policy-chat-")) / "conversation.md"
        out.write_text(export_markdown(turns), encoding="utf-8")
        return gr.update(value=str(out), visible=True)

    with gr.Blocks(title="Policy Assistant", analytics_enabled=False) as app:
        gr.Markdown(f"## {T['title']}\n回答模式 · Answer mode: **{mode}**")
        turns = gr.State([])
        with gr.Tab("问答 · Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="对话 · Conversation",
                        height=460,
                        elem_id="chat",
                        sanitize_html=True,
                        render_markdown=False,
                    )
                    question = gr.Textbox(
                        placeholder=T["placeholder"], show_label=False, elem_id="question"
                    )
                    with gr.Row():
                        send = gr.Button(T["ask"], variant="primary", elem_id="ask")
                        clear = gr.Button(T["clear"])
                        export_btn = gr.Button(T["export"], elem_id="export")
                    download = gr.File(
                        label="Markdown", interactive=False, elem_id="download", visible=False
                    )
                    gr.Examples(EXAMPLES, inputs=question, label="示例问题 · Examples")
                with gr.Column(scale=2):
                    with gr.Accordion(T["filters"], open=False):
                        issuer = gr.Dropdown(["", *issuers], value="", label="发文机关 · Issuer")
                        doc_type = gr.Dropdown(["", *types], value="", label="文种 · Type")
                        with gr.Row():
                            year_from = gr.Number(label="起始年份 · From year", precision=0)
                            year_to = gr.Number(label="截止年份 · To year", precision=0)
                        k = gr.Slider(
                            1,
                            10,
                            value=assistant.settings.retrieval.k,
                            step=1,
                            label="段落数 · Passages",
                        )
                    sources = gr.HTML(f"<i>{T['sources']}</i>", elem_id="sources")
            inputs = [question, chatbot, turns, issuer, doc_type, year_from, year_to, k]
            outputs = [question, chatbot, turns, sources]
            question.submit(respond, inputs, outputs)
            send.click(respond, inputs, outputs)
            clear.click(lambda: ([], [], ""), None, [chatbot, turns, sources])
            export_btn.click(export, turns, download)
        if admin:
            _admin_tab(gr, assistant)
    return app


def _admin_tab(gr: Any, assistant: Assistant) -> None:
    def status_rows() -> list[list[Any]]:
        return [
            [
                d["source"],
                d.get("title", ""),
                d.get("doc_number", ""),
                d.get("issuer", ""),
                d.get("date", ""),
                d.get("doc_type", ""),
                d["chunks"],
            ]
            for d in assistant.documents()
        ]

    def summary() -> str:
        st = assistant.status()
        failed = st.last_report.get("failed") or []
        lines = [
            f"文档 Documents: {st.documents} · 段落 Chunks: {st.chunks} · "
            f"模型 Model: {st.model} · 上次同步 Last sync: {st.last_sync}"
        ]
        lines += [f"失败 Failed: {s}: {r}" for s, r in failed]
        lines += [f"待同步 Changed: {w} {s}" for s, w in st.changed_since]
        return "\n".join(lines)

    def sync_now(progress: Any) -> tuple[str, list, Any]:
        def on_progress(stage: str, done: int, total: int) -> None:
            if total:
                progress(done / total, desc=stage)

        try:
            r = assistant.index(assistant.status().corpus_roots or None, on_progress)
        except AssistantError as exc:
            return f"{T['error']}: {exc}", status_rows(), gr.update()
        msg = (
            f"新增 added {len(r.added)} · 更新 updated {len(r.updated)} · "
            f"删除 removed {len(r.removed)} · 未变 unchanged {len(r.unchanged)} · "
            f"失败 failed {len(r.failed)}"
        )
        msg += "".join(f"\n失败 {f.source}: {f.reason}" for f in r.failed)
        return (
            msg + "\n\n" + summary(),
            status_rows(),
            gr.update(choices=[d["source"] for d in assistant.documents()]),
        )

    def sync(progress: Any = gr.Progress()) -> tuple[str, list, Any]:  # noqa: B008 - Gradio's way
        return sync_now(progress)

    def upload(files: list | None, progress: Any = gr.Progress()) -> tuple[str, list, Any]:  # noqa: B008
        saved, errors = [], []
        for f in files or []:
            path = Path(f if isinstance(f, str) else f.name)
            try:
                saved.append(assistant.add_document(path.name, path.read_bytes()))
            except AssistantError as exc:
                errors.append(str(exc))
        msg, rows, choices = sync_now(progress)
        head = "".join(f"已上传 uploaded: {s}\n" for s in saved)
        head += "".join(f"{T['error']}: {e}\n" for e in errors)
        return head + msg, rows, choices

    def delete(source: str, progress: Any = gr.Progress()) -> tuple[str, list, Any]:  # noqa: B008
        if not source:
            return "请选择文档 · choose a document", status_rows(), gr.update()
        try:
            assistant.delete_document(source)
        except AssistantError as exc:
            return f"{T['error']}: {exc}", status_rows(), gr.update()
        msg, rows, choices = sync_now(progress)
        return f"已删除 deleted: {source}\n" + msg, rows, choices

    headers = ["source", "标题 title", "文号", "发文机关", "日期 date", "文种 type", "chunks"]
    with gr.Tab("管理 · Admin"):
        files = gr.File(
            label="上传文件 Upload (PDF/DOCX/HTML/TXT/MD)",
            file_count="multiple",
            file_types=list(assistant.settings.ingest.extensions),
            elem_id="upload",
        )
        with gr.Row():
            upload_btn = gr.Button(
                "上传并同步 · Upload and sync", variant="primary", elem_id="upload-sync"
            )
            sync_btn = gr.Button("同步 · Sync", elem_id="sync")
        log_box = gr.Textbox(label="结果 · Result", lines=6, elem_id="admin-log", value=summary)
        table = gr.Dataframe(
            headers=headers, value=status_rows, interactive=False, label="索引状态 · Index status"
        )
        with gr.Row():
            victim = gr.Dropdown(
                [d["source"] for d in assistant.documents()], label="删除文档 · Delete"
            )
            delete_btn = gr.Button("删除并同步 · Delete and sync", variant="stop")
        upload_btn.click(upload, files, [log_box, table, victim])
        sync_btn.click(sync, None, [log_box, table, victim])
        delete_btn.click(delete, victim, [log_box, table, victim])


def admin_allowed(host: str, auth: tuple[str, str] | None) -> bool:
    """Uploads and deletes are offered only behind a login or on a loopback address."""
    return bool(auth) or host in ("127.0.0.1", "localhost", "::1")


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
) -> Any:
    """Start the web app. The admin tab is offered only with auth or on a loopback address."""
    import gradio as gr

    app = build_app(assistant, admin=admin_allowed(host, auth))
    app.queue(default_concurrency_limit=8)
    app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=True,
        ssr_mode=False,
        css=CSS,
        head=HEAD,
        max_file_size=f"{int(assistant.settings.ingest.max_file_mb)}mb",
        theme=gr.themes.Default(font=["Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"]),
    )
    return app
