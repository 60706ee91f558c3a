"""What ``status`` reports about an index: documents, chunks, model, last sync, whether the
settings changed since it was built, and the corpus files changed since (by content hash)."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.types import IndexStatus
from assistant.index.layout import IndexPaths, collection_name, describe_change
from assistant.index.manifest import Manifest
from assistant.index.pointer import IndexPointer
from assistant.ingest.corpus import file_digest, read_document_bytes, scan


def index_status(settings: Settings) -> IndexStatus:
    """The status of the index in ``settings.index_dir`` (cheap: no Chroma, no model)."""
    paths = IndexPaths(Path(settings.index_dir))
    st = IndexStatus(index_dir=str(paths.root), exists=paths.pointer.is_file())
    if not st.exists:
        return st
    pointer = IndexPointer.load(paths.pointer)
    manifest = Manifest.load(paths.manifest(pointer.collection), pointer.collection, {})
    st.documents = len(manifest.docs)
    st.chunks = manifest.chunk_count()
    st.model = str(pointer.signature.get("embedding_model", ""))
    st.collection = pointer.collection
    st.corpus_roots = pointer.corpus_roots
    st.last_sync = pointer.last_sync
    st.last_report = pointer.last_report
    if pointer.collection != collection_name(settings):
        st.settings_changed = describe_change(pointer.signature, settings.index_signature())
    roots = [Path(r) for r in pointer.corpus_roots if Path(r).is_dir()]
    if roots:
        st.changed_since = changed_files(settings, roots, manifest)
    return st


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
