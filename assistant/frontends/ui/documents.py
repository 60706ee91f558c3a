"""The documents tab: every indexed document with whether it is in force, and one document's
validity timeline (effective, expiry, repealed, amended) with links to the related documents'
timelines, wired to ``Assistant.documents`` and ``Assistant.timeline``."""

from __future__ import annotations

from typing import Any

from assistant.app import Assistant
from assistant.core.errors import AssistantError
from assistant.frontends.ui import texts as T
from assistant.frontends.ui.render import esc, timeline_html

HEADERS = ["文件 Source", "标题 Title", "文号 No.", "日期 Date", "施行 Effective", "有效 In force"]


def document_rows(assistant: Assistant) -> list[list[Any]]:
    return [
        [d["source"], d.get("title", ""), d.get("doc_number", ""), d.get("date", ""),
         d.get("effective", ""),
         "是 yes" if d.get("in_force", True) else f"否 no: {d.get('validity_note', '')}"]
        for d in assistant.documents()
    ]  # fmt: skip


def timeline_view(assistant: Assistant, source: str, as_of: str = "") -> str:
    """The timeline of ``source`` and, below it, those of the documents it is related to."""
    if not source:
        return "<i>选择文件查看效力时间线 · pick a document to see its timeline</i>"
    try:
        main = assistant.timeline(source, as_of.strip())
        related = []
        for other in dict.fromkeys(e.other for e in main.events if e.other):
            related.append(assistant.timeline(other, as_of.strip()))
    except AssistantError as exc:
        return f"<div class='flag'>{esc(str(exc))}</div>"
    return timeline_html(main, related)


def documents_tab(assistant: Assistant) -> None:
    """Build the documents tab inside the current ``gr.Blocks``."""
    import gradio as gr

    with gr.Tab(T.DOCUMENTS_TAB):
        table = gr.Dataframe(
            headers=HEADERS, value=lambda: document_rows(assistant), interactive=False,
            label="已索引文件 · Indexed documents", elem_id="documents-table",
        )  # fmt: skip
        with gr.Row():
            pick = gr.Dropdown(
                [d["source"] for d in assistant.documents()], label="文件 · Document",
                elem_id="timeline-doc",
            )  # fmt: skip
            as_of = gr.Textbox(
                "", label=T.AS_OF, placeholder="2026-06-01", elem_id="timeline-as-of"
            )
            refresh = gr.Button("刷新 · Refresh")
        view = gr.HTML(timeline_view(assistant, ""), elem_id="timeline")
        pick.change(lambda s, d: timeline_view(assistant, s, d), [pick, as_of], view)
        as_of.submit(lambda s, d: timeline_view(assistant, s, d), [pick, as_of], view)

        def refreshed() -> tuple[Any, Any]:
            return (document_rows(assistant),
                    gr.update(choices=[d["source"] for d in assistant.documents()]))  # fmt: skip

        refresh.click(refreshed, None, [table, pick])
