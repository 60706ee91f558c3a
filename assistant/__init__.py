"""policy-assistant: cited question answering over government policy documents.

The public API is what this module exports; everything else is internal.
"""

from assistant.app import Assistant
from assistant.errors import (
    AssistantError,
    ConfigError,
    DocumentError,
    IndexLockedError,
    ModelError,
)
from assistant.settings import Settings
from assistant.types import Chunk, DocMeta, FileProblem, IndexStatus, SyncReport

__all__ = [
    "Assistant",
    "AssistantError",
    "Chunk",
    "ConfigError",
    "DocMeta",
    "DocumentError",
    "FileProblem",
    "IndexLockedError",
    "IndexStatus",
    "ModelError",
    "Settings",
    "SyncReport",
]
__version__ = "0.1.0"
