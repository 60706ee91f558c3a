"""The BM25 side of a collection, kept beside Chroma: segmented postings plus every chunk's
text and metadata in SQLite (``lexical.sqlite``), so a lexical hit needs no round trip to Chroma
and filters apply to lexical candidates too.

A writer adds each group of chunks as a new segment file and tombstones what it replaces or
removes, then commits the segment list, the tombstones and the chunk records in one SQLite
transaction: a reader or a process killed at any point sees the previous state or the new one.
Small segments are merged by size tier (as Lucene and Tantivy do), never above
``lexical.segment_max_chunks``, so a merge's memory stays bounded whatever the corpus size.
A reader opens the committed state (segment files memory-mapped, documents' metadata in
memory) and fetches chunk records by id. The index is derived data: ``token`` names the
collection state (Chroma's sync token) it reflects, and a copy that is not current is caught
up from Chroma.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.text import ANALYZER_VERSION, ANALYZERS
from assistant.index.segmented import Postings, Segment, layout_json, merged, term_hashes

FORMAT = 2  # of the SQLite schema and segment files
FILE = "lexical.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, size INTEGER NOT NULL, live INTEGER NOT NULL,
    layout TEXT NOT NULL, dead BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY, source TEXT UNIQUE NOT NULL, chunks INTEGER NOT NULL,
    meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, seg TEXT NOT NULL, slot INTEGER NOT NULL, doc INTEGER NOT NULL,
    text TEXT NOT NULL, meta TEXT NOT NULL);
"""


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                              timeout=30)  # fmt: skip
    else:
        con = sqlite3.connect(path, check_same_thread=False, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    return con


def _unpack(blob: bytes, size: int) -> np.ndarray:
    return np.unpackbits(np.frombuffer(blob, dtype=np.uint8), count=size).astype(bool)


def _pack(dead: np.ndarray) -> bytes:
    return np.packbits(dead.astype(np.uint8)).tobytes()


def analyzer_key(analyzer: str, k1: float, b: float) -> str:
    """What the postings depend on: a copy built otherwise is rebuilt."""
    return f"{FORMAT}|{analyzer}|{ANALYZER_VERSION}|{k1}|{b}"


class LexicalIndex:
    """A read-only snapshot of the lexical side: BM25 scores, chunk records, documents."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._con = _connect(folder / FILE, readonly=True)
        self._lock = threading.Lock()
        with self._lock:
            # One read transaction for the snapshot's life: chunk records are read as they
            # were committed with these segments, while a sync writes the next state.
            cur = self._con.cursor()
            cur.execute("BEGIN")
            state = dict(cur.execute("SELECT key, value FROM state").fetchall())
            rows = cur.execute(
                "SELECT name, size, layout, dead FROM segments ORDER BY seq"
            ).fetchall()
            docs = cur.execute("SELECT doc, source, meta FROM documents").fetchall()
        self.analyzer = state.get("analyzer", "bigram")
        self.key = state.get("key", "")
        self.token = state.get("token", "")
        k1, b = float(state.get("k1", 1.2)), float(state.get("b", 0.75))
        segments = [Segment.open(folder, name, json.loads(lay)) for name, _, lay, _ in rows]
        dead = [_unpack(blob, size) for _, size, _, blob in rows]
        self.postings = Postings(segments, dead, k1, b)
        self.documents: dict[int, tuple[str, dict[str, Any]]] = {
            int(d): (str(s), json.loads(m)) for d, s, m in docs
        }
        self._analyze = ANALYZERS[self.analyzer]

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The committed index in ``folder``, or None when there is none (or it is unreadable)."""
        for _ in range(3):
            try:
                if not (folder / FILE).is_file():
                    return None
                return cls(folder)
            except FileNotFoundError:  # a merge removed a segment between the two reads
                time.sleep(0.05)
            except (sqlite3.Error, OSError, ValueError, KeyError):
                return None
        return None

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], analyzer: str = "bigram",
        k1: float = 1.2, b: float = 0.75, docs: Sequence[str] | None = None,
        metas: Sequence[dict[str, Any]] | None = None, folder: Path | None = None,
    ) -> LexicalIndex:  # fmt: skip
        """An index of ``texts`` (what is searched; ``docs``/``metas`` are kept for hits) in
        ``folder``, or in a new temporary folder (benchmarks and tests)."""
        if folder is None:
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="lexical-"))
        docs = list(docs) if docs is not None else ["" for _ in ids]
        metas = list(metas) if metas is not None else [{"source": i} for i in ids]
        with LexicalWriter(folder, analyzer, k1, b) as writer:
            writer.apply([], list(zip(ids, texts, docs, metas, strict=True)))
            writer.finish("")
        index = cls.load(folder)
        assert index is not None
        return index

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._con.close()

    # -- what the retriever and the answerer ask ----------------------------------------------
    @property
    def count(self) -> int:
        """Live chunks."""
        return self.postings.n

    def terms(self, text: str) -> list[str]:
        return self._analyze(text)

    def idf(self, term: str) -> float:
        """Inverse document frequency over live chunks; unseen terms get the largest value."""
        return self.postings.idf_of(term_hashes([term])[0])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every slot (see ``slot_ids``) for ``query``."""
        return self.postings.scores(self._analyze(query))

    def top(
        self, query: str, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Slots and scores of the chunks that can be among the ``n`` best for ``query``
        (``Postings.top``); ``allowed`` masks slots (see ``doc_mask``)."""
        return self.postings.top(self._analyze(query), n, allowed)

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        return self.postings.search(self._analyze(query), k)

    def slot_ids(self, slots: Iterable[int]) -> list[str]:
        return [self.postings.chunk_id(int(s)) for s in slots]

    def doc_mask(self, keep: dict[int, bool]) -> np.ndarray:
        """Per slot: whether its document is one of ``keep`` (document number → kept)."""
        top = max(self.documents, default=0) + 1
        table = np.zeros(top, dtype=bool)
        for d, ok in keep.items():
            table[d] = ok
        doc_of = self.postings.doc_of()
        return table[np.clip(doc_of, 0, top - 1)] if len(doc_of) else np.zeros(0, dtype=bool)

    def records(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of the chunks ``ids`` still present."""
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        with self._lock:
            for a in range(0, len(ids), 500):
                part = list(ids[a : a + 500])
                marks = ",".join("?" * len(part))
                for cid, text, meta in self._con.execute(
                    f"SELECT id, text, meta FROM chunks WHERE id IN ({marks})", part
                ):
                    out[cid] = (text, json.loads(meta))
        return out

    def sample(self, k: int) -> list[str]:
        """``k`` live chunk ids, the same for the same chunks however the index was built: the
        smallest ids (they are content hashes, so this is a uniform sample of the chunks; an
        order of the slots would follow the order the sync happened to write documents in)."""
        with self._lock:
            rows = self._con.execute("SELECT id FROM chunks ORDER BY id LIMIT ?", (k,))
            return [r[0] for r in rows]

    def document_metas(self) -> list[dict[str, Any]]:
        """Each document's metadata (its first chunk's record)."""
        return [meta for _, meta in self.documents.values()]

    def ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._con.execute("SELECT id FROM chunks")}


class LexicalWriter:
    """Changes the lexical index in ``folder``; one writer at a time (the sync's lock)."""

    def __init__(
        self, folder: Path, analyzer: str, k1: float, b: float,
        max_segment: int = 50_000, merge_factor: int = 8,
    ) -> None:  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.analyzer, self.k1, self.b = analyzer, k1, b
        self.max_segment, self.merge_factor = max_segment, max(2, merge_factor)
        self._analyze = ANALYZERS[analyzer]
        self.con = _connect(folder / FILE)
        self.con.executescript(_SCHEMA)
        state = dict(self.con.execute("SELECT key, value FROM state").fetchall())
        self.rebuilt = False
        if state.get("key") != analyzer_key(analyzer, k1, b):
            self._reset()
            state = {}
        self.token = state.get("token", "")
        self.dirty = state.get("dirty") == "1"
        self._dead: dict[str, np.ndarray] = {}
        self._seq = int(
            self.con.execute("SELECT COALESCE(MAX(seq), 0) FROM segments").fetchone()[0]
        )
        self.merged = 0
        self.merge_seconds = 0.0  # time spent in segment merges by this writer

    def _reset(self) -> None:
        """Empty the index (built with other settings, or a new one)."""
        with self.con:
            for table in ("state", "segments", "documents", "chunks"):
                self.con.execute(f"DELETE FROM {table}")
            rows = [("key", analyzer_key(self.analyzer, self.k1, self.b)),
                    ("analyzer", self.analyzer), ("k1", str(self.k1)), ("b", str(self.b)),
                    ("token", "")]  # fmt: skip
            self.con.executemany("INSERT INTO state VALUES (?, ?)", rows)
        self.rebuilt = True
        for p in self.folder.iterdir():  # an older format's files
            if p.name.startswith(FILE) or p.name.startswith(".sync.lock"):
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif not p.name.startswith("seg-"):
                p.unlink(missing_ok=True)
        self.collect_garbage()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.con.close()

    def __enter__(self) -> LexicalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------------
    def begin_sync(self) -> bool:
        """Mark a sync under way; True when the previous one did not finish (then the copy may
        differ from Chroma: the caller reconciles it)."""
        was = self.dirty
        with self.con:
            self.con.execute("INSERT OR REPLACE INTO state VALUES ('dirty', '1')")
        self.dirty = True
        return was

    def finish(self, token: str) -> None:
        """The copy now reflects the collection state ``token``."""
        with self.con:
            self.con.execute("INSERT OR REPLACE INTO state VALUES ('token', ?)", (token,))
            self.con.execute("INSERT OR REPLACE INTO state VALUES ('dirty', '0')")
        self.token, self.dirty = token, False

    def count(self) -> int:
        return int(self.con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def doc_hashes(self) -> dict[str, str]:
        """Chunk id → the content hash of its document, as recorded."""
        return {
            cid: str(json.loads(meta).get("doc_hash", ""))
            for cid, meta in self.con.execute("SELECT id, meta FROM chunks")
        }

    # -- changes ------------------------------------------------------------------------------
    def _dead_of(self, name: str) -> np.ndarray:
        if name not in self._dead:
            size, blob = self.con.execute(
                "SELECT size, dead FROM segments WHERE name = ?", (name,)
            ).fetchone()
            self._dead[name] = _unpack(blob, int(size))
        return self._dead[name]

    def apply(
        self, removed: Iterable[str], added: Sequence[tuple[str, str, str, dict[str, Any]]],
        updated: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> None:  # fmt: skip
        """Remove chunks ``removed``, write ``added`` (id, searched text, stored text, metadata
        as Chroma stores it) over, and replace the metadata of chunks ``updated`` (id,
        metadata; their text, and so their postings, unchanged), in one transaction; then
        merge by size tier."""
        added_ids = [a[0] for a in added]
        if len(set(added_ids)) != len(added_ids):
            last = {a[0]: a for a in added}
            added = list(last.values())
            added_ids = list(last)
        gone = set(removed) | set(added_ids)
        segment = None
        if added:
            tokens = [self._analyze(text) for _, text, _, _ in added]
        with self.con:
            touched = self._tombstone(gone)
            if added:
                docs = self._documents([a[3] for a in added])
                segment = Segment.build(added_ids, tokens, docs)
                layout = segment.save(self.folder)
                self._seq += 1
                self.con.execute(
                    "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?)",
                    (segment.name, self._seq, len(segment), len(segment), layout_json(layout),
                     _pack(np.zeros(len(segment), dtype=bool))),
                )  # fmt: skip
                self.con.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
                    [(cid, segment.name, j, docs[j], doc,
                      json.dumps(meta, ensure_ascii=False, separators=(",", ":")))
                     for j, (cid, _, doc, meta) in enumerate(added)],
                )  # fmt: skip
            self._update_metadata(updated)
            self._save_dead(touched)
            self._drop_empty_documents()
        t0 = time.perf_counter()
        self._merge_tiers()
        self.merge_seconds += time.perf_counter() - t0

    def _tombstone(self, ids: set[str]) -> set[str]:
        touched: set[str] = set()
        part: list[str] = []
        for cid in ids:
            part.append(cid)
            if len(part) >= 500:
                touched |= self._tombstone_part(part)
                part = []
        if part:
            touched |= self._tombstone_part(part)
        return touched

    def _tombstone_part(self, part: list[str]) -> set[str]:
        marks = ",".join("?" * len(part))
        rows = self.con.execute(
            f"SELECT seg, slot, doc FROM chunks WHERE id IN ({marks})", part
        ).fetchall()
        touched = set()
        for seg, slot, doc in rows:
            self._dead_of(seg)[slot] = True
            touched.add(seg)
            self.con.execute("UPDATE documents SET chunks = chunks - 1 WHERE doc = ?", (doc,))
        self.con.execute(f"DELETE FROM chunks WHERE id IN ({marks})", part)
        return touched

    def _update_metadata(self, updated: Sequence[tuple[str, dict[str, Any]]]) -> None:
        rows = [(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), cid)
                for cid, meta in updated]  # fmt: skip
        self.con.executemany("UPDATE chunks SET meta = ? WHERE id = ?", rows)
        for (text, cid), (_, meta) in zip(rows, updated, strict=True):
            if meta.get("ordinal") == 0:
                self.con.execute(
                    "UPDATE documents SET meta = ? "
                    "WHERE doc = (SELECT doc FROM chunks WHERE id = ?)",
                    (text, cid),
                )

    def _save_dead(self, names: set[str]) -> None:
        for name in names:
            dead = self._dead[name]
            self.con.execute(
                "UPDATE segments SET dead = ?, live = ? WHERE name = ?",
                (_pack(dead), int((~dead).sum()), name),
            )

    def _documents(self, metas: list[dict[str, Any]]) -> list[int]:
        """The document number of each chunk's source (new sources get one); a document's
        record is its first chunk's (or the first seen)."""
        out = []
        for meta in metas:
            source = str(meta.get("source", ""))
            row = self.con.execute(
                "SELECT doc FROM documents WHERE source = ?", (source,)
            ).fetchone()
            text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
            if row is None:
                cur = self.con.execute(
                    "INSERT INTO documents (source, chunks, meta) VALUES (?, 1, ?)", (source, text)
                )
                doc = int(cur.lastrowid or 0)
            else:
                doc = int(row[0])
                if meta.get("ordinal") == 0:
                    self.con.execute(
                        "UPDATE documents SET chunks = chunks + 1, meta = ? WHERE doc = ?",
                        (text, doc),
                    )
                else:
                    self.con.execute(
                        "UPDATE documents SET chunks = chunks + 1 WHERE doc = ?", (doc,)
                    )
            out.append(doc)
        return out

    def _drop_empty_documents(self) -> None:
        self.con.execute("DELETE FROM documents WHERE chunks <= 0")

    # -- merges -------------------------------------------------------------------------------
    def _tier(self, live: int) -> int:
        return 0 if live < 100 else int(math.log(live / 100, self.merge_factor)) + 1

    def _merge_tiers(self) -> None:
        """Merge ``merge_factor`` segments of one size tier into one, and rewrite a segment
        more than half tombstoned, as long as the result stays within ``max_segment``."""
        while True:
            rows = self.con.execute("SELECT name, size, live FROM segments ORDER BY seq").fetchall()
            empty = [name for name, _, live in rows if live == 0]
            if empty:
                with self.con:
                    self._remove_segments(empty)
                continue
            tiers: dict[int, list[tuple[str, int]]] = {}
            for name, _size, live in rows:
                if live < self.max_segment:
                    tiers.setdefault(self._tier(live), []).append((name, live))
            pick: list[str] = []
            for tier in sorted(tiers):
                group = sorted(tiers[tier], key=lambda x: x[1])
                if len(group) >= self.merge_factor:
                    chosen, total = [], 0
                    for name, live in group:
                        if total + live > self.max_segment:
                            break
                        chosen.append(name)
                        total += live
                    if len(chosen) >= 2:
                        pick = chosen
                        break
            if not pick:
                pick = [name for name, size, live in rows if live * 2 < size][:1]
            if not pick:
                return
            self.merge(pick)

    def merge(self, names: list[str]) -> str:
        """Merge the segments ``names`` into one new segment (committed atomically)."""
        marks = ",".join("?" * len(names))
        rows = {
            name: (int(size), json.loads(lay))
            for name, size, lay in self.con.execute(
                f"SELECT name, size, layout FROM segments WHERE name IN ({marks})", names
            )
        }
        segs = [Segment.open(self.folder, n, rows[n][1]) for n in names]
        alive = [~self._dead_of(n) for n in names]
        new = merged(segs, alive)
        layout = new.save(self.folder)
        with self.con:
            seq = int(self.con.execute(
                f"SELECT MIN(seq) FROM segments WHERE name IN ({marks})", names
            ).fetchone()[0])  # fmt: skip
            self._remove_segments(names)
            self.con.execute(
                "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?)",
                (new.name, seq, len(new), len(new), layout_json(layout),
                 _pack(np.zeros(len(new), dtype=bool))),
            )  # fmt: skip
            ids = [bytes(i).decode() for i in np.asarray(new.ids)]
            self.con.executemany(
                "UPDATE chunks SET seg = ?, slot = ? WHERE id = ?",
                [(new.name, j, cid) for j, cid in enumerate(ids)],
            )
        self.merged += 1
        self.collect_garbage()
        return new.name

    def _remove_segments(self, names: list[str]) -> None:
        marks = ",".join("?" * len(names))
        self.con.execute(f"DELETE FROM segments WHERE name IN ({marks})", names)
        for n in names:
            self._dead.pop(n, None)

    def collect_garbage(self) -> None:
        """Delete segment files no committed state lists, and half-written files (a reader that
        still maps one keeps reading it: the system frees it when the reader lets go)."""
        listed = {r[0] for r in self.con.execute("SELECT name FROM segments")}
        for p in self.folder.iterdir():
            if p.name.startswith(".seg-") or (
                p.name.startswith("seg-") and p.name.split(".")[0] not in listed
            ):
                p.unlink(missing_ok=True)


def new_token() -> str:
    return uuid.uuid4().hex
