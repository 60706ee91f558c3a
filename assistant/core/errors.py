"""User-facing errors: one base class, each message names the bad file or value and the fix."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error a user can cause. Front ends catch this and print its message."""


class ConfigError(AssistantError):
    """A setting has a value that cannot work (names the setting, the value and what to use)."""


class ModelError(AssistantError):
    """The embedding model could not be loaded or used."""


class DocumentError(AssistantError):
    """A single document could not be read; the sync reports it and goes on with the others."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IndexAccessError(AssistantError):
    """The index is missing, locked by another sync, unreadable, or its server is unreachable."""


class IndexLockedError(IndexAccessError):
    """Another process is syncing the same index."""
