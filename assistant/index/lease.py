"""``CollectionLease``: one sync at a time on a collection that several instances share on a
Chroma server. The lease is a marker collection (``COLLECTION-lease``) whose creation the server
does once, so two writers cannot both take it; it names its holder and expires unless renewed
(a thread renews it while the sync runs), so a killed writer blocks the next one for at most
the lease's lifetime. A second writer waits for it (printing who holds it) or, after
``wait_s``, fails with a message naming the holder."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from assistant.core.errors import IndexLockedError
from assistant.index.store import ChromaStore


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class CollectionLease:
    """Held from ``__enter__`` to ``__exit__``; see the module doc."""

    def __init__(
        self, store: ChromaStore, collection: str, ttl_s: float = 60.0, wait_s: float = 600.0,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self.name = f"{collection}-lease"
        self.ttl_s, self.wait_s = ttl_s, wait_s
        self.owner = holder_name()
        self.on_wait = on_wait or (lambda _msg: None)
        self.waited_s = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = ""

    def _info(self) -> dict[str, str | float]:
        return {"owner": self.owner, "expires": time.time() + self.ttl_s,
                "since": time.strftime("%Y-%m-%dT%H:%M:%S")}  # fmt: skip

    def try_take(self) -> tuple[bool, dict[str, object]]:
        """Take the lease if it is free or expired; else (False, the holder's record)."""
        if self.store.create_marker(self.name, self._info()):
            return True, {}
        held = self.store.marker(self.name)
        if held and float(str(held.get("expires", 0))) < time.time():
            # The holder stopped renewing (killed): remove its lease, then race for a new one.
            again = self.store.marker(self.name)
            if again.get("owner") == held.get("owner"):
                self.store.drop(self.name)
            if self.store.create_marker(self.name, self._info()):
                return True, {}
            held = self.store.marker(self.name)
        return False, held

    def __enter__(self) -> CollectionLease:
        t0 = time.monotonic()
        told = False
        while True:
            ok, held = self.try_take()
            if ok:
                break
            waited = time.monotonic() - t0
            if waited >= self.wait_s:
                raise IndexLockedError(
                    f"another instance ({held.get('owner', '?')}, since {held.get('since', '?')}) "
                    f"is syncing {self.name.removesuffix('-lease')} on {self.store.url}; waited "
                    f"{waited:.0f} s — try again when it finishes, or raise "
                    "ASSISTANT_CHROMA__LEASE_WAIT_S"
                )
            if not told:
                self.on_wait(f"waiting for the sync of {held.get('owner', '?')} to finish")
                told = True
            time.sleep(0.5)
        self.waited_s = time.monotonic() - t0
        self._thread = threading.Thread(target=self._renew, daemon=True, name="lease-renew")
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl_s / 4):
            try:
                held = self.store.marker(self.name)
                if held.get("owner") != self.owner:
                    self.lost = str(held.get("owner", "nobody"))
                    return
                self.store.stamp_marker(self.name, self._info())
            except Exception:  # a server hiccup: try again at the next beat
                continue

    def check(self) -> None:
        """Fail if the lease was lost (this writer stalled past its expiry)."""
        if self.lost:
            raise IndexLockedError(
                f"this sync lost its lease on {self.name.removesuffix('-lease')} to {self.lost} "
                "(it stalled longer than the lease lifetime); run it again"
            )

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            if self.store.marker(self.name).get("owner") == self.owner:
                self.store.drop(self.name)
        except Exception:  # the lease expires by itself
            pass
