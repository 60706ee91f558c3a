"""What ``status`` reports about an index: documents, chunks, model, last sync, whether the
settings changed since it was built, and the corpus files changed since (by content hash)."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.types import IndexStatus
from assistant.index.layout import IndexPaths, collection_name, describe_change
from assistant.index.manifest import ChromaManifest, Manifest, SqliteManifest, manifest_backend
from assistant.index.pointer import IndexPointer
from assistant.index.store import open_store
from assistant.ingest.corpus import file_digest, read_document_bytes, scan


def index_status(settings: Settings) -> IndexStatus:
    """The status of the index in ``settings.index_dir`` (no model): what the last sync left,
    the files changed since, and ``problems`` — a damaged or missing part, named with the fix."""
    paths = IndexPaths(Path(settings.index_dir))
    st = IndexStatus(index_dir=str(paths.root), exists=paths.pointer.is_file())
    if not st.exists:
        return st
    pointer, damaged = IndexPointer.load_or_new(paths.pointer)
    if damaged:
        st.problems.append(f"{damaged}; run 'policy-assistant index CORPUS_DIR' to write it again")
        return st
    server = bool(settings.chroma.url)
    backend: SqliteManifest | ChromaManifest
    try:
        store = open_store(settings, paths.chroma) if server else None
        backend = manifest_backend(store, server, paths.manifest(pointer.collection),
                                   pointer.collection)  # fmt: skip
    except AssistantError as exc:
        st.problems.append(str(exc))
        return st
    manifest, damaged = Manifest.open_or_new(backend, pointer.collection, {})
    if damaged or (pointer.collection and not backend.exists()):
        where = backend.path if isinstance(backend, SqliteManifest) else backend.name
        why = damaged or f"the manifest {where} is missing"
        st.problems.append(
            f"{why}: the documents below are not known; run 'policy-assistant index "
            "CORPUS_DIR' to write it again (vectors come from the embedding cache)"
        )
    st.documents = len(manifest.docs)
    st.chunks = manifest.chunk_count()
    st.model = str(pointer.signature.get("embedding_model", ""))
    st.collection = pointer.collection
    st.corpus_roots = pointer.corpus_roots
    st.last_sync = pointer.last_sync
    st.last_report = pointer.last_report
    if pointer.collection != collection_name(settings):
        st.settings_changed = describe_change(pointer.signature, settings.index_signature())
    st.problems += _store_problems(settings, paths, pointer.collection, st.chunks)
    roots = [Path(r) for r in pointer.corpus_roots if Path(r).is_dir()]
    if roots:
        st.changed_since = changed_files(settings, roots, manifest)
    return st


def _store_problems(
    settings: Settings, paths: IndexPaths, collection: str, chunks: int
) -> list[str]:
    """Whether Chroma holds the chunks the manifest lists (a deleted or emptied database)."""
    if not collection or not chunks:
        return []
    fix = ("run 'policy-assistant index CORPUS_DIR' to rebuild it (unchanged chunks' vectors "
           "come from the embedding cache)")  # fmt: skip
    if not settings.chroma.url and not (paths.chroma / "chroma.sqlite3").is_file():
        return [f"the Chroma database in {paths.chroma} is missing; {fix}"]
    try:
        held = open_store(settings, paths.chroma).count(collection)
    except AssistantError as exc:
        return [str(exc)]
    if held != chunks:
        where = settings.chroma.url or str(paths.chroma)
        return [f"the Chroma database in {where} holds {held} chunks of collection {collection}, "
                f"the manifest {chunks}; {fix}"]  # fmt: skip
    return []


def changed_files(
    settings: Settings, roots: list[Path], manifest: Manifest
) -> list[tuple[str, str]]:
    """``(source, what)`` for files that are new, changed, unreadable or removed since the sync
    (size and time first; the content hash decides when they differ)."""
    out: list[tuple[str, str]] = []
    files, _ = scan(roots, settings)
    for source, cf in sorted(files.items()):
        entry = manifest.docs.get(source)
        if entry is None:
            out.append((source, "new"))
            continue
        try:
            stat = cf.path.stat()
            if stat.st_size == entry.size and stat.st_mtime == entry.mtime:
                continue
            data, side, _ = read_document_bytes(cf, settings.ingest.max_file_bytes)
        except (AssistantError, OSError):
            out.append((source, "unreadable"))
            continue
        if file_digest(data, side) != entry.hash:
            out.append((source, "changed"))
    out.extend((s, "removed") for s in sorted(set(manifest.docs) - set(files)))
    return out
