"""Answering questions over one index: the retriever over the live collection (reloaded after
any sync, by this instance or another sharing a Chroma server), search, and cited answers,
extractive or written by a chat model, streamed as events."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.errors import AssistantError, ConfigError, IndexAccessError, ModelError
from assistant.core.settings import Settings
from assistant.core.types import Answer, AnswerMode, Hit, SearchFilters, StreamEvent
from assistant.core.validity import today
from assistant.index.layout import IndexPaths, collection_name
from assistant.index.lexical_sync import ensure_lexical
from assistant.index.pointer import IndexPointer
from assistant.index.store import ChromaStore, open_store
from assistant.qa.compare import Plan, item_filters, plan_comparison, table_answer
from assistant.qa.extractive import NOT_FOUND, extractive_answer, language_of
from assistant.qa.followup import rewrite_followup
from assistant.qa.llm import ChatModel
from assistant.qa.retrieval import HybridRetriever

if TYPE_CHECKING:
    from assistant.embed.base import PolicyEmbeddings

MAX_QUESTION_CHARS = 2000


# Control, zero-width and other invisible characters: never part of a question.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
# Something to search for: a Chinese character, a word of two letters, a number of two digits.
_CONTENT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\d_]{2,}|\d{2,}")


def check_question(question: str) -> str:
    """The question with invisible characters removed and its whitespace collapsed; an error
    when it is empty, too long, or holds nothing to search for ("？", "……", "😀😀😀", "1")."""
    if not isinstance(question, str):
        raise AssistantError(f"the question must be text, not {type(question).__name__}")
    q = " ".join(_INVISIBLE.sub("", question).split())
    if not q:
        raise AssistantError("the question is empty; type a question")
    if not _CONTENT.search(q):
        raise AssistantError(f"the question {q[:20]!r} holds no words to search for; ask in words")
    if len(q) > MAX_QUESTION_CHARS:
        raise AssistantError(
            f"the question has {len(q)} characters, more than {MAX_QUESTION_CHARS}; shorten it"
        )
    return q


class QAService:
    """Search and answers for the index in ``settings.index_dir``."""

    def __init__(self, settings: Settings, embeddings: Callable[[], PolicyEmbeddings]) -> None:
        self.settings = settings
        self.paths = IndexPaths(Path(settings.index_dir))
        self._embeddings = embeddings
        self._store: ChromaStore | None = None
        self._retriever: HybridRetriever | None = None
        self._retriever_key: tuple[str, str, str] | None = None
        self._chat_model: ChatModel | None = None
        # Concurrent first questions (the web UI) must load the BM25 index once.
        self._lock = threading.RLock()

    # -- the retriever ----------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the live collection, reloaded after any sync."""
        with self._lock:
            return self._current_retriever()

    def _current_retriever(self) -> HybridRetriever:
        pointer = IndexPointer.load(self.paths.pointer)
        server = bool(self.settings.chroma.url)
        collection = pointer.collection or (collection_name(self.settings) if server else "")
        if self._store is None:
            self._store = open_store(self.settings, self.paths.chroma)
        info = self._store.info(collection) if collection else {}
        where = self.settings.chroma.url or str(self.paths.root)
        if not collection or (server and not info):
            raise IndexAccessError(
                f"no index in {where}; build it with 'policy-assistant index CORPUS_DIR'"
            )
        if not info and not self._store.has_collection(collection):
            raise IndexAccessError(
                f"the Chroma database in {where} has no collection {collection}, which index.json "
                "names (was it deleted or replaced?); run 'policy-assistant index CORPUS_DIR' to "
                "rebuild it — unchanged chunks' vectors come from the embedding cache"
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
                lambda q: self._embeddings().encode_query(q), self.settings.retrieval,
            )  # fmt: skip
            self._retriever_key = key
        return self._retriever

    # -- questions --------------------------------------------------------------------------
    def search(self, question: str, k: int | None, filters: SearchFilters | None) -> list[Hit]:
        return self.retriever().search(check_question(question), k, filters)

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        history: list[tuple[str, str]] | None = None,
        mode: AnswerMode | None = None,
    ) -> Iterator[StreamEvent]:
        """Text pieces while the answer is written, then the checked ``Answer`` (``mode``:
        this question's answer mode, default ``answer.mode``)."""
        original = check_question(question)
        llm_mode = (mode or self.settings.answer.mode) == "llm"
        if llm_mode and not (self.settings.llm.base_url and self.settings.llm.model):
            raise ConfigError(
                "LLM mode needs a chat model: set ASSISTANT_LLM__BASE_URL and "
                "ASSISTANT_LLM__MODEL, or ask in extractive mode"
            )
        standalone = self._standalone(original, history or [], llm_mode)
        retriever = self.retriever()
        plan = plan_comparison(standalone, language_of(standalone), retriever.issuers())
        if plan is not None:
            answer = self._comparison(standalone, plan, retriever, k, filters or SearchFilters())
            if llm_mode and not answer.abstained:
                answer = self._llm_summary(answer)
            for line in answer.text.splitlines(keepends=True):
                yield StreamEvent("token", line)
            answer.question = original
            answer.standalone_question = standalone
            yield StreamEvent("answer", answer=answer)
            return
        hits = retriever.search(standalone, k, filters)
        passages = hits[: self.settings.answer.passages]
        answer = self._extract(standalone, passages, retriever)
        if llm_mode and not answer.abstained:
            answer = yield from self._llm_answer(standalone, passages, retriever, answer)
        else:
            for piece in re.findall(r"[^\]]*\]|[^\]]+$", answer.text) or [answer.text]:
                yield StreamEvent("token", piece)
        answer.hits = hits
        answer.question = original
        answer.standalone_question = standalone
        yield StreamEvent("answer", answer=answer)

    def _extract(
        self, question: str, passages: list[Hit], retriever: HybridRetriever,
        max_sentences: int | None = None,
    ) -> Answer:  # fmt: skip
        a = self.settings.answer
        return extractive_answer(
            question, passages, retriever.lexical, min_evidence=a.min_evidence,
            min_confidence=a.min_confidence, relative_cutoff=a.relative_cutoff,
            min_support=a.min_support, min_support_other=a.min_support_other,
            embedding_model=self.settings.embedding.model,
            encoder=self._embeddings() if self._crosslingual() else None,
            min_cross_margin=a.min_cross_margin, min_cross_lift=a.min_cross_lift,
            typical_dense=retriever.typical_similarity(question) if passages else None,
            min_dense_evidence=a.min_dense_evidence,
            max_sentences=max_sentences or a.max_sentences, max_chars=a.max_chars,
        )  # fmt: skip

    def _comparison(
        self, question: str, plan: Plan, retriever: HybridRetriever, k: int | None,
        filters: SearchFilters,
    ) -> Answer:  # fmt: skip
        """Each item answered from its own documents, then the table."""
        statuses = retriever.statuses
        titles = {s: st.facts.title for s, st in statuses.items()}
        on = filters.validity_date() or today()

        def newest_first(sources: list[str]) -> list[str]:
            """Versions in force on the day first, then the newest."""
            newest = sorted(sources, key=lambda s: statuses[s].facts.date, reverse=True)
            return sorted(newest, key=lambda s: not statuses[s].in_force(on))

        results: list[tuple[str, str, Answer | None]] = []
        for item in plan.items:
            asked = plan.question_for(item)
            f = item_filters(plan, item, filters, titles, newest_first)
            if f is None:
                results.append((item, asked, None))
                continue
            hits = retriever.search(asked, k, f)
            answer = self._extract(asked, hits[: self.settings.answer.passages], retriever)
            answer.hits = hits
            results.append((item, asked, answer))
        return table_answer(question, plan, results)

    def _llm_summary(self, answer: Answer) -> Answer:
        """LLM mode: one sentence on the differences after the table, its markers checked
        against the table's citations (dropped, with a note, when none is valid)."""
        from assistant.qa import generation

        assert answer.comparison is not None
        try:
            text = self._chat().complete(generation.summary_messages(answer))
        except ModelError as exc:
            answer.notes.append(f"no summary: {exc}")
            return answer
        checked = generation.check_markers(text, len(answer.citations))
        if checked.not_found or not checked.used:
            answer.notes.append("the model's summary cited no cell correctly; it is not shown")
            return answer
        answer.comparison.summary = checked.text
        answer.text = answer.comparison.markdown(answer.language)
        answer.mode = "llm"
        answer.unsupported_sentences = checked.unsupported
        answer.notes.extend(f"removed invalid marker {m}" for m in checked.removed)
        return answer

    def _crosslingual(self) -> bool:
        """Whether questions may be answered from passages in another language."""
        mode = self.settings.answer.crosslingual
        return mode == "on" or (
            mode == "auto" and "multilingual-e5" in self.settings.embedding.model
        )

    def _chat(self) -> ChatModel:
        if self._chat_model is None:
            self._chat_model = ChatModel(self.settings.llm)
        return self._chat_model

    def _standalone(self, question: str, history: list[tuple[str, str]], llm_mode: bool) -> str:
        if not history:
            return question
        if llm_mode:
            from assistant.qa.generation import rewrite_messages

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
        """The chat model's answer, streamed, then checked: invalid markers removed, unmarked
        sentences flagged; with no valid marker at all, the extractive ``fallback``."""
        from assistant.qa import generation

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
