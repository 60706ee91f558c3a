"""The HTTP API: an OpenAI-compatible chat route (``/v1``) and a REST API (``/api/v1``) on one
``Assistant``, served beside the web UI by ``serve``."""

from assistant.frontends.api.app import build_api

__all__ = ["build_api"]
