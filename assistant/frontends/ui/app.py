"""The Gradio web app: the chat tab for everyone, the admin tab behind a login or on a loopback
address, served by ``serve`` on one ``Assistant``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.app import Assistant
from assistant.frontends.ui import texts as T
from assistant.frontends.ui.admin import admin_tab
from assistant.frontends.ui.chat import chat_tab

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
        if admin:
            admin_tab(assistant)
    return app


def admin_allowed(host: str, auth: tuple[str, str] | None) -> bool:
    """Uploads and deletes are offered only behind a login or on a loopback address."""
    return bool(auth) or host in ("127.0.0.1", "localhost", "::1", "[::1]")


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Start the web app behind the ``Guard`` (Host check, no anonymous uploads on a public
    bind, limited logins). The admin tab is offered only with auth or on a loopback address."""
    import gradio as gr
    from starlette.middleware import Middleware

    from assistant.frontends.ui.guard import Guard

    server = assistant.settings.server
    admin = admin_allowed(host, auth)
    app = build_app(assistant, admin=admin)
    app.queue(default_concurrency_limit=8)
    guard = Middleware(
        Guard, allowed_hosts=server.host_names(), uploads=admin,
        login_per_minute=server.login_attempts_per_minute,
    )  # fmt: skip
    app.launch(
        # An IPv6 address goes in brackets: Gradio binds without them and builds its URL with.
        server_name=f"[{host}]" if ":" in host and not host.startswith("[") else host,
        server_port=port,
        auth=auth,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=True,
        ssr_mode=False,
        css=T.CSS,
        head=T.HEAD,
        max_file_size=f"{int(assistant.settings.ingest.max_file_mb)}mb",
        theme=gr.themes.Default(font=["Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"]),
        app_kwargs={"middleware": [guard]},
        state_session_capacity=server.max_sessions,
    )
    return app
