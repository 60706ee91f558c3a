"""The embedding model for a sync: loaded on first need, or ahead in a thread while the sync
opens the store and reads files (loading takes ~0.5 s; when a sync will embed, that wait is
hidden)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Preloader(Generic[T]):
    """Calls ``factory`` once, in a background thread after ``start`` or inline on ``get``;
    an error raised by the factory is raised again by ``get`` in the caller's thread."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _load(self) -> None:
        try:
            self._value = self._factory()
        except BaseException as exc:  # re-raised by get() in the syncing thread
            self._error = exc

    def start(self) -> None:
        if self._thread is None and self._value is None:
            self._thread = threading.Thread(target=self._load, name="load-embeddings")
            self._thread.start()

    def get(self) -> T:
        if self._thread is not None:
            self._thread.join()
        elif self._value is None:
            self._load()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def finish(self) -> None:
        if self._thread is not None:
            self._thread.join()
