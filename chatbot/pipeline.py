"""Config -> a ready Chatbot: embedder, fresh index, retriever, LLM and answerer, loaded once and
reused.

Before each question the index is checked against the corpus; a stale index is rebuilt first, and a
failed rebuild leaves the last good index answering.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence

from chatbot.answering import Answer, Answerer, Reading
from chatbot.config import Config
from chatbot.documents import scan_corpus
from chatbot.embedding import Embedder, SentenceTransformerEmbedder
from chatbot.errors import IndexDataError
from chatbot.index import (
    BuildReport,
    Index,
    build_index,
    ensure_index,
    load_index,
    read_manifest,
    stale_reasons,
)
from chatbot.llm import LLM, LlamaCppLLM, RemoteLLM
from chatbot.models import DEFAULT_MODEL, default_model_path, verify_pinned
from chatbot.prompting import SYSTEM_PROMPT
from chatbot.retrieval import Retriever


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


_shared: dict[tuple, object] = {}  # (kind, settings) -> the loaded model or embedder
_shared_lock = threading.Lock()


def _shared_one(key: tuple, make: Callable[[], object]):
    with _shared_lock:
        if key not in _shared:
            _shared[key] = make()
        return _shared[key]


def shared_llm(config: Config) -> LLM:
    """One model per model settings in a process, whatever else the configurations differ in."""
    return _shared_one(("llm", *config.model_settings), lambda: make_llm(config))


def shared_embedder(config: Config) -> Embedder:
    return _shared_one(
        ("embedder", config.embedding_model),
        lambda: SentenceTransformerEmbedder(config.embedding_model),
    )


def make_llm(config: Config) -> LLM:
    """The model server at llm_url, else the configured GGUF, else the default model (checked
    against its pinned sha256)."""
    if config.llm_url:
        return RemoteLLM(config.llm_url)
    path = config.model_path
    if path is None:
        path = default_model_path(config.model_cache_dir)
        if path.exists():  # a missing file gets LlamaCppLLM's message, which says how to fetch it
            verify_pinned(path, DEFAULT_MODEL)
    return LlamaCppLLM(path, n_ctx=config.n_ctx, n_threads=config.n_threads)


class Chatbot:
    def __init__(
        self,
        config: Config,
        embedder: Embedder | None = None,
        llm: LLM | None = None,
        notify: Callable[[str], None] = _stderr,
        progress: bool = True,
    ):
        self.config = config
        self.embedder = embedder or shared_embedder(config)
        self._llm = llm
        self.notify = notify
        self.progress = progress
        self.params = config.chunking
        self._answerer: Answerer | None = None
        self._build_id: str | None = None
        # Held while an index is being built; questions meanwhile go to the last loaded index.
        self._build_lock = threading.Lock()

    @property
    def llm(self) -> LLM:
        if self._llm is None:
            self._llm = shared_llm(self.config)
        return self._llm

    def _current(self) -> Answerer:
        """The answerer over a fresh index, rebuilding or reloading only when something changed.

        While another thread rebuilds, the answerer of the last good index keeps answering.
        """
        answerer = self._answerer
        if answerer is not None and self._build_lock.locked():
            return answerer
        with self._build_lock:
            manifest = read_manifest(self.config.index_dir)
            fresh = not stale_reasons(
                manifest, self.config.corpus_dir, self.embedder.model_id, self.params
            )
            if self._answerer is None or not fresh or manifest.build_id != self._build_id:
                index = ensure_index(
                    self.config.corpus_dir,
                    self.config.index_dir,
                    self.embedder,
                    self.params,
                    progress=self.progress,
                    notify=self.notify,
                )
                self._use(index)
            return self._answerer

    def _use(self, index: Index) -> None:
        self._answerer = Answerer(Retriever(index, self.embedder), self.llm, self.config)
        self._build_id = index.manifest.build_id

    @property
    def loaded_index(self) -> Index:
        """The index answering right now, without checking the corpus again (for rendering)."""
        return (self._answerer or self._current()).retriever.index

    @property
    def index(self) -> Index:
        return self._current().retriever.index

    @property
    def retriever(self) -> Retriever:
        return self._current().retriever

    def warm_up(self) -> None:
        """Load the index, the embedder and the model now, so the first question pays for none of
        them.

        One token is generated after the fixed system message: llama.cpp then holds it in its KV
        cache, and the first question is processed from the passages on, like every later one.
        """
        self._current()
        self.embedder.embed_query("warm up")
        self.llm.load()
        priming = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "Hi"}]
        for _ in self.llm.stream_chat(priming, max_tokens=1, temperature=0.0):
            pass

    def rebuild(
        self,
        on_progress: Callable[[int, int], None] | None = None,
        full: bool = False,
        wait: bool = True,
    ) -> BuildReport:
        """Rebuild the index from the corpus now; questions asked meanwhile use the previous index.

        Only new and changed documents are embedded, unless full is set. Without wait, a rebuild
        already running makes this one an error instead of a second rebuild after it.
        """
        if not self._build_lock.acquire(blocking=wait):
            raise IndexDataError("A rebuild is already running; its result will answer shortly.")
        try:
            documents, unreadable = scan_corpus(self.config.corpus_dir)
            report = build_index(
                documents,
                self.embedder,
                self.config.index_dir,
                self.params,
                progress=self.progress,
                on_progress=on_progress,
                reuse=not full,
                unreadable=unreadable,
            )
            self._use(load_index(self.config.index_dir))
        finally:
            self._build_lock.release()
        return report

    def stream(
        self, question: str, history: Sequence[dict] | None = None, **overrides
    ) -> Iterator[str | Reading | Answer]:
        """Reading, text pieces, then the Answer; overrides: top_k, temperature, max_tokens."""
        return self._current().stream(question, history, **overrides)

    def answer(self, question: str, history: Sequence[dict] | None = None, **overrides) -> Answer:
        return self._current().answer(question, history, **overrides)
