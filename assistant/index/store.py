"""Chroma adapter: the source of truth for chunk texts, metadata and vectors.

Embeddings are always passed in (Chroma's own default model would be downloaded), the space is
cosine, and telemetry is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from assistant.core.errors import IndexAccessError
from assistant.index.records import clean_metadata

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from assistant.core.settings import Settings

_BATCH = 2000


def open_store(settings: Settings, path: Path) -> ChromaStore:
    """The store named by the settings (``chroma.url``), else the embedded one at ``path``."""
    return ChromaStore(path, settings.chroma.url, settings.chroma.token.get_secret_value())


class ChromaStore:
    """One Chroma database holding one collection per index signature: embedded in ``path``,
    or on the Chroma server at ``url`` (then ``path`` is unused)."""

    def __init__(self, path: Path, url: str = "", token: str = "") -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self.path = path
        self.url = url
        if url:
            parsed = urlparse(url)
            headers = {"Authorization": f"Bearer {token}"} if token else None
            try:
                self._client = chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    headers=headers,
                    settings=settings,
                )
                self._client.heartbeat()
            except Exception as exc:
                raise IndexAccessError(
                    f"cannot reach the Chroma server at {url} ({type(exc).__name__}: {exc}); "
                    "start it with 'chroma run --path DIR --port PORT' or fix ASSISTANT_CHROMA__URL"
                ) from exc
            return
        path.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(path=str(path), settings=settings)
        except Exception as exc:
            raise IndexAccessError(
                f"cannot open the Chroma database in {path} ({exc}); "
                "delete that folder and run 'policy-assistant index' to rebuild it"
            ) from exc

    def info(self, name: str) -> dict[str, Any]:
        """The collection's own metadata (sync token, model), or {} when it does not exist."""
        if not self.has_collection(name):
            return {}
        return dict(self.collection(name, create=False).metadata or {})

    def stamp(self, name: str, info: dict[str, Any]) -> None:
        """Record ``info`` (a new sync token, the model) on the collection for other instances."""
        self.collection(name).modify(metadata={k: v for k, v in info.items() if v != ""})

    def collection(self, name: str, create: bool = True) -> Collection:
        if create:
            return self._client.get_or_create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        return self._client.get_collection(name, embedding_function=None)

    def has_collection(self, name: str) -> bool:
        return name in {c.name for c in self._client.list_collections()}

    def drop(self, name: str) -> None:
        if self.has_collection(name):
            self._client.delete_collection(name)

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

    def delete(self, name: str, ids: list[str]) -> None:
        if not ids:
            return
        col = self.collection(name)
        for i in range(0, len(ids), _BATCH):
            col.delete(ids=ids[i : i + _BATCH])

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

    def iter_records(self, name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """``(id, document, metadata)`` of every chunk, in pages."""
        col = self.collection(name, create=False)
        offset = 0
        while True:
            got = col.get(include=["documents", "metadatas"], limit=_BATCH, offset=offset)
            docs, metas = got["documents"] or [], got["metadatas"] or []
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True):
                yield cid, doc, dict(meta)
            if len(got["ids"]) < _BATCH:
                return
            offset += len(got["ids"])

    def count(self, name: str) -> int:
        if not self.has_collection(name):
            return 0
        return self.collection(name, create=False).count()

    def query(
        self, name: str, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """``(id, cosine similarity, document, metadata)`` of the ``k`` nearest chunks.

        A sync killed after deleting chunks can leave their vectors in the persisted HNSW
        segment while the records are gone; Chroma returns such ids with no document and no
        metadata. They are skipped and more neighbours are asked for in their place."""
        col = self.collection(name, create=False)
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
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
