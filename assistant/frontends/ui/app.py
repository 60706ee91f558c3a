"""The Gradio web app: the chat tab for everyone, the admin tab behind a login or on a loopback
address, served by ``serve`` on one ``Assistant``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.app import Assistant
from assistant.frontends.ui import texts as T
from assistant.frontends.ui.admin import admin_tab
from assistant.frontends.ui.chat import chat_tab
from assistant.frontends.ui.documents import documents_tab

if TYPE_CHECKING:
    import gradio as gr


def build_app(assistant: Assistant, admin: bool) -> gr.Blocks:
    """The Gradio Blocks app on ``assistant``; the admin tab exists only when ``admin``."""
    import gradio as gr

    mode = T.MODE[assistant.settings.answer.mode]
    ttl = assistant.settings.server.session_ttl_s
    # Gradio's uploaded and cached files are deleted once they are an hour old.
    app = gr.Blocks(title="Policy Assistant", analytics_enabled=False, delete_cache=(ttl, ttl))
    with app:
        gr.Markdown(f"## {T.TITLE}\n回答模式 · Answer mode: **{mode}**")
        chat_tab(assistant)
        documents_tab(assistant)
        if admin:
            admin_tab(assistant)
    return app


def admin_allowed(host: str, auth: tuple[str, str] | None) -> bool:
    """Uploads and deletes are offered only behind a login or on a loopback address."""
    from assistant.frontends.api.access import is_loopback

    return bool(auth) or is_loopback(host)


class WebServer:
    """A running ``serve``: the web UI mounted on the HTTP API's FastAPI app, one uvicorn
    server. ``close()`` stops it; other attributes are the Gradio app's."""

    def __init__(self, blocks: gr.Blocks, server: Any) -> None:
        self.blocks = blocks
        self.server = server

    def __getattr__(self, name: str) -> Any:
        return getattr(self.blocks, name)

    def close(self) -> None:
        self.server.should_exit = True
        thread = getattr(self.server, "thread", None)
        if thread is not None:
            thread.join(timeout=10)
        self.blocks.close(verbose=False)


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
) -> WebServer:
    """Start the web app and the HTTP API (``/v1``, ``/api/v1``, docs at ``/docs``) in one
    process behind the ``Guard`` (Host check, no anonymous uploads on a public bind, limited
    logins). The admin tab is offered only with auth or on a loopback address; the API's keys
    are checked by the API itself (a public bind needs an admin key: ``ConfigError``)."""
    import gradio as gr
    import uvicorn
    from gradio.http_server import Server

    from assistant.frontends.api import build_api
    from assistant.frontends.ui.guard import Guard

    server = assistant.settings.server
    admin = admin_allowed(host, auth)
    api = build_api(assistant, host.strip("[]"))
    blocks = build_app(assistant, admin=admin)
    blocks.queue(default_concurrency_limit=8)
    blocks.state_session_capacity = server.max_sessions
    app = gr.mount_gradio_app(
        api, blocks, path="/", auth=auth, show_error=False, ssr_mode=False, css=T.CSS,
        head=T.HEAD, max_file_size=f"{int(assistant.settings.ingest.max_file_mb)}mb",
        theme=gr.themes.Default(font=["Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"]),
    )  # fmt: skip
    app.add_middleware(
        Guard, allowed_hosts=server.host_names(), uploads=admin,
        login_per_minute=server.login_attempts_per_minute,
    )  # fmt: skip
    config = uvicorn.Config(
        app, host=host.strip("[]"), port=port, log_level="warning", timeout_graceful_shutdown=5
    )  # fmt: skip
    runner = Server(config=config)
    web = WebServer(blocks, runner)
    if block:
        runner.run()
    else:
        runner.run_in_thread()  # type: ignore[no-untyped-call]
    return web
