"""Chroma adapter: the source of truth for chunk texts, metadata and vectors.

Embeddings are always passed in (Chroma's own default model would be downloaded), the space is
cosine, and telemetry is off.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import numpy as np

from assistant.core.errors import IndexAccessError
from assistant.core.settings import ChromaSettings
from assistant.index.records import clean_metadata

if TYPE_CHECKING:
    from chromadb.api.collection_configuration import CreateCollectionConfiguration
    from chromadb.api.models.Collection import Collection

    from assistant.core.settings import Settings

_BATCH = 2000
P = ParamSpec("P")
R = TypeVar("R")


def _bound_requests(client: Any, seconds: float) -> None:
    """Chroma's HTTP client waits forever (its httpx session has no timeout): give it one."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


def _translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Chroma's failures as one clear ``IndexAccessError``: a server that does not answer, a
    full disk, a collection that is gone."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, ChromaStore)
        try:
            return fn(*args, **kwargs)
        except IndexAccessError:
            raise
        except Exception as exc:
            raise store.explain(exc) from exc

    return call


def open_store(settings: Settings, path: Path) -> ChromaStore:
    """The store named by the settings (``chroma.url``), else the embedded one at ``path``."""
    chroma = settings.chroma
    return ChromaStore(path, chroma.url, chroma.token.get_secret_value(), chroma.timeout_s,
                       VectorGraph.of(chroma))  # fmt: skip


@dataclass(frozen=True)
class VectorGraph:
    """Chroma's HNSW parameters: the first two fixed when a collection is made, the search
    width applied to a collection whenever this store opens it."""

    ef_construction: int
    max_neighbors: int
    ef_search: int

    @classmethod
    def of(cls, chroma: ChromaSettings | None = None) -> VectorGraph:
        """The graph ``chroma`` asks for (default: the default settings')."""
        chroma = chroma or ChromaSettings()
        return cls(chroma.hnsw_ef_construction, chroma.hnsw_max_neighbors, chroma.hnsw_ef_search)

    def create(self) -> CreateCollectionConfiguration:
        return {"hnsw": {"space": "cosine", "ef_construction": self.ef_construction,
                         "max_neighbors": self.max_neighbors,
                         "ef_search": self.ef_search}}  # fmt: skip


