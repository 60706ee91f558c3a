"""Incremental sync of corpus folders into the index (Chroma + BM25 + manifest).

Order of writes for each group of documents: new chunks are upserted, the manifest is saved,
then chunks that no longer exist are deleted. A sync killed at any point therefore leaves an
index that answers queries, and the next sync repairs it: chunks that no manifest entry owns
are deleted and documents whose chunks are missing are indexed again (vectors come from the
embedding cache, so the repair costs little).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.core.errors import DocumentError
from assistant.core.settings import Settings
from assistant.core.types import Chunk, FileProblem, SyncReport
from assistant.index.cache import EmbeddingCache, text_key
from assistant.index.layout import IndexPaths, collection_name, describe_change
from assistant.index.lease import CollectionLease
from assistant.index.lexical import LexicalWriter, new_token
from assistant.index.lexical_sync import catch_up, open_writer
from assistant.index.lock import IndexLock
from assistant.index.manifest import DocEntry, Manifest, manifest_backend
from assistant.index.pointer import IndexPointer
from assistant.index.records import clean_metadata, record_text
from assistant.index.store import ChromaStore, disk_full_error, is_disk_full, open_store
from assistant.ingest.corpus import (
    CorpusFile,
    file_digest,
    likely_to_embed,
    read_document_bytes,
    scan,
)
from assistant.ingest.loaders.ocr import page_progress
from assistant.ingest.metadata import sidecar_path
from assistant.ingest.preload import Preloader
from assistant.ingest.prepare import Prepared, prepare_document
from assistant.ingest.writer import BackgroundUpserts

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
    lex: LexicalWriter
    roots: list[str] = field(default_factory=list)  # resolved corpus folders of this sync
    server: bool = False
    lease: CollectionLease | None = None
    token: str = ""  # the collection's sync token when this sync began
    queued: int = 0  # chunks queued for embedding so far (the progress bar's total)
    incomplete: set[str] = field(default_factory=set)  # documents found with chunks missing

    def check(self) -> None:
        if self.lease is not None:
            self.lease.check()

    @contextlib.contextmanager
    def timed(self, part: str) -> Iterator[None]:
        """Add the block's wall time to ``report.phases[part]``."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            phases = self.report.phases
            phases[part] = round(phases.get(part, 0.0) + time.perf_counter() - t0, 4)

    def write_lexical(
        self, removed: Iterable[str], added: Sequence[tuple[str, str, str, dict[str, Any]]],
        updated: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> None:  # fmt: skip
        """``lex.apply``, its time split into ``lexical`` and the ``merge`` it triggered."""
        before = self.lex.merge_seconds
        with self.timed("lexical"):
            self.lex.apply(removed, added, updated)
        merged = self.lex.merge_seconds - before
        phases = self.report.phases
        phases["lexical"] = round(max(0.0, phases["lexical"] - merged), 4)
        phases["merge"] = round(phases.get("merge", 0.0) + merged, 4)


@dataclass
class _Todo:
    """A new or changed document, read but not yet prepared."""

    cf: CorpusFile
    digest: str
    st: os.stat_result
    root: str


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
        t0 = time.perf_counter()
        files, report.skipped = scan(roots, self.settings)
        report.phases["scan"] = round(time.perf_counter() - t0, 4)
        t0 = time.perf_counter()
        pointer, damaged = IndexPointer.load_or_new(self.paths.pointer)
        if damaged:
            report.notes.append(f"{damaged}: written again")
        signature = self.settings.index_signature()
        target = collection_name(self.settings)
        old_collection = pointer.collection if pointer.collection != target else ""
        if old_collection:
            report.rebuilt = True
            report.rebuild_reason = describe_change(pointer.signature, signature)
        server = bool(self.settings.chroma.url)
        store = open_store(self.settings, self.paths.chroma)
        lease = (
            CollectionLease(store, target, self.settings.chroma.lease_ttl_s,
                            self.settings.chroma.lease_wait_s,
                            on_wait=lambda msg: progress(f"wait: {msg}", 0, 0))
            if server else None
        )  # fmt: skip
        with contextlib.ExitStack() as stack:
            if lease is not None:
                stack.enter_context(lease)
                report.waited_s = round(lease.waited_s, 3)
            backend = manifest_backend(store, server, self.paths.manifest(target), target)
            manifest, damaged = Manifest.open_or_new(backend, target, signature)
            if damaged:
                report.notes.append(f"{damaged}: every document is read again")
            if likely_to_embed(files, manifest):
                self._model.start()  # loads while the store opens and files are read
            stack.enter_context(IndexLock(self.paths.lexical(target), wait=True))
            lex = stack.enter_context(open_writer(self.settings, self.paths, target))
            run = _Run(report, progress, manifest, store, lex, server=server, lease=lease,
                       roots=[str(r.resolve()) for r in roots])  # fmt: skip
            run.token = str(store.info(target).get("sync_token", ""))
            report.phases["open"] = round(time.perf_counter() - t0, 4)
            with run.timed("repair"):
                run.incomplete = self._repair(run)
            with run.timed("changes"):
                todo, gone = self._changes(run, files, run.incomplete)
            self._index_changed(run, todo)
            self._remove_gone(run, gone)
            with run.timed("live"):
                self._go_live(run, pointer, roots, old_collection)
            report.segments_merged = lex.merged

    def _repair(self, run: _Run) -> set[str]:
        """After a sync that did not finish (or one by another instance's lexical copy): delete
        chunks no manifest entry owns, bring the lexical copy in line with Chroma, and return
        the documents whose chunks are missing, so they are indexed again. A sync that follows
        a complete one skips this (its state says so)."""
        target = run.manifest.collection
        crashed = run.lex.begin_sync()
        clean = bool(run.token) and run.manifest.state.get("clean_token") == run.token
        if not clean:
            present = run.store.ids(target)
            orphans = present - run.manifest.all_chunk_ids()
            run.store.delete(target, sorted(orphans))
            run.lex.apply(orphans, [])
            run.report.repaired = len(orphans)
            run.report.chunks_deleted += len(orphans)
            present -= orphans
            incomplete = {
                s for s, e in run.manifest.docs.items() if not set(e.chunk_ids) <= present
            }
        else:
            incomplete = set()
        behind = crashed or run.lex.rebuilt or run.lex.token != run.token or not clean
        if behind and (run.lex.count() or run.store.count(target)):
            catch_up(run.lex, run.store, target, run.progress)
        # From here on the state is not clean until this sync completes.
        run.manifest.set_state("clean_token", "")
        run.manifest.save()
        return incomplete

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
            entry = run.manifest.docs.get(source)
            root = cf.root
            if run.server and entry is not None and entry.root and entry.root != root:
                run.report.failed.append(FileProblem(source, (
                    f"already indexed from {entry.root} by another instance; rename it or "
                    "sync that folder")))  # fmt: skip
                continue
            if entry is not None and source not in incomplete and _unchanged_on_disk(cf, entry):
                run.report.unchanged.append(source)
                continue
            try:
                data, side, st = read_document_bytes(cf, max_bytes)
            except DocumentError as exc:
                run.report.failed.append(FileProblem(exc.source, exc.reason))
                continue
            digest = file_digest(data, side)
            if entry is not None and entry.hash == digest and source not in incomplete:
                run.report.unchanged.append(source)
                # Touched but not changed (copied, restored): its stat is recorded again, so the
                # next sync need not read it.
                run.manifest.put(source, _stamped(entry, cf, st, root))
                continue
            todo.append(_Todo(cf, digest, st, root))
        # On a server the documents of other instances' folders are not this sync's to remove.
        owned = [
            s for s, e in run.manifest.docs.items()
            if not run.server or not e.root or e.root in run.roots
        ]  # fmt: skip
        return todo, sorted(set(owned) - seen)

    def _index_changed(self, run: _Run, todo: list[_Todo]) -> None:
        """Prepare the documents and write them group by group (``ingest.write_batch_chunks``)."""
        cache = EmbeddingCache(self.paths.cache)
        if cache.recovered:
            run.report.notes.append(cache.recovered)
        prepared: list[Prepared] = []
        failed = False
        token = page_progress.set(lambda done, total: run.progress("ocr", done, total))
        max_bytes = self.settings.ingest.max_file_bytes
        try:
            for n, item in enumerate(todo, start=1):
                run.progress("read", n, len(todo))
                try:
                    # Read again here, one at a time: memory holds one document, not all.
                    with run.timed("read"):
                        data, side, st = read_document_bytes(item.cf, max_bytes)
                        digest = file_digest(data, side)
                        prepared.append(
                            prepare_document(
                                item.cf, data, digest, st, self.settings.chunking,
                                self.settings.ingest.read_limits,
                            )
                        )  # fmt: skip
                    prepared[-1].entry = _stamped(prepared[-1].entry, item.cf, st, item.root)
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

    def _vector_parts(
        self, run: _Run, texts: list[str], cache: EmbeddingCache
    ) -> Iterator[tuple[list[int], np.ndarray]]:
        """Vectors of ``texts`` as (positions, vectors) parts: those the cache has first, then
        the rest encoded (shortest first, in the model's batches) and cached part by part."""
        model = self.settings.embedding.model
        keys = [text_key(t) for t in texts]
        found = cache.get_many(model, keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        run.report.chunks_from_cache += len(texts) - len(missing)
        cached = [i for i, k in enumerate(keys) if k in found]
        if cached:
            yield cached, np.stack([found[keys[i]] for i in cached])
        if missing:
            emb = self._model.get()
            step = max(emb.batch_size * 4, 64)
            order = sorted(missing, key=lambda i: len(texts[i]))
            for j in range(0, len(order), step):
                part = order[j : j + step]
                vecs = emb.encode_passages([texts[i] for i in part])
                cache.put_many(model, {keys[i]: vecs[n] for n, i in enumerate(part)})
                run.report.chunks_embedded += len(part)
                run.progress("embed", run.report.chunks_embedded, run.queued)
                yield part, vecs

    def _write_group(self, run: _Run, prepared: list[Prepared], cache: EmbeddingCache) -> None:
        """Upsert the group's new chunks, rewrite the metadata of the chunks it keeps (same id,
        so same searched text and vector; only offsets, ordinal, dates moved), save the
        manifest, then delete the chunks it replaces."""
        target = run.manifest.collection
        fresh: list[tuple[Chunk, str, dict[str, Any]]] = []
        kept: list[tuple[Chunk, dict[str, Any]]] = []
        stale: list[str] = []
        for p in prepared:
            old = run.manifest.docs.get(p.source)
            # A document whose chunks were found missing is written whole.
            have = set(old.chunk_ids) if old and p.source not in run.incomplete else set()
            for c, text, meta in zip(p.chunks, p.texts, p.metadatas, strict=True):
                if c.chunk_id in have:
                    kept.append((c, meta))
                else:
                    fresh.append((c, text, meta))
            if old is not None:
                new_ids = set(p.entry.chunk_ids)
                stale.extend(c for c in old.chunk_ids if c not in new_ids)
        run.queued += len(fresh)
        ids = [c.chunk_id for c, _, _ in fresh]
        documents = [c.text for c, _, _ in fresh]
        metadatas = [m for _, _, m in fresh]
        run.check()
        # Each part is written while the next is encoded; "store" is the time left to wait.
        writer = BackgroundUpserts(run.store, target, run.check)
        try:
            with run.timed("embed"):
                for part, vecs in self._vector_parts(run, [t for _, t, _ in fresh], cache):
                    writer.submit([ids[i] for i in part], vecs, [documents[i] for i in part],
                                  [metadatas[i] for i in part])  # fmt: skip
            run.progress("write", 0, len(ids) + len(kept))
            with run.timed("store"):
                writer.wait()
                run.store.update_metadata(target, [c.chunk_id for c, _ in kept],
                                          [m for _, m in kept])  # fmt: skip
        finally:
            writer.close()
        run.report.chunks_written += len(ids)
        run.report.chunks_kept += len(kept)
        run.progress("write", len(ids) + len(kept), len(ids) + len(kept))
        for p in prepared:
            if p.source in run.manifest.docs:
                run.report.updated.append(p.source)
            else:
                run.report.added.append(p.source)
            run.manifest.put(p.source, p.entry)
        with run.timed("manifest"):
            run.manifest.save()
        with run.timed("store"):
            run.store.delete(target, stale)
        run.report.chunks_deleted += len(stale)
        added = [
            (cid, record_text(doc, clean), doc, clean)
            for cid, doc, clean in (
                (cid, doc, clean_metadata(meta))
                for cid, doc, meta in zip(ids, documents, metadatas, strict=True)
            )
        ]
        updated = [(c.chunk_id, clean_metadata(m)) for c, m in kept]
        run.progress("lexical", 0, len(added))
        run.write_lexical(stale, added, updated)
        run.progress("lexical", len(added), len(added))

    def _remove_gone(self, run: _Run, gone: list[str]) -> None:
        """Drop documents whose files are gone; a removal plus an addition of the same content
        is reported as a rename (it cost no embedding: its vectors were in the cache)."""
        target = run.manifest.collection
        added_by_hash = {run.manifest.docs[s].hash: s for s in run.report.added}
        for source in gone:
            run.check()
            entry = run.manifest.pop(source)
            with run.timed("manifest"):
                run.manifest.save()
            with run.timed("store"):
                run.store.delete(target, entry.chunk_ids)
            run.write_lexical(entry.chunk_ids, [])
            run.report.chunks_deleted += len(entry.chunk_ids)
            if entry.hash in added_by_hash:
                new = added_by_hash.pop(entry.hash)
                run.report.added.remove(new)
                run.report.renamed.append((source, new))
            else:
                run.report.removed.append(source)
        run.manifest.save()

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
            manifest_backend(run.store, run.server, self.paths.manifest(old_collection),
                             old_collection).drop()  # fmt: skip
            shutil.rmtree(self.paths.lexical(old_collection), ignore_errors=True)
        report = run.report
        report.chunks_total = run.manifest.chunk_count()
        changed = (report.chunks_written or report.chunks_kept or report.chunks_deleted
                   or report.rebuilt)  # fmt: skip
        token = run.token
        if changed or not token:
            token = new_token()
        # The lexical copy and the manifest first, then the collection: a kill in between
        # leaves tokens that differ, and the next sync (or reader) catches up.
        run.lex.finish(token)
        run.manifest.set_state("clean_token", token)
        run.manifest.save()
        if token != run.token:
            # Other instances on the same Chroma server notice the new token and catch up.
            run.store.stamp(target, {"sync_token": token,
                                     "embedding_model": self.settings.embedding.model})  # fmt: skip


def _side_mtime(cf: CorpusFile) -> float:
    try:
        return sidecar_path(cf.path).stat().st_mtime
    except OSError:
        return 0.0


def _stamped(entry: DocEntry, cf: CorpusFile, st: os.stat_result, root: str) -> DocEntry:
    """The entry with the stat facts that let the next sync skip reading an unchanged file."""
    entry.size, entry.mtime = st.st_size, st.st_mtime
    entry.side_mtime = _side_mtime(cf)
    entry.root = root
    entry.seen_at = time.time()
    return entry


def _unchanged_on_disk(cf: CorpusFile, entry: DocEntry) -> bool:
    """Same size and modification time as when it was read, for the file and its sidecar,
    and not modified within a second of that read (a write in the same clock tick would
    not show in the time): then its bytes need not be read again."""
    if entry.side_mtime < 0 or not entry.seen_at:
        return False
    try:
        st = cf.path.stat()
    except OSError:
        return False
    return (
        st.st_size == entry.size
        and st.st_mtime == entry.mtime
        and _side_mtime(cf) == entry.side_mtime
        and max(st.st_mtime, entry.side_mtime) < entry.seen_at - 1.0
    )


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
        "chunks_kept": report.chunks_kept,
        "chunks_from_cache": report.chunks_from_cache,
        "rebuilt": report.rebuilt,
        "seconds": report.seconds,
        "phases": report.phases,
        "segments_merged": report.segments_merged,
    }
