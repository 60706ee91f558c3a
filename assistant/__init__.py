"""policy-assistant: cited question answering over government policy documents.

The public API is what this module exports; everything else is internal.
"""

from assistant.app import Assistant
from assistant.core.errors import (
    AssistantError,
    ConfigError,
    DocumentError,
    IndexAccessError,
    IndexLockedError,
    ModelError,
)
from assistant.core.settings import Settings
from assistant.core.types import (
    Answer,
    Chunk,
    Citation,
    DocMeta,
    FileProblem,
    Hit,
    IndexStatus,
    SearchFilters,
    ShortAnswer,
    SyncReport,
)


def __getattr__(name: str) -> object:
    # LangChain's retriever class is imported only when asked for.
    if name == "PolicyRetriever":
        from assistant.frontends.lc_retriever import PolicyRetriever

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
    "IndexAccessError",
    "IndexLockedError",
    "IndexStatus",
    "ModelError",
    "PolicyRetriever",
    "SearchFilters",
    "Settings",
    "ShortAnswer",
    "SyncReport",
]
__version__ = "0.1.0"
