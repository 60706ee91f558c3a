"""The ``Assistant`` facade: the one object the CLI, the UI and Python users go through."""

from __future__ import annotations

import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from assistant.answering import NOT_FOUND, extractive_answer, language_of, rewrite_followup
from assistant.errors import AssistantError, ConfigError, IndexError_, ModelError
from assistant.ingest import (
    Indexer,
    IndexPaths,
    Progress,
    collection_name,
    describe_change,
    ensure_lexical,
    file_digest,
    read_document_bytes,
    scan,
)
from assistant.manifest import IndexPointer, Manifest
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.types import Answer, Hit, IndexStatus, SearchFilters, StreamEvent, SyncReport


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
        self._retriever: HybridRetriever | None = None
        self._retriever_key: tuple[str, str] | None = None
        self._chat_model: Any = None
        self._store: Any = None
        # Concurrent first questions (the web UI) must load the model and the BM25 index once.
        self._init_lock = threading.RLock()

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
        with self._init_lock:
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

    # -- documents (for front ends) ------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """The indexed documents: source, title, issuer, 文号, date, type, chunks, format."""
        pointer = IndexPointer.load(self.paths.pointer)
        if not pointer.collection:
            return []
        manifest = Manifest.load(
            self.paths.manifest(pointer.collection), pointer.collection, pointer.signature
        )
        return [
            {"source": src, **e.meta, "chunks": len(e.chunk_ids), "format": e.format}
            for src, e in sorted(manifest.docs.items())
        ]

    def corpus_root(self) -> Path:
        """The folder new documents are written to: the first corpus folder of the index."""
        pointer = IndexPointer.load(self.paths.pointer)
        roots = [Path(r) for r in pointer.corpus_roots] or list(self.settings.corpus_dirs)
        if not roots:
            raise ConfigError("no corpus folder is known; run 'policy-assistant index CORPUS_DIR'")
        return roots[0]

    def source_path(self, source: str) -> Path:
        """The file behind a source path (sources carry a folder prefix with several roots)."""
        pointer = IndexPointer.load(self.paths.pointer)
        roots = [Path(r) for r in pointer.corpus_roots] or list(self.settings.corpus_dirs)
        if len(roots) == 1:
            return _inside(roots[0], source)
        head, _, rest = source.partition("/")
        for root in roots:
            if root.resolve().name == head:
                return _inside(root, rest)
        raise AssistantError(f"no corpus folder holds {source!r}")

    def document_text(self, source: str) -> str:
        """The text of an indexed document as the loaders read it (chunk offsets point into it)."""
        from assistant.loaders import load_file

        return load_file(self.source_path(source), source).text

    def add_document(self, filename: str, data: bytes) -> str:
        """Write an uploaded file into the corpus folder; returns its source path.

        The name is reduced to a safe file name (no folders, no hidden files); the type and size
        are checked first. Run ``index`` afterwards to index it.
        """
        name = safe_filename(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in self.settings.ingest.extensions:
            allowed = ", ".join(self.settings.ingest.extensions)
            raise AssistantError(
                f"{filename!r}: file type {suffix or '(none)'} is not read; use {allowed}"
            )
        limit = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        if len(data) > limit:
            raise AssistantError(
                f"{filename!r} is {len(data) / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit"
            )
        if not data:
            raise AssistantError(f"{filename!r} is empty")
        root = self.corpus_root()
        root.mkdir(parents=True, exist_ok=True)
        target = _inside(root, name)
        tmp = target.with_name(f".{target.name}.upload")
        tmp.write_bytes(data)
        tmp.replace(target)
        return target.relative_to(root).as_posix()

    def delete_document(self, source: str) -> None:
        """Remove a document (and its sidecar) from the corpus folder; ``index`` drops it."""
        from assistant.metadata import sidecar_path

        path = self.source_path(source)
        if not path.is_file():
            raise AssistantError(f"{source!r} is not in the corpus folder")
        path.unlink()
        sidecar_path(path).unlink(missing_ok=True)

    # -- questions ------------------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the live collection, reloaded after any sync: one made by
        this instance, or (with a Chroma server) by another instance sharing the server."""
        with self._init_lock:
            return self._current_retriever()

    def _current_retriever(self) -> HybridRetriever:
        from assistant.store import open_store

        pointer = IndexPointer.load(self.paths.pointer)
        server = bool(self.settings.chroma.url)
        collection = pointer.collection or (collection_name(self.settings) if server else "")
        if self._store is None:
            self._store = open_store(self.settings, self.paths.chroma)
        info = self._store.info(collection) if collection else {}
        if not collection or (server and not info):
            where = self.settings.chroma.url or str(self.paths.root)
            raise IndexError_(
                f"no index in {where}; build it with 'policy-assistant index CORPUS_DIR'"
            )
        built_with = str(
            info.get("embedding_model") or pointer.signature.get("embedding_model", "")
        )
        if built_with != self.settings.embedding.model:
            raise ConfigError(
                f"the index in {self.paths.root} was built with embedding model {built_with!r} "
                f"but the settings name {self.settings.embedding.model!r}; run "
                "'policy-assistant index' to rebuild, or set "
                f"ASSISTANT_EMBEDDING__MODEL={built_with}"
            )
        key = (collection, pointer.last_sync, str(info.get("sync_token", "")))
        if self._retriever is None or self._retriever_key != key:
            lexical = ensure_lexical(self.settings, self._store, self.paths, collection)
            self._retriever = HybridRetriever(
                self._store, collection, lexical,
                lambda q: self.embeddings.encode_query(q), self.settings.retrieval,
            )  # fmt: skip
            self._retriever_key = key
        return self._retriever

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The ``k`` passages that best match ``question`` (hybrid dense + BM25)."""
        question = _check_question(question)
        return self.retriever().search(question, k, filters)

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        history: list[tuple[str, str]] | None = None,
    ) -> Answer:
        """A short answer whose every sentence is marked [n] and cited, or a refusal.

        ``history`` holds the earlier (question, answer) turns of a chat, oldest first; a
        follow-up question is rewritten into a stand-alone one before retrieval.
        """
        final = None
        for event in self.ask_stream(question, k, filters, history):
            if event.kind == "answer":
                final = event.answer
        assert final is not None
        return final

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        history: list[tuple[str, str]] | None = None,
    ) -> Iterator[StreamEvent]:
        """Like ``ask``, as events: text pieces while the answer is written, then the answer.

        In LLM mode the pieces are the model's raw tokens; the final answer is the checked one
        (markers that point to no passage removed, unmarked sentences flagged).
        """
        original = _check_question(question)
        llm_mode = self.settings.answer.mode == "llm"
        standalone = self._standalone(original, history or [], llm_mode)
        retriever = self.retriever()
        hits = retriever.search(standalone, k, filters)
        a = self.settings.answer
        passages = hits[: a.passages]
        answer = extractive_answer(
            standalone, passages, retriever.lexical, min_evidence=a.min_evidence,
            min_dense_evidence=a.min_dense_evidence, max_sentences=a.max_sentences,
            max_chars=a.max_chars,
        )  # fmt: skip
        if llm_mode and not answer.abstained:
            answer = yield from self._llm_answer(standalone, passages, retriever, answer)
        else:
            for piece in re.findall(r"[^\]]*\]|[^\]]+$", answer.text) or [answer.text]:
                yield StreamEvent("token", piece)
        answer.hits = hits
        answer.question = original
        answer.standalone_question = standalone
        yield StreamEvent("answer", answer=answer)

    def _chat(self) -> Any:
        if self._chat_model is None:
            from assistant.llm import ChatModel

            self._chat_model = ChatModel(self.settings.llm)
        return self._chat_model

    def _standalone(self, question: str, history: list[tuple[str, str]], llm_mode: bool) -> str:
        if not history:
            return question
        if llm_mode:
            from assistant.generation import rewrite_messages

            try:
                rewritten = self._chat().complete(rewrite_messages(question, history)).strip()
            except ModelError:
                rewritten = ""
            if rewritten and len(rewritten) <= MAX_QUESTION_CHARS:
                return rewritten
        return rewrite_followup(question, history)

    def _llm_answer(
        self, question: str, passages: list[Hit], retriever: HybridRetriever, fallback: Answer
    ) -> Generator[StreamEvent, None, Answer]:
        from assistant import generation

        pieces: list[str] = []
        for token in self._chat().stream(generation.build_messages(question, passages)):
            pieces.append(token)
            yield StreamEvent("token", token)
        checked = generation.check_markers("".join(pieces), len(passages))
        lang = language_of(question)
        if checked.not_found:
            return Answer(question, NOT_FOUND[lang], [], passages, abstained=True, mode="llm",
                          language=lang, evidence=fallback.evidence,
                          notes=["the model found no answer in the passages"])  # fmt: skip
        if not checked.used:
            fallback.notes.append(
                "the model's answer cited no passage correctly; the extractive answer is shown"
            )
            return fallback
        notes = [f"removed invalid marker {m}" for m in checked.removed]
        return Answer(
            question, checked.text, generation.citations_for(checked, passages, retriever.lexical),
            passages, mode="llm", language=lang, evidence=fallback.evidence,
            unsupported_sentences=checked.unsupported, notes=notes,
        )  # fmt: skip

    def evaluate(
        self, questions_file: str | Path, k: int = 5, progress: Any = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Run a questions file (JSONL) and return per-question records and the metrics."""
        from assistant import evaluation

        questions = evaluation.load_questions(Path(questions_file))
        records = evaluation.run(questions, lambda q: self.ask(q, k=max(k, 5)), k, progress)
        return records, evaluation.summarize(questions, records)


MAX_QUESTION_CHARS = 2000


def safe_filename(name: str) -> str:
    """A file name with no folder part, no leading dots and no control or shell-special
    characters; Chinese characters and spaces are kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base).strip().lstrip(".")
    if not base or base in {".", ".."}:
        raise AssistantError(f"{name!r} is not a usable file name")
    return base[:200]


def _inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root``."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise AssistantError(f"{relative!r} points outside the corpus folder")
    return target


def _check_question(question: str) -> str:
    q = " ".join((question or "").split())
    if not q:
        raise AssistantError("the question is empty; type a question")
    if len(q) > MAX_QUESTION_CHARS:
        raise AssistantError(
            f"the question has {len(q)} characters, more than {MAX_QUESTION_CHARS}; shorten it"
        )
    return q
