"""The manifest of one collection: per document its content hash, chunk ids and metadata, plus
the sync state (the collection state the last complete sync left).

It lives where every instance writing the collection sees it: beside an embedded Chroma in a
SQLite file (``manifests/COLLECTION.sqlite``, one row per document), or on a Chroma server in a
small sidecar collection (``COLLECTION-state``, one record per document). A save writes only
the documents that changed, so adding a notice costs its own rows whatever the corpus size.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.core.errors import IndexAccessError
from assistant.index.jsonfile import read_json

if TYPE_CHECKING:
    from assistant.core.settings import Settings
    from assistant.index.layout import IndexPaths
    from assistant.index.store import ChromaStore


@dataclass
class DocEntry:
    """One indexed document."""

    hash: str
    chunk_ids: list[str]
    meta: dict[str, str]
    size: int
    mtime: float
    format: str = ""
    indexed_at: str = ""
    validity: dict[str, Any] = field(default_factory=dict)  # ``Validity.as_dict()``, or {}
    root: str = ""  # the corpus folder it was read from (on a server: whose sync owns it)
    side_mtime: float = -1.0  # its sidecar's modification time (0: none; -1: not recorded)
    seen_at: float = 0.0  # when its bytes were read (a file changed since is read again)


class _Backend(Protocol):
    def read(self) -> tuple[dict[str, DocEntry], dict[str, str]]: ...

    def write(
        self, put: dict[str, DocEntry], removed: set[str], state: dict[str, str],
        replace: bool = False,
    ) -> None: ...  # fmt: skip

    def exists(self) -> bool: ...


def _damaged(where: str, exc: BaseException) -> IndexAccessError:
    return IndexAccessError(
        f"{where} is damaged ({type(exc).__name__}: {exc}); run 'policy-assistant index "
        "CORPUS_DIR' to write it again (vectors come from the embedding cache)"
    )


def _entry(raw: str) -> DocEntry:
    return DocEntry(**json.loads(raw))


def _raw(entry: DocEntry) -> str:
    return json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))


class SqliteManifest:
    """The manifest in a SQLite file (an older JSON manifest beside it is read once)."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_suffix(".sqlite")
        self.legacy = path.with_suffix(".json")

    def exists(self) -> bool:
        return self.path.is_file() or self.legacy.is_file()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS docs (source TEXT PRIMARY KEY, entry TEXT)")
        con.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
        return con

    def read(self) -> tuple[dict[str, DocEntry], dict[str, str]]:
        if not self.path.is_file():
            if self.legacy.is_file():
                data = read_json(self.legacy) or {}
                try:
                    return {k: DocEntry(**v) for k, v in data.get("docs", {}).items()}, {}
                except (TypeError, ValueError, AttributeError) as exc:
                    raise _damaged(str(self.legacy), exc) from exc
            return {}, {}
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                docs = {s: _entry(e) for s, e in con.execute("SELECT source, entry FROM docs")}
                state = dict(con.execute("SELECT key, value FROM state").fetchall())
            finally:
                con.close()
        except (sqlite3.Error, TypeError, ValueError) as exc:
            raise _damaged(str(self.path), exc) from exc
        return docs, state

    def write(
        self, put: dict[str, DocEntry], removed: set[str], state: dict[str, str],
        replace: bool = False,
    ) -> None:  # fmt: skip
        fresh = replace or not self.path.is_file()
        try:
            con = self._connect()
        except sqlite3.DatabaseError:  # a damaged file: the sync writes it again
            self.path.unlink(missing_ok=True)
            fresh, con = True, self._connect()
        try:
            with con:
                if fresh:
                    con.execute("DELETE FROM docs")
                    con.execute("DELETE FROM state")
                con.executemany("DELETE FROM docs WHERE source = ?", [(s,) for s in removed])
                con.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)",
                                [(s, _raw(e)) for s, e in put.items()])  # fmt: skip
                con.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", state.items())
        finally:
            con.close()
        self.legacy.unlink(missing_ok=True)

    def drop(self) -> None:
        for p in (self.path, self.legacy, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            p.unlink(missing_ok=True)


class ChromaManifest:
    """The manifest in a sidecar collection on the Chroma server, seen by every instance."""

    def __init__(
        self, store: ChromaStore, collection: str, local: SqliteManifest | None = None
    ) -> None:
        self.store = store
        self.name = f"{collection}-state"
        # This instance's copy: read instead of the server's records while the server says the
        # collection is in the state the copy was taken in (its clean sync token).
        self.local = local

    def exists(self) -> bool:
        return self.store.has_collection(self.name)

    def read(self) -> tuple[dict[str, DocEntry], dict[str, str]]:
        docs: dict[str, DocEntry] = {}
        state: dict[str, str] = {}
        if not self.exists():
            return docs, state
        token = self.store.get_state(self.name, ["state:clean_token"]).get("state:clean_token")
        if token and self.local is not None and self.local.path.is_file():
            try:
                docs, state = self.local.read()
            except IndexAccessError:
                docs, state = {}, {}
            if state.get("clean_token") == token:
                return docs, state
            docs, state = {}, {}
        try:
            for key, raw in self.store.iter_state(self.name):
                kind, _, name = key.partition(":")
                if kind == "doc":
                    docs[name] = _entry(raw)
                elif kind == "state":
                    state[name] = raw
        except (TypeError, ValueError) as exc:
            raise _damaged(f"the state collection {self.name}", exc) from exc
        if self.local is not None:
            self.local.write(docs, set(), state, replace=True)
        return docs, state

    def write(
        self, put: dict[str, DocEntry], removed: set[str], state: dict[str, str],
        replace: bool = False,
    ) -> None:  # fmt: skip
        if replace:
            self.store.drop(self.name)
        records = {f"doc:{s}": _raw(e) for s, e in put.items()}
        records.update({f"state:{k}": v for k, v in state.items()})
        self.store.put_state(self.name, records, [f"doc:{s}" for s in removed])
        if self.local is not None:
            self.local.write(put, removed, state, replace=replace)

    def drop(self) -> None:
        self.store.drop(self.name)
        if self.local is not None:
            self.local.drop()


@dataclass
class Manifest:
    """The documents of one Chroma collection, and its sync state."""

    collection: str
    signature: dict[str, Any]
    docs: dict[str, DocEntry] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    backend: _Backend | None = field(default=None, repr=False, compare=False)
    _put: dict[str, DocEntry] = field(default_factory=dict, repr=False, compare=False)
    _removed: set[str] = field(default_factory=set, repr=False, compare=False)
    _state: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _replace: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def open(cls, backend: _Backend, collection: str, signature: dict[str, Any]) -> Manifest:
        docs, state = backend.read()
        out = cls(collection, signature, docs, state, backend)
        # Read from an older JSON manifest: the first save writes it whole, then drops the JSON.
        out._replace = (
            isinstance(backend, SqliteManifest) and not backend.path.is_file() and bool(docs)
        )
        return out

    @classmethod
    def load(cls, path: Path, collection: str, signature: dict[str, Any]) -> Manifest:
        """The manifest of an embedded index (``path``: the file's name without its suffix
        matters only; ``.sqlite`` is used, an older ``.json`` read once)."""
        return cls.open(SqliteManifest(path), collection, signature)

    @classmethod
    def open_or_new(
        cls, backend: _Backend, collection: str, signature: dict[str, Any]
    ) -> tuple[Manifest, str]:
        """The manifest, or an empty one and why when it is damaged: the sync then reads every
        document again and keeps what Chroma holds that matches."""
        try:
            return cls.open(backend, collection, signature), ""
        except IndexAccessError as exc:
            fresh = cls(collection, signature, backend=backend)
            fresh._replace = True  # the first save writes it whole
            return fresh, str(exc).split(";")[0]

    @classmethod
    def load_or_new(
        cls, path: Path, collection: str, signature: dict[str, Any]
    ) -> tuple[Manifest, str]:
        return cls.open_or_new(SqliteManifest(path), collection, signature)

    def put(self, source: str, entry: DocEntry) -> None:
        self.docs[source] = entry
        self._put[source] = entry
        self._removed.discard(source)

    def pop(self, source: str) -> DocEntry:
        entry = self.docs.pop(source)
        self._put.pop(source, None)
        self._removed.add(source)
        return entry

    def set_state(self, key: str, value: str) -> None:
        self.state[key] = value
        self._state[key] = value

    def save(self, path: Path | None = None) -> None:
        """Write what changed since the last save."""
        backend = self.backend or (SqliteManifest(path) if path is not None else None)
        if backend is None:
            raise ValueError("a manifest opened without a backend needs a path to save to")
        self.backend = backend
        if not (self._put or self._removed or self._state or self._replace) and backend.exists():
            return
        if self._replace:
            backend.write(dict(self.docs), set(), dict(self.state), replace=True)
        else:
            backend.write(dict(self._put), set(self._removed), dict(self._state))
        self._replace = False
        self._put.clear()
        self._removed.clear()
        self._state.clear()

    def all_chunk_ids(self) -> set[str]:
        return {cid for entry in self.docs.values() for cid in entry.chunk_ids}

    def chunk_count(self) -> int:
        return sum(len(e.chunk_ids) for e in self.docs.values())


def manifest_backend(
    store: ChromaStore | None, server: bool, path: Path, collection: str
) -> SqliteManifest | ChromaManifest:
    """Where the manifest of ``collection`` lives: on the server when Chroma is one."""
    if server:
        if store is None:
            raise ValueError("a server manifest needs the store")
        return ChromaManifest(store, collection, SqliteManifest(path.with_name(
            f"{collection}.server-copy.json")))  # fmt: skip
    return SqliteManifest(path)


def open_manifest(
    settings: Settings, paths: IndexPaths, collection: str, store: ChromaStore | None = None
) -> Manifest:
    """The manifest of ``collection`` where these settings keep it (read only use)."""
    server = bool(settings.chroma.url)
    if server and store is None:
        from assistant.index.store import open_store

        store = open_store(settings, paths.chroma)
    backend = manifest_backend(store, server, paths.manifest(collection), collection)
    return Manifest.open(backend, collection, {})
