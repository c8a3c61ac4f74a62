"""Config -> a ready Chatbot: embedder, fresh index, retriever, LLM and answerer, loaded once and
reused.

Before each question the index is checked against the corpus; a stale index is rebuilt first, and a
failed rebuild leaves the last good index answering.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence

from tqdm import tqdm

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
from chatbot.models import BUILT_IN, fingerprint, model_path, verify_pinned
from chatbot.prompting import SYSTEM_PROMPT, reading_prompt
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
    """The model server at llm_url, else the configured GGUF, else the built-in model `model`
    names (checked against its pinned sha256); passages read ahead unless read_ahead is off."""
    if config.llm_url:
        return RemoteLLM(config.llm_url)
    path, pin = config.model_path, None
    if path is None:
        pin = BUILT_IN[config.model]
        path = model_path(config.model_cache_dir, pin)
        if path.exists():  # a missing file gets LlamaCppLLM's message, which says how to fetch it
            verify_pinned(path, pin)
    return LlamaCppLLM(
        path,
        n_ctx=config.n_ctx,
        n_threads=config.n_threads,
        states=config.model_cache_dir / "passage-states" if config.read_ahead else None,
        states_budget=config.states_budget_mb << 20,
        # A configured file is hashed (once per version of it) only where states need its sha256.
        fingerprint=pin.sha256 if pin else _fingerprint_of(path) if config.read_ahead else "",
        reread=config.reread_tokens,
    )


def _fingerprint_of(path) -> str:
    """A configured model file's sha256 (hashed once per version of the file); empty when it is
    missing, which loading it reports."""
    try:
        return fingerprint(path)
    except OSError:
        return ""


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
        self._read_ahead_lock = threading.Lock()  # one pass over the passages at a time
        self._serving = False  # warmed up to serve: rebuilds read their passages ahead too

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
        self._serving = True
        self.read_ahead_in_background()

    def read_ahead(self, progress: bool = False) -> int:
        """Make the missing read-ahead states of every indexed passage and drop those of passages
        no longer indexed; how many passages have one. 0 when the model cannot read ahead (a
        model server, read_ahead off). Questions go on meanwhile: a state at a time holds the
        model."""
        fill = getattr(self.llm, "read_ahead", None)
        if fill is None or not self.config.read_ahead:
            return 0
        with self._read_ahead_lock:
            passages = list(self.retriever.every_passage())
            with tqdm(
                total=len(passages), desc="Reading passages ahead", disable=not progress
            ) as bar:
                keys = fill(
                    [reading_prompt(p) for p in passages],
                    on_progress=lambda done, total: bar.update(1),
                )
            store = getattr(self.llm, "state_store", None)
            if store is not None and keys:
                store.retain(keys)
            return len(keys)

    def read_ahead_in_background(self) -> None:
        """read_ahead in a thread of its own, at most one at a time: the page serves at once."""

        def run() -> None:
            try:
                self.read_ahead()
            except Exception as exc:  # a state not made now is made at first use
                self.notify(f"Reading passages ahead stopped: {exc}")

        if not self._read_ahead_lock.locked():
            threading.Thread(target=run, name="read-ahead", daemon=True).start()

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
            if self._serving:  # new passages get their states while the page answers
                self.read_ahead_in_background()
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
