"""The ``Assistant`` facade: the one object the CLI, the UI and Python users go through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.ingest import (
    Indexer,
    IndexPaths,
    Progress,
    collection_name,
    describe_change,
    file_digest,
    read_document_bytes,
    scan,
)
from assistant.manifest import IndexPointer, Manifest
from assistant.settings import Settings
from assistant.types import IndexStatus, SyncReport


class Assistant:
    """Question answering over one index of policy documents.

    >>> a = Assistant.open("indexes/default")          # doctest: +SKIP
    >>> report = a.index(["corpus"])                    # doctest: +SKIP
    >>> a.status().documents                            # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.paths = IndexPaths(Path(self.settings.index_dir))
        self._embeddings: Any = None

    @classmethod
    def open(
        cls, index_dir: str | Path | None = None, settings: Settings | None = None
    ) -> Assistant:
        """An assistant on ``index_dir`` (default: ``settings.index_dir``)."""
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        return cls(settings)

    @property
    def embeddings(self):
        """The embedding model (a LangChain ``Embeddings``), loaded on first use."""
        if self._embeddings is None:
            from assistant.embeddings import load_embeddings

            self._embeddings = load_embeddings(self.settings.embedding)
        return self._embeddings

    def index(
        self, paths: list[str | Path] | None = None, progress: Progress | None = None
    ) -> SyncReport:
        """Sync the index with the documents under ``paths`` (default: ``settings.corpus_dirs``)."""
        roots = [Path(p) for p in (paths or self.settings.corpus_dirs)]
        if not roots:
            raise AssistantError("no corpus folder given; name one, e.g. 'index corpus/'")
        return Indexer(self.settings, lambda: self.embeddings).sync(roots, progress)

    def status(self) -> IndexStatus:
        """Documents, chunks, model, last sync, and the corpus files changed since."""
        st = IndexStatus(index_dir=str(self.paths.root), exists=self.paths.pointer.is_file())
        if not st.exists:
            return st
        pointer = IndexPointer.load(self.paths.pointer)
        manifest = Manifest.load(
            self.paths.manifest(pointer.collection), pointer.collection, pointer.signature
        )
        st.documents = len(manifest.docs)
        st.chunks = sum(len(e.chunk_ids) for e in manifest.docs.values())
        st.model = str(pointer.signature.get("embedding_model", ""))
        st.collection = pointer.collection
        st.corpus_roots = pointer.corpus_roots
        st.last_sync = pointer.last_sync
        st.last_report = pointer.last_report
        if pointer.collection != collection_name(self.settings):
            st.settings_changed = describe_change(
                pointer.signature, self.settings.index_signature()
            )
        roots = [Path(r) for r in pointer.corpus_roots if Path(r).is_dir()]
        if roots:
            files, _ = scan(roots, self.settings)
            max_bytes = int(self.settings.ingest.max_file_mb * 1024 * 1024)
            for source, cf in sorted(files.items()):
                entry = manifest.docs.get(source)
                if entry is None:
                    st.changed_since.append((source, "new"))
                    continue
                try:
                    stat = cf.path.stat()
                    if stat.st_size == entry.size and stat.st_mtime == entry.mtime:
                        continue
                    data, side, _ = read_document_bytes(cf, max_bytes)
                except (AssistantError, OSError):
                    st.changed_since.append((source, "unreadable"))
                    continue
                if file_digest(data, side) != entry.hash:
                    st.changed_since.append((source, "changed"))
            st.changed_since.extend((s, "removed") for s in sorted(set(manifest.docs) - set(files)))
        return st
