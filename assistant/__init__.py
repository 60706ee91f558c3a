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
from assistant.types import (
    Answer,
    Chunk,
    Citation,
    DocMeta,
    FileProblem,
    Hit,
    IndexStatus,
    SearchFilters,
    SyncReport,
)


def __getattr__(name: str) -> object:
    # LangChain's retriever class is imported only when asked for.
    if name == "PolicyRetriever":
        from assistant.lc_retriever import PolicyRetriever

        return PolicyRetriever
    raise AttributeError(name)


__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Chunk",
    "Citation",
    "ConfigError",
    "DocMeta",
    "DocumentError",
    "FileProblem",
    "Hit",
    "IndexLockedError",
    "IndexStatus",
    "ModelError",
    "PolicyRetriever",
    "SearchFilters",
    "Settings",
    "SyncReport",
]
__version__ = "0.1.0"
