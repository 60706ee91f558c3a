"""Incremental sync of corpus folders into the index (Chroma + BM25 + manifest).

Order of writes for each group of documents: new chunks are upserted, the manifest is saved,
then chunks that no longer exist are deleted. A sync killed at any point therefore leaves an
index that answers queries, and the next sync repairs it: chunks that no manifest entry owns
are deleted and documents whose chunks are missing are indexed again (vectors come from the
embedding cache, so the repair costs little).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.core.errors import DocumentError
from assistant.core.settings import Settings
from assistant.core.types import FileProblem, SyncReport
from assistant.index.cache import EmbeddingCache, text_key
from assistant.index.layout import IndexPaths, collection_name, describe_change
from assistant.index.lexical import clean_stale
from assistant.index.lexical_delta import LexicalDelta
from assistant.index.lexical_sync import ensure_lexical
from assistant.index.lock import IndexLock
from assistant.index.manifest import Manifest
from assistant.index.pointer import IndexPointer
from assistant.index.store import ChromaStore, disk_full_error, is_disk_full, open_store
from assistant.ingest.corpus import (
    CorpusFile,
    file_digest,
    likely_to_embed,
    read_document_bytes,
    scan,
)
from assistant.ingest.loaders.ocr import page_progress
from assistant.ingest.preload import Preloader
from assistant.ingest.prepare import Prepared, prepare_document

if TYPE_CHECKING:
    from assistant.embed.base import PolicyEmbeddings

Progress = Callable[[str, int, int], None]
EmbeddingsFactory = Callable[[], "PolicyEmbeddings"]


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _Run:
    """The state of one sync: what it reports, writes to, and has queued for embedding."""

    report: SyncReport
    progress: Progress
    manifest: Manifest
    store: ChromaStore
    delta: LexicalDelta = field(default_factory=lambda: LexicalDelta(set()))
    queued: int = 0  # chunks queued for embedding so far (the progress bar's total)


@dataclass
class _Todo:
    """A new or changed document, read but not yet prepared."""

    cf: CorpusFile
    data: bytes
    digest: str
    st: os.stat_result


class Indexer:
    """Runs syncs for one index folder with one set of settings."""

    def __init__(self, settings: Settings, embeddings_factory: EmbeddingsFactory) -> None:
        self.settings = settings
        self.paths = IndexPaths(Path(settings.index_dir))
        self._factory = embeddings_factory
        self._model: Preloader[PolicyEmbeddings] = Preloader(embeddings_factory)

    def texts_to_embed(self, roots: list[Path]) -> dict[str, list[str]]:
        """The texts a full sync of ``roots`` would embed, by source (unreadable files left out).

        Benchmarks encode exactly these to measure the model's own throughput.
        """
        files, _ = scan([Path(r) for r in roots], self.settings)
        max_bytes = self.settings.ingest.max_file_bytes
        out: dict[str, list[str]] = {}
        for source, cf in sorted(files.items()):
            try:
                data, side, st = read_document_bytes(cf, max_bytes)
                digest = file_digest(data, side)
                out[source] = prepare_document(
                    cf, data, digest, st, self.settings.chunking, self.settings.ingest.read_limits
                ).texts
            except DocumentError:
                continue
        return out

    # -- the sync -----------------------------------------------------------------------------
    def sync(self, roots: list[Path], progress: Progress | None = None) -> SyncReport:
        """Bring the index in line with the documents under ``roots``; see the module doc."""
        t0 = time.perf_counter()
        report = SyncReport()
        self.paths.root.mkdir(parents=True, exist_ok=True)
        self._model = Preloader(self._factory)
        try:
            with IndexLock(self.paths.root):
                self._sync_locked([Path(r) for r in roots], report, progress or _noop)
        except (OSError, sqlite3.Error) as exc:
            if is_disk_full(exc):
                raise disk_full_error(self.paths.root, exc) from exc
            raise
        finally:
            self._model.finish()
        report.seconds = round(time.perf_counter() - t0, 3)
        pointer, _ = IndexPointer.load_or_new(self.paths.pointer)
        pointer.last_report = _summary(report)
        pointer.save(self.paths.pointer)
        return report

    def _sync_locked(self, roots: list[Path], report: SyncReport, progress: Progress) -> None:
        files, report.skipped = scan(roots, self.settings)
        pointer, damaged = IndexPointer.load_or_new(self.paths.pointer)
        if damaged:
            report.notes.append(f"{damaged}: written again")
        signature = self.settings.index_signature()
        target = collection_name(self.settings)
        old_collection = pointer.collection if pointer.collection != target else ""
        if old_collection:
            report.rebuilt = True
            report.rebuild_reason = describe_change(pointer.signature, signature)
        manifest, damaged = Manifest.load_or_new(self.paths.manifest(target), target, signature)
        if damaged:
            report.notes.append(f"{damaged}: every document is read again")
        if likely_to_embed(files, manifest):
            self._model.start()  # loads while the store opens and files are read
        store = open_store(self.settings, self.paths.chroma)
        clean_stale(self.paths.lexical_root)
        run = _Run(report, progress, manifest, store)
        incomplete = self._repair(run)
        todo, gone = self._changes(run, files, incomplete)
        self._index_changed(run, todo)
        self._remove_gone(run, gone)
        self._go_live(run, pointer, roots, old_collection)

    def _repair(self, run: _Run) -> set[str]:
        """Delete chunks no manifest entry owns (left by an interrupted sync); return the
        documents whose chunks are missing, so they are indexed again."""
        target = run.manifest.collection
        present = run.store.ids(target)
        run.delta = LexicalDelta(present)
        orphans = present - run.manifest.all_chunk_ids()
        run.store.delete(target, sorted(orphans))
        run.delta.remove(orphans)
        run.report.repaired = len(orphans)
        run.report.chunks_deleted += len(orphans)
        present -= orphans
        return {s for s, e in run.manifest.docs.items() if not set(e.chunk_ids) <= present}

    def _changes(
        self, run: _Run, files: dict[str, CorpusFile], incomplete: set[str]
    ) -> tuple[list[_Todo], list[str]]:
        """New and changed documents (read), and the sources that are gone. A file that cannot
        be read is reported and keeps its previous version, if any."""
        max_bytes = self.settings.ingest.max_file_bytes
        todo: list[_Todo] = []
        seen: set[str] = set()
        for n, (source, cf) in enumerate(sorted(files.items()), start=1):
            run.progress("scan", n, len(files))
            seen.add(source)
            try:
                data, side, st = read_document_bytes(cf, max_bytes)
            except DocumentError as exc:
                run.report.failed.append(FileProblem(exc.source, exc.reason))
                continue
            digest = file_digest(data, side)
            entry = run.manifest.docs.get(source)
            if entry is not None and entry.hash == digest and source not in incomplete:
                run.report.unchanged.append(source)
                continue
            todo.append(_Todo(cf, data, digest, st))
        return todo, sorted(set(run.manifest.docs) - seen)

    def _index_changed(self, run: _Run, todo: list[_Todo]) -> None:
        """Prepare the documents and write them group by group (``ingest.write_batch_chunks``)."""
        cache = EmbeddingCache(self.paths.cache)
        if cache.recovered:
            run.report.notes.append(cache.recovered)
        prepared: list[Prepared] = []
        failed = False
        token = page_progress.set(lambda done, total: run.progress("ocr", done, total))
        try:
            for n, item in enumerate(todo, start=1):
                run.progress("read", n, len(todo))
                try:
                    prepared.append(
                        prepare_document(
                            item.cf,
                            item.data,
                            item.digest,
                            item.st,
                            self.settings.chunking,
                            self.settings.ingest.read_limits,
                        )
                    )
                except DocumentError as exc:
                    run.report.failed.append(FileProblem(exc.source, exc.reason))
                    continue
                run.report.notes.extend(prepared[-1].warnings)
                if sum(len(p.chunks) for p in prepared) >= self.settings.ingest.write_batch_chunks:
                    self._write_group(run, prepared, cache)
                    prepared = []
            if prepared:
                self._write_group(run, prepared, cache)
        except BaseException:
            failed = True
            raise
        finally:
            page_progress.reset(token)
            cache.close(failed=failed)

    def _vectors(self, run: _Run, texts: list[str], cache: EmbeddingCache) -> np.ndarray:
        """Vectors of ``texts``: from the cache where it has them, else encoded and cached."""
        model = self.settings.embedding.model
        keys = [text_key(t) for t in texts]
        found = cache.get_many(model, keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        run.report.chunks_from_cache += len(texts) - len(missing)
        if missing:
            emb = self._model.get()
            step = max(emb.batch_size * 4, 64)
            order = sorted(missing, key=lambda i: len(texts[i]))
            for j in range(0, len(order), step):
                part = order[j : j + step]
                vecs = emb.encode_passages([texts[i] for i in part])
                new = {keys[i]: vecs[n] for n, i in enumerate(part)}
                cache.put_many(model, new)
                found.update(new)
                run.report.chunks_embedded += len(part)
                run.progress("embed", run.report.chunks_embedded, run.queued)
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)

    def _write_group(self, run: _Run, prepared: list[Prepared], cache: EmbeddingCache) -> None:
        """Upsert the group's chunks, save the manifest, then delete the chunks they replace."""
        target = run.manifest.collection
        texts = [t for p in prepared for t in p.texts]
        run.queued += len(texts)
        vectors = self._vectors(run, texts, cache)
        ids = [c.chunk_id for p in prepared for c in p.chunks]
        documents = [c.text for p in prepared for c in p.chunks]
        metadatas = [m for p in prepared for m in p.metadatas]
        run.progress("write", 0, len(ids))
        run.store.upsert(target, ids, vectors, documents, metadatas)
        run.delta.add(ids, documents, metadatas)
        run.report.chunks_written += len(ids)
        run.progress("write", len(ids), len(ids))
        stale: list[str] = []
        for p in prepared:
            old = run.manifest.docs.get(p.source)
            if old is None:
                run.report.added.append(p.source)
            else:
                run.report.updated.append(p.source)
                keep = set(p.entry.chunk_ids)
                stale.extend(c for c in old.chunk_ids if c not in keep)
            run.manifest.docs[p.source] = p.entry
        run.manifest.save(self.paths.manifest(target))
        run.store.delete(target, stale)
        run.delta.remove(stale)
        run.report.chunks_deleted += len(stale)

    def _remove_gone(self, run: _Run, gone: list[str]) -> None:
        """Drop documents whose files are gone; a removal plus an addition of the same content
        is reported as a rename (it cost no embedding: its vectors were in the cache)."""
        target = run.manifest.collection
        added_by_hash = {run.manifest.docs[s].hash: s for s in run.report.added}
        for source in gone:
            entry = run.manifest.docs.pop(source)
            run.manifest.save(self.paths.manifest(target))
            run.store.delete(target, entry.chunk_ids)
            run.delta.remove(entry.chunk_ids)
            run.report.chunks_deleted += len(entry.chunk_ids)
            if entry.hash in added_by_hash:
                new = added_by_hash.pop(entry.hash)
                run.report.added.remove(new)
                run.report.renamed.append((source, new))
            else:
                run.report.removed.append(source)
        run.manifest.save(self.paths.manifest(target))

    def _go_live(
        self, run: _Run, pointer: IndexPointer, roots: list[Path], old_collection: str
    ) -> None:
        """Point the index at the (complete) collection, drop a replaced one, stamp the
        collection for other instances, and bring BM25 up to date."""
        target = run.manifest.collection
        pointer.collection = target
        pointer.signature = self.settings.index_signature()
        pointer.corpus_roots = [str(r.resolve()) for r in roots]
        pointer.last_sync = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        pointer.save(self.paths.pointer)
        if old_collection:
            run.store.drop(old_collection)
            self.paths.manifest(old_collection).unlink(missing_ok=True)
            shutil.rmtree(self.paths.lexical(old_collection), ignore_errors=True)
        report = run.report
        report.chunks_total = run.manifest.chunk_count()
        changed = report.chunks_written or report.chunks_deleted or report.rebuilt
        if changed or not run.store.info(target).get("sync_token"):
            # Other instances on the same Chroma server notice the new token and refresh.
            run.store.stamp(target, {"sync_token": uuid.uuid4().hex,
                                     "embedding_model": self.settings.embedding.model})  # fmt: skip
        ensure_lexical(self.settings, run.store, self.paths, target, run.progress, run.delta)


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
