"""The chat tab: question box, streamed answers, source cards, filters and the Markdown export,
wired to the ``Assistant``'s ``ask_stream``."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from assistant.core.errors import AssistantError
from assistant.core.types import Answer, Citation, Comparison, ComparisonCell, SearchFilters
from assistant.frontends.brief import brief_docx
from assistant.frontends.ui import texts as T
from assistant.frontends.ui.render import answer_html, esc, export_markdown, sources_html

log = logging.getLogger(__name__)

Outputs = tuple[str, list[dict[str, str]], list[dict[str, Any]], Any]


def _filters(
    issuer: str, doc_type: str, year_from: float | None, year_to: float | None,
    in_force: bool = False, as_of: str = "",
) -> SearchFilters:  # fmt: skip
    return SearchFilters(
        issuer=issuer or "",
        doc_type=doc_type or "",
        date_from=str(int(year_from)) if year_from else "",
        date_to=str(int(year_to)) if year_to else "",
        in_force=bool(in_force),
        as_of=(as_of or "").strip(),
    )


def _turn(question: str, final: Answer) -> dict[str, Any]:
    return {
        "question": question,
        "standalone": final.standalone_question,
        "answer": final.text,
        "abstained": final.abstained,
        "citations": [c.as_dict() for c in final.citations],
        "comparison": asdict(final.comparison) if final.comparison else None,
        "language": final.language,
    }


def _answer_of(turn: dict[str, Any]) -> Answer:
    """A chat turn back as an ``Answer`` (what the Word brief needs of it)."""
    comparison = None
    if turn.get("comparison"):
        data = dict(turn["comparison"])
        data["cells"] = [ComparisonCell(**c) for c in data["cells"]]
        comparison = Comparison(**data)
    return Answer(
        question=turn["question"], text=turn["answer"], hits=[],
        citations=[Citation(**c) for c in turn["citations"]], abstained=turn["abstained"],
        language=turn.get("language", "zh"), comparison=comparison,
    )  # fmt: skip


def chat_tab(assistant: Assistant) -> None:
    """Build the chat tab inside the current ``gr.Blocks``."""
    import gradio as gr

    documents = assistant.documents()
    issuers = sorted({d.get("issuer", "") for d in documents} - {""})
    types = sorted({d.get("doc_type", "") for d in documents} - {""})

    def document_text(source: str) -> str:
        try:
            return assistant.document_text(source)
        except AssistantError:
            return ""

    def respond(
        message: str, history: list[dict[str, str]], turns: list[dict[str, Any]],
        issuer: str, doc_type: str,
        year_from: float | None, year_to: float | None, k: float,
        in_force: bool = False, as_of: str = "",
    ) -> Iterator[Outputs]:  # fmt: skip
        history = list(history or [])
        turns = list(turns or [])
        question = (message or "").strip()
        history.append({"role": "user", "content": esc(question) or "…"})
        history.append({"role": "assistant", "content": "…"})
        yield "", history, turns, gr.update()
        pairs = [(t["standalone"], t["answer"]) for t in turns]
        try:
            filters = _filters(issuer, doc_type, year_from, year_to, in_force, as_of)
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
            turns.append(_turn(question, final))
            yield "", history, turns, sources_html(final, turn, document_text)
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": f"{T.ERROR}: {esc(str(exc))}"}
            yield "", history, turns, gr.update()
        except Exception:  # a front end shows a message, never a stack trace
            log.exception("question failed")
            history[-1] = {"role": "assistant", "content": f"{T.ERROR}: {T.INTERNAL_ERROR}"}
            yield "", history, turns, gr.update()

    def export(turns: list[dict[str, Any]]) -> Any:
        if not turns:
            return gr.update(value=None, visible=False)
        out = Path(tempfile.mkdtemp(prefix="policy-chat-")) / "conversation.md"
        out.write_text(export_markdown(turns), encoding="utf-8")
        return gr.update(value=str(out), visible=True)

    def export_docx(turns: list[dict[str, Any]]) -> Any:
        if not turns:
            return gr.update(value=None, visible=False)
        out = Path(tempfile.mkdtemp(prefix="policy-brief-")) / "brief.docx"
        out.write_bytes(brief_docx([_answer_of(t) for t in turns]))
        return gr.update(value=str(out), visible=True)

    turns = gr.State([], time_to_live=assistant.settings.server.session_ttl_s)
    with gr.Tab("问答 · Chat"), gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="对话 · Conversation",
                height=460,
                elem_id="chat",
                sanitize_html=True,
                render_markdown=False,
            )
            question = gr.Textbox(placeholder=T.PLACEHOLDER, show_label=False, elem_id="question")
            with gr.Row():
                send = gr.Button(T.ASK, variant="primary", elem_id="ask")
                clear = gr.Button(T.CLEAR)
                export_btn = gr.Button(T.EXPORT, elem_id="export")
                docx_btn = gr.Button(T.EXPORT_DOCX, elem_id="export-docx")
            download = gr.File(
                label="Markdown · Word", interactive=False, elem_id="download", visible=False
            )
            gr.Examples(T.EXAMPLES, inputs=question, label="示例问题 · Examples")
        with gr.Column(scale=2):
            with gr.Accordion(T.FILTERS, open=False):
                issuer = gr.Dropdown(["", *issuers], value="", label="发文机关 · Issuer")
                doc_type = gr.Dropdown(["", *types], value="", label="文种 · Type")
                with gr.Row():
                    year_from = gr.Number(label="起始年份 · From year", precision=0)
                    year_to = gr.Number(label="截止年份 · To year", precision=0)
                with gr.Row():
                    in_force = gr.Checkbox(False, label=T.IN_FORCE, elem_id="in-force")
                    as_of = gr.Textbox("", label=T.AS_OF, placeholder="2026-06-01", elem_id="as-of")
                k = gr.Slider(
                    1, 10, value=assistant.settings.retrieval.k, step=1, label="段落数 · Passages"
                )
            sources = gr.HTML(f"<i>{T.SOURCES}</i>", elem_id="sources")
    inputs = [question, chatbot, turns, issuer, doc_type, year_from, year_to, k, in_force, as_of]
    outputs = [question, chatbot, turns, sources]
    question.submit(respond, inputs, outputs)
    send.click(respond, inputs, outputs)
    clear.click(lambda: ([], [], ""), None, [chatbot, turns, sources])
    export_btn.click(export, turns, download)
    docx_btn.click(export_docx, turns, download)
