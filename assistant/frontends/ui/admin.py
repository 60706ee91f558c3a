"""The admin tab (for operators): upload documents, sync with a progress bar, the index status,
and delete a document; every action goes through the ``Assistant``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.core.errors import AssistantError
from assistant.core.types import SyncReport
from assistant.frontends.ui import texts as T

HEADERS = ["source", "标题 title", "文号", "发文机关", "日期 date", "文种 type", "chunks"]

AdminOutputs = tuple[str, list[list[Any]], Any]


def status_rows(assistant: Assistant) -> list[list[Any]]:
    """One row per indexed document for the status table."""
    return [
        [d["source"], d.get("title", ""), d.get("doc_number", ""), d.get("issuer", ""),
         d.get("date", ""), d.get("doc_type", ""), d["chunks"]]
        for d in assistant.documents()
    ]  # fmt: skip


def status_summary(assistant: Assistant) -> str:
    """Documents, chunks, model, last sync, failures and files changed since, as text."""
    st = assistant.status()
    failed = st.last_report.get("failed") or []
    lines = [
        f"文档 Documents: {st.documents} · 段落 Chunks: {st.chunks} · "
        f"模型 Model: {st.model} · 上次同步 Last sync: {st.last_sync}"
    ]
    lines += [f"问题 Problem: {p}" for p in st.problems]
    lines += [f"失败 Failed: {s}: {r}" for s, r in failed]
    lines += [f"待同步 Changed: {w} {s}" for s, w in st.changed_since]
    return "\n".join(lines)


def report_text(r: SyncReport) -> str:
    msg = (
        f"新增 added {len(r.added)} · 更新 updated {len(r.updated)} · "
        f"删除 removed {len(r.removed)} · 未变 unchanged {len(r.unchanged)} · "
        f"失败 failed {len(r.failed)}"
    )
    notes = "".join(f"\n注意 note: {n}" for n in r.notes)
    return msg + notes + "".join(f"\n失败 {f.source}: {f.reason}" for f in r.failed)


def admin_tab(assistant: Assistant) -> None:
    """Build the admin tab inside the current ``gr.Blocks``."""
    import gradio as gr

    def choices() -> Any:
        return gr.update(choices=[d["source"] for d in assistant.documents()])

    def sync_now(progress: gr.Progress) -> AdminOutputs:
        def on_progress(stage: str, done: int, total: int) -> None:
            if total:
                progress(done / total, desc=stage)

        try:
            r = assistant.index(assistant.status().corpus_roots or None, on_progress)
        except AssistantError as exc:
            return f"{T.ERROR}: {exc}", status_rows(assistant), gr.update()
        summary = report_text(r) + "\n\n" + status_summary(assistant)
        return summary, status_rows(assistant), choices()

    def sync(progress: gr.Progress = gr.Progress()) -> AdminOutputs:  # noqa: B008 - Gradio's way
        return sync_now(progress)

    def upload(
        files: list[Any] | None,
        replace: bool,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> AdminOutputs:
        saved, errors = [], []
        for f in files or []:
            path = Path(f if isinstance(f, str) else f.name)
            try:
                saved.append(assistant.add_document(path.name, path.read_bytes(), replace))
            except AssistantError as exc:
                errors.append(str(exc))
            finally:
                path.unlink(missing_ok=True)  # Gradio's temporary copy
        msg, rows, new_choices = sync_now(progress)
        head = "".join(f"已上传 uploaded: {a.message()}\n" for a in saved)
        head += "".join(f"{T.ERROR}: {e}\n" for e in errors)
        return head + msg, rows, new_choices

    def delete(source: str, progress: gr.Progress = gr.Progress()) -> AdminOutputs:  # noqa: B008
        if not source:
            return "请选择文档 · choose a document", status_rows(assistant), gr.update()
        try:
            assistant.delete_document(source)
        except AssistantError as exc:
            return f"{T.ERROR}: {exc}", status_rows(assistant), gr.update()
        msg, rows, new_choices = sync_now(progress)
        return f"已删除 deleted: {source}\n" + msg, rows, new_choices

    with gr.Tab("管理 · Admin"):
        files = gr.File(
            label="上传文件 Upload (PDF/DOCX/HTML/TXT/MD)",
            file_count="multiple",
            file_types=list(assistant.settings.ingest.extensions),
            elem_id="upload",
        )
        replace = gr.Checkbox(
            False, label="替换同名文档 · Replace a document of the same name", elem_id="replace"
        )
        with gr.Row():
            upload_btn = gr.Button(
                "上传并同步 · Upload and sync", variant="primary", elem_id="upload-sync"
            )
            sync_btn = gr.Button("同步 · Sync", elem_id="sync")
        log_box = gr.Textbox(
            label="结果 · Result", lines=6, elem_id="admin-log",
            value=lambda: status_summary(assistant),
        )  # fmt: skip
        table = gr.Dataframe(
            headers=HEADERS, value=lambda: status_rows(assistant), interactive=False,
            label="索引状态 · Index status",
        )  # fmt: skip
        with gr.Row():
            victim = gr.Dropdown(
                [d["source"] for d in assistant.documents()], label="删除文档 · Delete"
            )
            delete_btn = gr.Button("删除并同步 · Delete and sync", variant="stop")
        upload_btn.click(upload, [files, replace], [log_box, table, victim])
        sync_btn.click(sync, None, [log_box, table, victim])
        delete_btn.click(delete, victim, [log_box, table, victim])
