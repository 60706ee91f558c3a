"""Incremental sync of corpus folders into the index (Chroma + BM25 + manifest).

Order of writes for each group of documents: new chunks are upserted, the manifest is saved,
then chunks that no longer exist are deleted. A sync killed at any point therefore leaves an
index that answers queries, and the next sync repairs it: chunks that no manifest entry owns
are deleted and documents whose chunks are missing are indexed again (vectors come from the
embedding cache, so the repair costs little).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cache import EmbeddingCache, text_key
from assistant.chunking import chunk_text, embed_text
from assistant.errors import ConfigError, DocumentError
from assistant.lexical import LexicalIndex, clean_stale
from assistant.loaders import load_bytes
from assistant.manifest import DocEntry, IndexLock, IndexPointer, Manifest
from assistant.metadata import SIDECAR_SUFFIX, merge, parse_metadata, read_sidecar, sidecar_path
from assistant.settings import Settings
from assistant.store import ChromaStore, clean_metadata, open_store
from assistant.types import Chunk, FileProblem, SyncReport

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _EmbedCount:
    """Chunks queued for embedding so far in this sync (the progress bar's total)."""

    queued: int = 0


class _Embedder:
    """The embedding model, loaded on first need, or ahead in a thread while the sync opens the
    store and reads files (it takes ~0.5 s; when a sync will embed, that wait is hidden)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._value: Any = None
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

    def get(self) -> Any:
        if self._thread is not None:
            self._thread.join()
        elif self._value is None:
            self._load()
        if self._error is not None:
            raise self._error
        return self._value

    def finish(self) -> None:
        if self._thread is not None:
            self._thread.join()


class LexicalDelta:
    """What a sync changed in the collection, so the BM25 index is updated, not rebuilt: the
    chunk ids present when the sync began, the ids it removed, and the chunks it wrote."""

    def __init__(self, base_ids: set[str]) -> None:
        self.base_ids = set(base_ids)
        self.removed: set[str] = set()
        self.added: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def remove(self, ids: list[str] | set[str]) -> None:
        for cid in ids:
            self.removed.add(cid)
            self.added.pop(cid, None)

    def add(self, ids: list[str], documents: list[str], metas: list[dict[str, Any]]) -> None:
        for cid, doc, meta in zip(ids, documents, metas, strict=True):
            clean = clean_metadata(meta)  # as Chroma stores it, so a rebuild gives the same
            self.added[cid] = (lexical_text(doc, clean), doc, clean)
            self.removed.discard(cid)


def lexical_text(doc: str, meta: dict[str, Any]) -> str:
    """What BM25 indexes for a chunk: its title and section path, then its text."""
    head = " > ".join(p for p in (meta.get("title", ""), meta.get("section", "")) if p)
    return f"{head}\n{doc}" if head else doc


@dataclass
class CorpusFile:
    source: str
    path: Path


@dataclass
class Prepared:
    source: str
    entry: DocEntry
    chunks: list[Chunk]
    texts: list[str]
    metadatas: list[dict[str, Any]]


class IndexPaths:
    """Where each part of an index lives inside its folder."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.chroma = index_dir / "chroma"
        self.pointer = index_dir / "index.json"
        self.manifests = index_dir / "manifests"
        self.lexical_root = index_dir / "lexical"
        self.cache = index_dir / "embed_cache.sqlite"

    def manifest(self, collection: str) -> Path:
        return self.manifests / f"{collection}.json"

    def lexical(self, collection: str) -> Path:
        return self.lexical_root / collection


def collection_name(settings: Settings) -> str:
    return f"chunks-{settings.signature_key()}"


def describe_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    parts = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            parts.append(f"{key}: {old.get(key)!r} -> {new.get(key)!r}")
    return "; ".join(parts) or "index format changed"


def scan(roots: list[Path], settings: Settings) -> tuple[dict[str, CorpusFile], list[FileProblem]]:
    """Every document file under ``roots`` by source path, and the files skipped with a reason."""
    files: dict[str, CorpusFile] = {}
    skipped: list[FileProblem] = []
    exts = {e.lower() for e in settings.ingest.extensions}
    for root in roots:
        if not root.is_dir():
            raise ConfigError(
                f"corpus folder {str(root)!r} does not exist or is not a folder; "
                "name an existing folder of documents"
            )
        prefix = f"{root.resolve().name}/" if len(roots) > 1 else ""
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                source = prefix + path.relative_to(root).as_posix()
                if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                    continue
                if path.suffix.lower() not in exts:
                    skipped.append(FileProblem(source, f"unsupported file type {path.suffix!r}"))
                    continue
                files[source] = CorpusFile(source, path)
    return files, skipped


def _likely_to_embed(files: dict[str, CorpusFile], manifest: Manifest) -> bool:
    """A new file, or one whose size or modification time differs from the manifest's."""
    for source, cf in files.items():
        entry = manifest.docs.get(source)
        if entry is None:
            return True
        try:
            st = cf.path.stat()
        except OSError:
            continue
        if st.st_size != entry.size or st.st_mtime != entry.mtime:
            return True
    return False


def file_digest(data: bytes, side: bytes) -> str:
    h = hashlib.sha256(data)
    h.update(b"\x00sidecar\x00")
    h.update(side)
    return h.hexdigest()


def read_document_bytes(cf: CorpusFile, max_bytes: int) -> tuple[bytes, bytes, os.stat_result]:
    try:
        st = cf.path.stat()
    except FileNotFoundError as exc:
        raise DocumentError(cf.source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(cf.source, f"cannot read file ({exc.strerror or exc})") from exc
    if st.st_size > max_bytes:
        raise DocumentError(
            cf.source,
            f"file is {st.st_size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB "
            "(setting ingest.max_file_mb)",
        )
    try:
        data = cf.path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(cf.source, "file disappeared while the sync was running") from exc
    except OSError as exc:
        raise DocumentError(cf.source, f"cannot read file ({exc.strerror or exc})") from exc
    side = sidecar_path(cf.path)
    side_bytes = side.read_bytes() if side.is_file() else b""
    return data, side_bytes, st


def chunk_metadata(chunk: Chunk, meta: dict[str, str], doc_hash: str, fmt: str) -> dict[str, Any]:
    year = meta.get("date", "")[:4]
    return {
        "source": chunk.source,
        "title": meta.get("title", ""),
        "issuer": meta.get("issuer", ""),
        "doc_number": meta.get("doc_number", ""),
        "date": meta.get("date", ""),
        "year": int(year) if year.isdigit() else None,
        "doc_type": meta.get("doc_type", ""),
        "url": meta.get("url", ""),
        "section": chunk.section_path,
        "page": chunk.page,
        "page_end": chunk.page_end,
        "start": chunk.start,
        "end": chunk.end,
        "ordinal": chunk.ordinal,
        "doc_hash": doc_hash,
        "format": fmt,
    }


class Indexer:
    """Runs syncs for one index folder with one set of settings."""

    def __init__(self, settings: Settings, embeddings_factory: Callable[[], Any]) -> None:
        self.settings = settings
        self.paths = IndexPaths(Path(settings.index_dir))
        self._embeddings_factory = embeddings_factory
        self._embedder = _Embedder(embeddings_factory)
        self._delta = LexicalDelta(set())

    # -- preparing documents ------------------------------------------------------------------
    def _prepare(self, cf: CorpusFile, data: bytes, digest: str, st: os.stat_result) -> Prepared:
        loaded = load_bytes(data, cf.path.suffix, cf.source)
        parsed = parse_metadata(loaded.text, loaded.title_hint)
        meta = merge(parsed, read_sidecar(cf.path, cf.source))
        if not meta.title:
            meta.title = cf.path.stem
        c = self.settings.chunking
        chunks = chunk_text(
            loaded.text,
            cf.source,
            target_chars=c.target_chars,
            max_chars=c.max_chars,
            overlap_sentences=c.overlap_sentences,
            page_at=loaded.page_at if loaded.pages else None,
        )
        if not chunks:
            raise DocumentError(cf.source, "no text found in the file")
        meta_d = meta.as_dict()
        entry = DocEntry(
            hash=digest,
            chunk_ids=[ch.chunk_id for ch in chunks],
            meta=meta_d,
            size=st.st_size,
            mtime=st.st_mtime,
            format=loaded.format,
            indexed_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        return Prepared(
            cf.source,
            entry,
            chunks,
            [embed_text(meta.title, ch) for ch in chunks],
            [chunk_metadata(ch, meta_d, digest, loaded.format) for ch in chunks],
        )

    def texts_to_embed(self, roots: list[Path]) -> dict[str, list[str]]:
        """The texts a full sync of ``roots`` would embed, by source (unreadable files left out).

        Benchmarks encode exactly these to measure the model's own throughput.
        """
        files, _ = scan([Path(r) for r in roots], self.settings)
        max_bytes = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        out: dict[str, list[str]] = {}
        for source, cf in sorted(files.items()):
            try:
                data, side, st = read_document_bytes(cf, max_bytes)
                out[source] = self._prepare(cf, data, file_digest(data, side), st).texts
            except DocumentError:
                continue
        return out

    # -- embedding ----------------------------------------------------------------------------
    def _vectors(
        self, texts: list[str], cache: EmbeddingCache, report: SyncReport, progress: Progress,
        embedder: _Embedder, count: _EmbedCount,
    ) -> np.ndarray:  # fmt: skip
        model = self.settings.embedding.model
        keys = [text_key(t) for t in texts]
        found = cache.get_many(model, keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        report.chunks_from_cache += len(texts) - len(missing)
        if missing:
            emb = embedder.get()
            step = max(emb.batch_size * 4, 64) if hasattr(emb, "batch_size") else 128
            order = sorted(missing, key=lambda i: len(texts[i]))
            for j in range(0, len(order), step):
                part = order[j : j + step]
                vecs = emb.encode_passages([texts[i] for i in part])
                new = {keys[i]: vecs[n] for n, i in enumerate(part)}
                cache.put_many(model, new)
                found.update(new)
                report.chunks_embedded += len(part)
                progress("embed", report.chunks_embedded, count.queued)
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)

    # -- the sync -----------------------------------------------------------------------------
    def sync(self, roots: list[Path], progress: Progress | None = None) -> SyncReport:
        progress = progress or _noop
        t0 = time.perf_counter()
        report = SyncReport()
        self.paths.root.mkdir(parents=True, exist_ok=True)
        self._embedder = _Embedder(self._embeddings_factory)
        try:
            with IndexLock(self.paths.root):
                self._sync_locked([Path(r) for r in roots], report, progress)
        finally:
            self._embedder.finish()
        report.seconds = round(time.perf_counter() - t0, 3)
        pointer = IndexPointer.load(self.paths.pointer)
        pointer.last_report = _summary(report)
        pointer.save(self.paths.pointer)
        return report

    def _sync_locked(self, roots: list[Path], report: SyncReport, progress: Progress) -> None:
        files, report.skipped = scan(roots, self.settings)
        pointer = IndexPointer.load(self.paths.pointer)
        signature = self.settings.index_signature()
        target = collection_name(self.settings)
        old_collection = pointer.collection if pointer.collection != target else ""
        if old_collection:
            report.rebuilt = True
            report.rebuild_reason = describe_change(pointer.signature, signature)
        manifest = Manifest.load(self.paths.manifest(target), target, signature)
        if _likely_to_embed(files, manifest):
            self._embedder.start()  # loads while the store opens and files are read
        store = open_store(self.settings, self.paths.chroma)
        clean_stale(self.paths.lexical_root)

        # 1. Repair what an interrupted sync left: chunks nobody owns, documents missing chunks.
        present = store.ids(target)
        self._delta = LexicalDelta(present)
        orphans = present - manifest.all_chunk_ids()
        store.delete(target, sorted(orphans))
        self._delta.remove(orphans)
        report.repaired = len(orphans)
        report.chunks_deleted += len(orphans)
        present -= orphans
        incomplete = {s for s, e in manifest.docs.items() if not set(e.chunk_ids) <= present}

        # 2. What changed.
        max_bytes = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        todo: list[tuple[CorpusFile, bytes, str, os.stat_result]] = []
        seen: set[str] = set()
        for n, (source, cf) in enumerate(sorted(files.items()), start=1):
            progress("scan", n, len(files))
            try:
                data, side, st = read_document_bytes(cf, max_bytes)
            except DocumentError as exc:
                report.failed.append(FileProblem(exc.source, exc.reason))
                seen.add(source)  # keep its previous version, if any
                continue
            seen.add(source)
            digest = file_digest(data, side)
            entry = manifest.docs.get(source)
            if entry is not None and entry.hash == digest and source not in incomplete:
                report.unchanged.append(source)
                continue
            todo.append((cf, data, digest, st))
        gone = sorted(set(manifest.docs) - seen)

        # 3. Index new and changed documents, group by group.
        cache = EmbeddingCache(self.paths.cache)
        embedder = self._embedder
        prepared: list[Prepared] = []
        count = _EmbedCount()
        try:
            for n, (cf, data, digest, st) in enumerate(todo, start=1):
                progress("read", n, len(todo))
                try:
                    prepared.append(self._prepare(cf, data, digest, st))
                except DocumentError as exc:
                    report.failed.append(FileProblem(exc.source, exc.reason))
                    continue
                if sum(len(p.chunks) for p in prepared) >= self.settings.ingest.write_batch_chunks:
                    self._write_group(
                        prepared, manifest, store, cache, report, progress, embedder, count
                    )
                    prepared = []
            if prepared:
                self._write_group(
                    prepared, manifest, store, cache, report, progress, embedder, count
                )
        finally:
            cache.close()

        # 4. Documents that are gone; a renamed file is a removal plus an addition that costs
        # no embedding (its vectors are in the cache).
        added_by_hash = {manifest.docs[s].hash: s for s in report.added}
        for source in gone:
            entry = manifest.docs.pop(source)
            manifest.save(self.paths.manifest(target))
            store.delete(target, entry.chunk_ids)
            self._delta.remove(entry.chunk_ids)
            report.chunks_deleted += len(entry.chunk_ids)
            if entry.hash in added_by_hash:
                new = added_by_hash.pop(entry.hash)
                report.added.remove(new)
                report.renamed.append((source, new))
            else:
                report.removed.append(source)
        manifest.save(self.paths.manifest(target))

        # 5. Switch to a rebuilt collection only once it is complete, then drop the old one.
        pointer.collection = target
        pointer.signature = signature
        pointer.corpus_roots = [str(r.resolve()) for r in roots]
        pointer.last_sync = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        pointer.save(self.paths.pointer)
        if old_collection:
            store.drop(old_collection)
            self.paths.manifest(old_collection).unlink(missing_ok=True)
            shutil.rmtree(self.paths.lexical(old_collection), ignore_errors=True)
        report.chunks_total = sum(len(e.chunk_ids) for e in manifest.docs.values())
        changed = report.chunks_written or report.chunks_deleted or report.rebuilt
        if changed or not store.info(target).get("sync_token"):
            # Other instances on the same Chroma server notice the new token and refresh.
            store.stamp(target, {"sync_token": uuid.uuid4().hex,
                                 "embedding_model": self.settings.embedding.model})  # fmt: skip
        ensure_lexical(self.settings, store, self.paths, target, progress, self._delta)

    def _write_group(
        self, prepared: list[Prepared], manifest: Manifest, store: ChromaStore,
        cache: EmbeddingCache, report: SyncReport, progress: Progress, embedder: _Embedder,
        count: _EmbedCount,
    ) -> None:  # fmt: skip
        target = manifest.collection
        texts = [t for p in prepared for t in p.texts]
        count.queued += len(texts)
        vectors = self._vectors(texts, cache, report, progress, embedder, count)
        ids = [c.chunk_id for p in prepared for c in p.chunks]
        documents = [c.text for p in prepared for c in p.chunks]
        metadatas = [m for p in prepared for m in p.metadatas]
        progress("write", 0, len(ids))
        store.upsert(target, ids, vectors, documents, metadatas)
        self._delta.add(ids, documents, metadatas)
        report.chunks_written += len(ids)
        progress("write", len(ids), len(ids))
        stale: list[str] = []
        for p in prepared:
            old = manifest.docs.get(p.source)
            if old is None:
                report.added.append(p.source)
            else:
                report.updated.append(p.source)
                keep = set(p.entry.chunk_ids)
                stale.extend(c for c in old.chunk_ids if c not in keep)
            manifest.docs[p.source] = p.entry
        manifest.save(self.paths.manifest(target))
        store.delete(target, stale)
        self._delta.remove(stale)
        report.chunks_deleted += len(stale)


def ensure_lexical(
    settings: Settings, store: ChromaStore, paths: IndexPaths, collection: str,
    progress: Progress | None = None, delta: LexicalDelta | None = None,
) -> LexicalIndex:  # fmt: skip
    """The BM25 index of ``collection``, brought up to date when its fingerprint no longer
    matches Chroma's chunk ids: updated from ``delta`` (what a sync just wrote and removed)
    when the saved index was current when the sync began, otherwise rebuilt from Chroma."""
    from assistant.lexical import fingerprint

    lex = settings.lexical
    folder = paths.lexical(collection)
    ids_now = store.ids(collection)
    want = fingerprint(ids_now, lex.analyzer, lex.k1, lex.b)
    current = LexicalIndex.load(folder)
    if current is not None and current.fingerprint == want:
        return current
    if delta is not None:
        base = None
        if not delta.base_ids:
            base = LexicalIndex.build([], [], lex.analyzer, lex.k1, lex.b)
        elif (
            current is not None
            and current.tokens is not None
            and current.analyzer == lex.analyzer
            and current.fingerprint == fingerprint(delta.base_ids, lex.analyzer, lex.k1, lex.b)
        ):
            base = current
        if base is not None:
            if progress:
                progress("lexical", 0, len(delta.added))
            index = base.updated(delta.removed, delta.added, lex.k1, lex.b)
            if index.fingerprint == want:  # it holds exactly the chunks Chroma holds
                index.save(folder)
                if progress:
                    progress("lexical", len(delta.added), len(delta.added))
                return index
    ids: list[str] = []
    texts: list[str] = []
    docs: list[str] = []
    metas: list[dict[str, Any]] = []
    for cid, doc, meta in store.iter_records(collection):
        ids.append(cid)
        texts.append(lexical_text(doc, meta))
        docs.append(doc)
        metas.append(meta)
    if progress:
        progress("lexical", 0, len(ids))
    index = LexicalIndex.build(ids, texts, lex.analyzer, lex.k1, lex.b, docs=docs, metas=metas)
    index.save(folder)
    if progress:
        progress("lexical", len(ids), len(ids))
    return index


def _summary(report: SyncReport) -> dict[str, Any]:
    return {
        "added": len(report.added),
        "updated": len(report.updated),
        "removed": len(report.removed),
        "renamed": len(report.renamed),
        "unchanged": len(report.unchanged),
        "failed": [[f.source, f.reason] for f in report.failed],
        "skipped": len(report.skipped),
        "chunks_embedded": report.chunks_embedded,
        "chunks_from_cache": report.chunks_from_cache,
        "rebuilt": report.rebuilt,
        "seconds": report.seconds,
    }
