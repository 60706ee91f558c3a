"""The Gradio web UI: ``texts`` (words, CSS, script), ``render`` (pure HTML and Markdown
renderers), ``chat`` and ``admin`` (the two tabs), ``app`` (the app and the server)."""

from assistant.frontends.ui.app import admin_allowed, build_app, serve

__all__ = ["admin_allowed", "build_app", "serve"]