def free_mib(path: Path) -> float:
    """Free space on the file system holding ``path`` (or its nearest existing parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free / 2**20
    except OSError:
        return 0.0


def is_disk_full(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return (
        (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
        or "disk is full" in text
        or "no space left" in text
    )


def disk_full_error(path: Path, exc: BaseException) -> IndexAccessError:
    return IndexAccessError(
        f"the disk holding {path} is full ({free_mib(path):.0f} MiB free): free at least "
        f"{NEEDED_MIB} MiB and run 'policy-assistant index' again; the index as it was before "
        "this sync still answers"
    )


NEEDED_MIB = 200


class ChromaStore:
    """One Chroma database holding one collection per index signature: embedded in ``path``,
    or on the Chroma server at ``url`` (then ``path`` is unused)."""

    def __init__(
        self, path: Path, url: str = "", token: str = "", timeout_s: float = 30.0,
        graph: VectorGraph | None = None,
    ) -> None:  # fmt: skip
        import chromadb
        from chromadb.config import Settings as ClientSettings

        settings = ClientSettings(anonymized_telemetry=False, allow_reset=False)
        self.path = path
        self.url = url
        self._handles: dict[str, Collection] = {}
        self.graph = graph or VectorGraph.of()
        if url:
            parsed = urlparse(url)
            headers = {"Authorization": f"Bearer {token}"} if token else None
            try:
                # Chroma's client asks the server before it can be given a timeout: a server
                # that does not answer is found here, within the timeout, instead.
                import httpx

                httpx.get(f"{url}/api/v2/heartbeat", timeout=timeout_s, headers=headers)
                self._client = chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    headers=headers,
                    settings=settings,
                )
                _bound_requests(self._client, timeout_s)
                self._timeout_s = timeout_s
                self._client.heartbeat()
            except Exception as exc:
                self._timeout_s = timeout_s
                raise self.explain(exc) from exc
            return
        self._timeout_s = timeout_s
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=settings)
        except Exception as exc:
            if is_disk_full(exc):
                raise disk_full_error(path, exc) from exc
            raise IndexAccessError(
                f"cannot open the Chroma database in {path} ({type(exc).__name__}: {exc}); "
                "check the folder's permissions and free space"
            ) from exc

    def explain(self, exc: BaseException) -> IndexAccessError:
        """What a Chroma failure means for the user, and what to do."""
        import httpx

        where = self.url or str(self.path)
        if isinstance(exc, httpx.TimeoutException):
            return IndexAccessError(
                f"the Chroma server at {self.url} did not answer within {self._timeout_s:g} s "
                "(stopped, paused or overloaded?); check it, or raise ASSISTANT_CHROMA__TIMEOUT_S"
            )
        if isinstance(exc, httpx.TransportError):
            return IndexAccessError(
                f"cannot reach the Chroma server at {self.url} ({type(exc).__name__}); start it "
                "with 'chroma run --path DIR --port PORT' or fix ASSISTANT_CHROMA__URL"
            )
        if is_disk_full(exc):
            return disk_full_error(self.path, exc)
        if type(exc).__name__ in ("NotFoundError", "InvalidCollectionException"):
            return IndexAccessError(
                f"a collection the index names is missing from the Chroma database in {where} "
                f"({exc}); run 'policy-assistant index CORPUS_DIR' to rebuild it (unchanged "
                "chunks' vectors come from the embedding cache)"
            )
        return IndexAccessError(f"the Chroma database in {where} failed ({type(exc).__name__}: "
                                f"{exc})")  # fmt: skip

    @_translated
    def info(self, name: str) -> dict[str, Any]:
        """The collection's own metadata (sync token, model), read fresh (one request), or {}
        when it does not exist."""
        from chromadb.errors import NotFoundError

        try:
            col = self._client.get_collection(name, embedding_function=None)
        except NotFoundError:
            self._handles.pop(name, None)
            return {}
        self._handles[name] = col
        return dict(col.metadata or {})

    def _handle(self, name: str) -> Collection:
        """A kept handle on collection ``name`` (a question costs one request, not two)."""
        col = self._handles.get(name)
        if col is None:
            col = self._handles[name] = self.collection(name, create=False)
            self._widen_search(col)
        return col

    def _widen_search(self, col: Collection) -> None:
        """Give a collection made with another search width (an index from an earlier
        release, another instance's settings: on a shared server the last to open it sets
        it) this store's."""
        from chromadb.errors import ChromaError

        hnsw: dict[str, Any] = dict(col.configuration.get("hnsw") or {})
        if hnsw and hnsw.get("ef_search") != self.graph.ef_search:
            # An index on a read-only disk cannot take the change; it still answers, with the
            # width it was made with.
            with contextlib.suppress(ChromaError):
                col.modify(configuration={"hnsw": {"ef_search": self.graph.ef_search}})

    @_translated
    def stamp(self, name: str, info: dict[str, Any]) -> None:
        """Record ``info`` (a new sync token, the model) on the collection for other instances."""
        self.collection(name).modify(metadata={k: v for k, v in info.items() if v != ""})

    def collection(self, name: str, create: bool = True) -> Collection:
        if create:
            return self._client.get_or_create_collection(
                name, configuration=self.graph.create(), embedding_function=None
            )
        return self._client.get_collection(name, embedding_function=None)

    @_translated
    def has_collection(self, name: str) -> bool:
        return name in {c.name for c in self._client.list_collections()}

    @_translated
    def drop(self, name: str) -> None:
        self._handles.pop(name, None)
        if self.has_collection(name):
            self._client.delete_collection(name)

    @_translated
    def upsert(
        self,
        name: str,
        ids: list[str],
        vectors: np.ndarray,
        documents: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        col = self.collection(name)
        for i in range(0, len(ids), _BATCH):
            col.upsert(
                ids=ids[i : i + _BATCH],
                embeddings=np.asarray(vectors[i : i + _BATCH], dtype=np.float32),
                documents=documents[i : i + _BATCH],
                metadatas=[clean_metadata(m) for m in metadatas[i : i + _BATCH]],
            )

    @_translated
    def update_metadata(self, name: str, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Replace the metadata of chunks already stored, leaving vectors and texts alone (a
        fraction of an upsert's cost: nothing is re-indexed). Chroma merges an update into
        the stored metadata, so a key the new record lacks is sent as None, which removes it."""
        if not ids:
            return
        col = self.collection(name)
        keys = {k for m in metadatas for k in m}
        for i in range(0, len(ids), _BATCH):
            part = [clean_metadata(m) for m in metadatas[i : i + _BATCH]]
            col.update(
                ids=ids[i : i + _BATCH],
                metadatas=[{k: m.get(k) for k in keys} for m in part],
            )

    @_translated
    def delete(self, name: str, ids: list[str]) -> None:
        if not ids:
            return
        col = self.collection(name)
        for i in range(0, len(ids), _BATCH):
            col.delete(ids=ids[i : i + _BATCH])

    @_translated
    def ids(self, name: str) -> set[str]:
        if not self.has_collection(name):
            return set()
        col = self.collection(name, create=False)
        out: set[str] = set()
        offset = 0
        while True:
            got = col.get(include=[], limit=_BATCH * 5, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < _BATCH * 5:
                return out
            offset += len(got["ids"])

    def _pages(self, name: str, include: list[Any], page: int) -> Iterator[dict[str, Any]]:
        """Chroma's ``get`` answers for every record of ``name``, page by page."""
        try:
            col = self.collection(name, create=False)
        except Exception as exc:
            raise self.explain(exc) from exc
        offset = 0
        while True:
            try:
                got = col.get(include=include, limit=page, offset=offset)
            except Exception as exc:
                raise self.explain(exc) from exc
            yield dict(got)
            if len(got["ids"]) < page:
                return
            offset += len(got["ids"])

    def iter_records(self, name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """``(id, document, metadata)`` of every chunk, in pages."""
        for got in self._pages(name, ["documents", "metadatas"], _BATCH):
            docs, metas = got["documents"] or [], got["metadatas"] or []
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True):
                yield cid, doc, dict(meta)

    def iter_metadata(self, name: str, page: int = 10_000) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(id, metadata)`` of every chunk, in pages (no texts, no vectors)."""
        for got in self._pages(name, ["metadatas"], page):
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                yield cid, dict(meta or {})

    @_translated
    def records(self, name: str, ids: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """``(id, document, metadata)`` of the chunks ``ids`` still present."""
        out: list[tuple[str, str, dict[str, Any]]] = []
        col = self.collection(name, create=False)
        for i in range(0, len(ids), _BATCH):
            got = col.get(ids=ids[i : i + _BATCH], include=["documents", "metadatas"])
            docs, metas = got["documents"] or [], got["metadatas"] or []
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True):
                if doc is not None:
                    out.append((cid, doc, dict(meta or {})))
        return out

    # -- small records beside a collection (its manifest on a server; leases) ----------------
    def iter_state(self, name: str) -> Iterator[tuple[str, str]]:
        """``(key, text)`` of every record of the state collection ``name``."""
        for got in self._pages(name, ["documents"], _BATCH):
            for key, doc in zip(got["ids"], got["documents"] or [], strict=True):
                yield key, doc or ""

    @_translated
    def get_state(self, name: str, keys: list[str]) -> dict[str, str]:
        """The records ``keys`` of the state collection ``name`` that exist."""
        got = self._client.get_collection(name, embedding_function=None).get(
            ids=keys, include=["documents"]
        )
        return {k: d or "" for k, d in zip(got["ids"], got["documents"] or [], strict=True)}

    @_translated
    def put_state(self, name: str, records: dict[str, str], removed: list[str]) -> None:
        """Write ``records`` (key → text) into the state collection ``name``, delete
        ``removed``. Its records carry a constant one-dimensional vector: nothing searches it."""
        col = self._client.get_or_create_collection(name, embedding_function=None)
        keys = list(records)
        for i in range(0, len(keys), _BATCH):
            part = keys[i : i + _BATCH]
            col.upsert(ids=part, documents=[records[k] for k in part],
                       embeddings=np.ones((len(part), 1), dtype=np.float32))  # fmt: skip
        for i in range(0, len(removed), _BATCH):
            col.delete(ids=removed[i : i + _BATCH])

    @_translated
    def create_marker(self, name: str, info: dict[str, Any]) -> bool:
        """Create the empty collection ``name`` with ``info`` as its metadata; False when it
        exists already (the server creates a name once: this is the lease's atomic step)."""
        try:
            self._client.create_collection(name, metadata=info, embedding_function=None)
            return True
        except Exception as exc:
            if self.has_collection(name):
                return False
            raise exc

    @_translated
    def stamp_marker(self, name: str, info: dict[str, Any]) -> None:
        self._client.get_collection(name, embedding_function=None).modify(metadata=info)

    @_translated
    def marker(self, name: str) -> dict[str, Any]:
        """The metadata of the marker collection ``name``, or {} when there is none."""
        try:
            return dict(self._client.get_collection(name, embedding_function=None).metadata or {})
        except Exception:
            if not self.has_collection(name):
                return {}
            raise

    @_translated
    def vectors(self, name: str, ids: list[str]) -> np.ndarray:
        """The stored vectors of ``ids`` (those still present, each once), one row each, in
        the order of ``ids`` (Chroma returns them in its own order)."""
        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        unique = list(dict.fromkeys(ids))  # Chroma refuses repeated ids
        got = self.collection(name, create=False).get(ids=unique, include=["embeddings"])
        rows = got["embeddings"]
        if rows is None or len(rows) == 0:
            return np.zeros((0, 0), dtype=np.float32)
        at = {cid: n for n, cid in enumerate(got["ids"])}
        order = [at[c] for c in unique if c in at]
        return np.asarray(rows, dtype=np.float32)[order]

    @_translated
    def count(self, name: str) -> int:
        if not self.has_collection(name):
            return 0
        return self.collection(name, create=False).count()

    @_translated
    def query(
        self, name: str, vector: np.ndarray, k: int, where: dict[str, Any] | None = None,
        records: bool = True,
    ) -> list[tuple[str, float, str, dict[str, Any]]]:  # fmt: skip
        """``(id, cosine similarity, document, metadata)`` of the ``k`` nearest chunks; with
        ``records`` False, ids and similarities alone (document "" and metadata {}: the
        server reads no records and sends less).

        A sync killed after deleting chunks can leave their vectors in the persisted HNSW
        segment while the records are gone; Chroma returns such ids with no document and no
        metadata. With ``records`` they are skipped and more neighbours are asked for in their
        place; without, the caller skips ids it has no record of."""
        from chromadb.errors import NotFoundError

        try:
            return self._query(self._handle(name), vector, k, where, records)
        except NotFoundError:  # the collection was dropped and made again: a new handle
            self._handles.pop(name, None)
            return self._query(self._handle(name), vector, k, where, records)

    def _query(
        self, col: Collection, vector: np.ndarray, k: int, where: dict[str, Any] | None,
        records: bool,
    ) -> list[tuple[str, float, str, dict[str, Any]]]:  # fmt: skip
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if not records:
            got = col.query(query_embeddings=query, n_results=k, where=where or None,
                            include=["distances"])  # fmt: skip
            dist = got["distances"]
            if dist is None:
                return []
            return [(i, 1.0 - float(d), "", {}) for i, d in zip(got["ids"][0], dist[0],
                                                                strict=True)]  # fmt: skip
        n = k
        for _ in range(4):
            got = col.query(
                query_embeddings=query,
                n_results=n,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
            distances, docs, metas = got["distances"], got["documents"], got["metadatas"]
            if distances is None or docs is None or metas is None:  # not asked-for parts only
                return []
            rows = zip(got["ids"][0], distances[0], docs[0], metas[0], strict=True)
            found = [
                (i, 1.0 - float(d), doc, dict(meta))
                for i, d, doc, meta in rows
                if doc is not None and meta is not None
            ]
            phantoms = len(got["ids"][0]) - len(found)
            if not phantoms or len(found) >= k or len(got["ids"][0]) < n:
                return found[:k]
            n += 2 * phantoms
        return found[:k]
