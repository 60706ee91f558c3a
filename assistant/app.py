"""The ``Assistant`` facade: the one object the CLI, the web UI, the LangChain retriever, the
evaluation command and Python users go through. It holds the settings and the embedding model
and delegates every call to a service: ingest (sync, status, document files), qa (search and
answers) and evaluation."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.types import (
    AddedDocument,
    Answer,
    AnswerMode,
    Hit,
    IndexStatus,
    SearchFilters,
    StreamEvent,
    SyncReport,
    check_day,
)
from assistant.index.layout import IndexPaths
from assistant.qa.service import QAService

if TYPE_CHECKING:
    from assistant.core.validity import Timeline
    from assistant.embed.base import PolicyEmbeddings
    from assistant.evaluation.multiset import SetResult
    from assistant.ingest.documents import CorpusDocuments
    from assistant.ingest.sync import Progress
    from assistant.qa.retrieval import HybridRetriever


class Assistant:
    """Question answering over one index of policy documents.

    >>> a = Assistant.open("indexes/default")          # doctest: +SKIP
    >>> report = a.index(["corpus"])                    # doctest: +SKIP
    >>> a.status().documents                            # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.paths = IndexPaths(Path(self.settings.index_dir))
        self._embeddings: PolicyEmbeddings | None = None
        # Concurrent first questions (the web UI) must load the model once.
        self._model_lock = threading.Lock()
        self._warm_up: threading.Thread | None = None
        self._qa = QAService(self.settings, self._model)
        self._corpus: CorpusDocuments | None = None

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
    def embeddings(self) -> PolicyEmbeddings:
        """The embedding model (a LangChain ``Embeddings``), loaded on first use."""
        from assistant.embed.base import register_with_langchain

        register_with_langchain()
        return self._model()

    def _model(self) -> PolicyEmbeddings:
        """The embedding model, loaded on first use (without importing LangChain: the question
        path does not need it)."""
        with self._model_lock:
            if self._embeddings is None:
                from assistant.embed.loader import load_model

                self._embeddings = load_model(self.settings.embedding)
            return self._embeddings

    @property
    def _documents(self) -> CorpusDocuments:
        # The corpus side (loaders, metadata rules) is imported only when a front end asks.
        if self._corpus is None:
            from assistant.ingest.documents import CorpusDocuments

            self._corpus = CorpusDocuments(self.settings)
        return self._corpus

    def _warm_model(self) -> None:
        """Before the first question is answered: load the model and run it once in a thread
        while this one opens the store and the lexical index (a fresh process answers its
        first question in about the longer of the two instead of their sum)."""
        if self._embeddings is not None or self._warm_up is not None:
            return

        def warm() -> None:
            # a model that fails to load is reported by the question's own call to it
            with contextlib.suppress(AssistantError):
                self._model().encode_query("warm-up")

        self._warm_up = threading.Thread(target=warm, name="model-warm-up", daemon=True)
        self._warm_up.start()

    # -- the index ------------------------------------------------------------------------------
    def index(
        self, paths: Sequence[str | Path] | None = None, progress: Progress | None = None
    ) -> SyncReport:
        """Sync the index with the documents under ``paths`` (default: ``settings.corpus_dirs``)."""
        roots = [Path(p) for p in (paths or self.settings.corpus_dirs)]
        if not roots:
            raise AssistantError("no corpus folder given; name one, e.g. 'index corpus/'")
        from assistant.ingest.sync import Indexer

        return Indexer(self.settings, self._model).sync(roots, progress)

    def status(self) -> IndexStatus:
        """Documents, chunks, model, last sync, and the corpus files changed since."""
        from assistant.ingest.status import index_status

        return index_status(self.settings)

    # -- documents (for front ends) ------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """The indexed documents: source, title, issuer, 文号, date, type, chunks, format,
        effective / expiry dates and whether each is in force today (``validity_note`` when
        not)."""
        return self._documents.listing()

    def timeline(self, source: str, as_of: str = "") -> Timeline:
        """A document's validity timeline: issued, effective, last day, what it repeals or
        amends and what repealed or amended it (with the sentence that says so), and whether
        it is in force on ``as_of`` (default today)."""
        return self._documents.timeline(source, check_day(as_of, "as_of"))

    def corpus_root(self) -> Path:
        """The folder new documents are written to: the first corpus folder of the index."""
        return self._documents.corpus_root()

    def source_path(self, source: str) -> Path:
        """The file behind a source path (sources carry a folder prefix with several roots)."""
        return self._documents.path_of(source)

    def document_text(self, source: str) -> str:
        """The text of an indexed document as the loaders read it (chunk offsets point into it)."""
        return self._documents.text(source)

    def add_document(self, filename: str, data: bytes, replace: bool = False) -> AddedDocument:
        """Write an uploaded file into the corpus folder under a safe name — beside a document
        of the same name unless ``replace`` — and say what was done. Run ``index`` afterwards
        to index it."""
        return self._documents.add(filename, data, replace)

    def delete_document(self, source: str) -> None:
        """Remove a document (and its sidecar) from the corpus folder; ``index`` drops it."""
        self._documents.delete(source)

    # -- questions ------------------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the live collection, reloaded after any sync: one made by
        this instance, or (with a Chroma server) by another instance sharing the server."""
        return self._qa.retriever()

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """The ``k`` passages that best match ``question`` (hybrid dense + BM25)."""
        self._warm_model()
        return self._qa.search(question, k, filters)

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        history: list[tuple[str, str]] | None = None,
        mode: AnswerMode | None = None,
    ) -> Answer:
        """A short answer whose every sentence is marked [n] and cited, or a refusal.

        ``history`` holds the earlier (question, answer) turns of a chat, oldest first; a
        follow-up question is rewritten into a stand-alone one before retrieval. ``mode``
        ("extractive" or "llm") overrides ``answer.mode`` for this question.
        """
        final = None
        for event in self.ask_stream(question, k, filters, history, mode):
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
        mode: AnswerMode | None = None,
    ) -> Iterator[StreamEvent]:
        """Like ``ask``, as events: text pieces while the answer is written, then the answer.

        In LLM mode the pieces are the model's raw tokens; the final answer is the checked one
        (markers that point to no passage removed, unmarked sentences flagged).
        """
        self._warm_model()
        return self._qa.ask_stream(question, k, filters, history, mode)

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(
        self,
        questions_file: str | Path,
        k: int = 5,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Run a questions file (JSONL) and return per-question records and the metrics."""
        from assistant.evaluation import harness, metrics

        questions = harness.load_questions(Path(questions_file))
        records = harness.run(questions, lambda q: self.ask(q, k=max(k, 5)), k, progress)
        return records, metrics.summarize(questions, records)

    def evaluate_sets(
        self,
        sets: Sequence[tuple[Path, Sequence[Path]]],
        work_dir: Path,
        *,
        golden: Path | None = None,
        withhold: float = 0.15,
        k: int = 5,
        say: Callable[[str], None] | None = None,
    ) -> list[SetResult]:
        """The multi-set table: each development set ``(folder, distractor folders)`` indexed
        under ``work_dir/NAME`` with these settings and measured (with ``withhold`` of its gold
        documents withheld for the refusal measures); ``golden`` (a questions file) over this
        assistant's own index as one more row."""
        from assistant.evaluation import devsets, multiset

        # Every set is read first: a bad file stops the run before any index is built.
        loaded = [
            devsets.load_devset(Path(folder), [Path(d) for d in distractors])
            for folder, distractors in sets
        ]
        results = []
        if golden is not None:
            if say:
                say(f"golden set {golden} over {self.paths.root} …")
            results.append(
                multiset.run_golden(devsets.golden_questions(golden), self, k=k, say=say)
            )
        for devset in loaded:
            if say and devset.skipped:
                say(f"{devset.name}: {devset.skipped} rows without a question are skipped")
            root = Path(work_dir) / devset.name
            other = Assistant(self.settings.model_copy(update={"index_dir": root / "index"}))
            other._embeddings = self._model()  # one model in memory for every set
            results.append(
                multiset.run_devset(devset, other, root / "corpus", withhold=withhold, k=k,
                                    say=say)
            )  # fmt: skip
        return results
