"""Chat messages -> streamed text, behind a small LLM interface; llama.cpp in process by default."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from chatbot.config import Config
from chatbot.errors import ModelError
from chatbot.read_ahead import SEQUENCES, ReadAhead, cached_length, plain


class LLM(Protocol):
    name: str

    def load(self) -> None:
        """Load the model (or reach the server) now, so a problem shows before the first
        question."""

    def count_tokens(self, text: str) -> int: ...

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]: ...

    # Optional: yes_probability(messages) -> float | None, the probability that the reply to the
    # messages starts with "Yes" rather than "No" (used by chatbot.judging when present).
    #
    # The last message may carry "passages": document texts its content quotes word for word,
    # the same from one question to the next. A model may read them ahead of time
    # (chatbot.read_ahead); one that cannot ignores them, and never sends them anywhere.


_END = object()  # marks the end of a generated reply
YES_WORDS = ("Yes", "yes", "YES")
NO_WORDS = ("No", "no", "NO")


def yes_share(probabilities: dict[str, float]) -> float | None:
    """P(yes) / (P(yes) + P(no)) from next-token probabilities of reply words, None if neither."""
    yes = sum(probabilities.get(w, 0.0) for w in YES_WORDS)
    no = sum(probabilities.get(w, 0.0) for w in NO_WORDS)
    return yes / (yes + no) if yes + no > 0 else None


_params_lock = threading.RLock()  # one load adjusts several defaults at once


@contextlib.contextmanager
def without_extra_buffers():
    """Load models with llama.cpp's extra buffer types (weight repacking, AMX) switched off.

    llama-cpp-python has no argument for `use_extra_bufts`, so the default parameters it starts
    from are adjusted while a model loads. Measured on the 2-core build machine with the default
    model: prompt processing 233 tok/s off vs 165 on, generation 27.5 vs 34 tok/s; RAG prompts are
    long and answers short, so off answers sooner. It also keeps clear of llama.cpp's AMX path.
    """
    import llama_cpp.llama_cpp as low_level

    original = low_level.llama_model_default_params

    def adjusted():
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    with _params_lock:
        low_level.llama_model_default_params = adjusted
        try:
            yield
        finally:
            low_level.llama_model_default_params = original


@contextlib.contextmanager
def with_sequences(count: int):
    """Create llama.cpp contexts with `count` sequences in one unified KV cache (read-ahead makes
    and loads passage states in a sequence of its own). llama-cpp-python has no argument for
    either, so its default context parameters are adjusted while a model loads."""
    import llama_cpp.llama_cpp as low_level

    original = low_level.llama_context_default_params

    def adjusted():
        params = original()
        params.n_seq_max = count
        params.kv_unified = True
        return params

    with _params_lock:
        low_level.llama_context_default_params = adjusted
        try:
            yield
        finally:
            low_level.llama_context_default_params = original


class RemoteLLM:
    """An OpenAI-compatible chat server (llama.cpp's `llama-server`, `python -m llama_cpp.server`,
    vLLM …) reached over HTTP with streaming: many app processes can share one model server."""

    CHARS_PER_TOKEN = 3.0  # servers differ in how (and whether) they count tokens: estimate low
    # A refused or failed connection is tried again this many times (a server that is restarting).
    CONNECT_RETRIES = 3

    def __init__(self, url: str, timeout: float = 120.0):
        import httpx

        self.url = url.rstrip("/")
        self.name = f"remote model at {self.url}"
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=timeout, transport=httpx.HTTPTransport(retries=self.CONNECT_RETRIES)
        )

    def count_tokens(self, text: str) -> int:
        return int(len(text) / self.CHARS_PER_TOKEN) + 1

    def _fail(self, exc: Exception) -> ModelError:
        return ModelError(f"The model server at {self.url} did not answer ({exc}); is it running?")

    def load(self) -> None:
        """Check that the server answers, so a wrong CHATBOT_LLM_URL shows at start, not at the
        first question."""
        import httpx

        try:
            self._client.get(f"{self.url}/models", timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None

    def yes_probability(self, messages: Sequence[dict[str, str]]) -> float | None:
        """From the server's top log-probabilities of one generated token; None when it gives
        none."""
        import math

        import httpx

        body = {
            "messages": plain(messages),
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": 10,
        }
        try:
            response = self._client.post(f"{self.url}/chat/completions", json=body)
            response.raise_for_status()
            choice = (response.json().get("choices") or [{}])[0]
            first = ((choice.get("logprobs") or {}).get("content") or [{}])[0]
            top: dict[str, float] = {}
            for candidate in first.get("top_logprobs", []):  # "Yes" and " Yes" count as one word
                word = candidate["token"].strip()
                top[word] = top.get(word, 0.0) + math.exp(candidate["logprob"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return yes_share(top)

    def _piece_of(self, data: str) -> str | None:
        """The text of one streamed event, or a clear error when the server sent something else."""
        try:
            choices = json.loads(data).get("choices") or [{}]
            piece = (choices[0].get("delta") or {}).get("content")
        except (ValueError, AttributeError, TypeError, IndexError):
            raise ModelError(
                f"The model server at {self.url} sent a malformed event ({data[:80]!r}); "
                "is CHATBOT_LLM_URL an OpenAI-compatible /v1 address?"
            ) from None
        if piece is not None and not isinstance(piece, str):
            raise ModelError(f"The model server at {self.url} sent non-text content: {piece!r:.80}")
        return piece

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]:
        import httpx

        body = {
            "messages": plain(messages),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        try:
            with self._client.stream("POST", f"{self.url}/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ModelError(
                        f"The model server at {self.url} refused the request "
                        f"({response.status_code}): "
                        f"{response.text[:200]}"
                    )
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    piece = self._piece_of(data)
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None


class LlamaCppLLM:
    """A GGUF model run by llama-cpp-python. Loads on first use; one generation at a time.

    With `states` (a folder), the passages a prompt quotes are read ahead: their KV states are
    saved there, under a key holding `fingerprint` (the model file's sha256), and loaded in place
    of reading them (chatbot.read_ahead). Without, every prompt is read in full.
    """

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = Config.n_ctx,
        n_threads: int = Config().n_threads,
        seed: int = 0,
        states: Path | None = None,
        states_budget: int = Config.states_budget_mb << 20,
        fingerprint: str = "",
        reread: int = 0,
    ):
        self.model_path = Path(model_path)
        self.name = self.model_path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self.states = states
        self.states_budget = states_budget
        self.fingerprint = fingerprint
        self.reread = reread
        self._llama = None
        self._reader: ReadAhead | None = None
        self._load_lock = threading.Lock()
        # llama.cpp's context is not thread-safe: generations take turns.
        self._generate_lock = threading.Lock()
        # For measuring: model calls made, and the prompt tokens they read (not counted on
        # llama-cpp-python's own chat path, for a model without a chat template).
        self.calls = 0
        self.tokens_read = 0
        self.counts_reading = True

    def _loaded(self):
        with self._load_lock:
            if self._llama is None:
                if not self.model_path.is_file():
                    raise ModelError(
                        f"Model path does not exist: {self.model_path}. "
                        "Run `chatbot fetch-model` for the built-in model (`--name small` for "
                        "the small one), or set "
                        "CHATBOT_MODEL_PATH to a GGUF file."
                    )
                try:
                    self._llama = self._load_llama(flash_attn=True)
                except (ValueError, RuntimeError):
                    try:  # a model whose attention llama.cpp cannot run flash on this CPU
                        self._llama = self._load_llama(flash_attn=False)
                    except (ValueError, RuntimeError) as exc:
                        raise ModelError(
                            f"Could not load {self.model_path}: {exc}. Is it a valid GGUF file?"
                        ) from exc
                self._reader = self._make_reader(self._llama)
        return self._llama

    def _load_llama(self, flash_attn: bool):
        from llama_cpp import Llama

        with without_extra_buffers(), with_sequences(SEQUENCES):
            return Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                n_batch=512,
                # Measured with benchmarks/llm_speed.py: prompts 8-15 % faster with it here.
                flash_attn=flash_attn,
                seed=self.seed,
                verbose=False,
            )

    def _make_reader(self, llama) -> ReadAhead | None:
        """Prompts rendered and placed by chatbot.read_ahead, passages from saved states when
        `states` is set; None (llama-cpp-python's own chat path) for a model without a chat
        template or whose KV cache cannot shift positions."""
        import llama_cpp
        import llama_cpp.llama_cpp as low

        memory = low.llama_get_memory(llama._ctx.ctx)
        if memory is None or not low.llama_memory_can_shift(memory):
            return None
        store = None
        if self.states is not None:
            from chatbot.passage_states import StateStore

            folder = Path(self.states) / (self.fingerprint or self.name)[:32]
            store = StateStore(folder, self.states_budget)
        basis = {
            "model": self.fingerprint or self.name,
            "llama_cpp": llama_cpp.__version__,
            "n_ctx": self.n_ctx,
            "flash_attn": int(llama.context_params.flash_attn_type),
            "type_k": int(llama.context_params.type_k),
            "type_v": int(llama.context_params.type_v),
        }
        try:
            return ReadAhead(llama, store, basis, self.reread)
        except ValueError:  # no chat template of its own
            return None

    def load(self) -> None:
        """Load now rather than on the first question (for servers)."""
        self._loaded()

    def count_tokens(self, text: str) -> int:
        return len(self._loaded().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _word_tokens(self, words: Sequence[str]) -> dict[str, int]:
        """The token of each word that is a single token of this model's vocabulary."""
        llama = self._loaded()
        tokens = {w: llama.tokenize(w.encode("utf-8"), add_bos=False, special=False) for w in words}
        return {w: t[0] for w, t in tokens.items() if len(t) == 1}

    def _complete(self, messages: Sequence[dict], **settings):
        """llama-cpp-python's completion of the messages (a stream when settings ask for one),
        the prompt placed by the reader: passages from their states, the rest read fresh."""
        llama = self._llama
        sampling = {"top_p": 0.95, "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.0}
        if self._reader is None:
            self._note_read(None)
            return llama.create_chat_completion(
                messages=plain(messages), seed=self.seed, **sampling, **settings
            )
        rendered = self._reader.renderer.render(messages)
        self._reader.place(rendered)
        self._note_read(rendered.tokens)
        return llama.create_completion(
            prompt=rendered.tokens,
            stop=list(rendered.stop),
            stopping_criteria=rendered.stopping_criteria,
            seed=self.seed,
            **sampling,
            **settings,
        )

    def _note_read(self, tokens: list[int] | None) -> None:
        """Count what this call reads: what the reader read, and what the generation will read
        past the part of the prompt already in the KV cache."""
        self.calls += 1
        if tokens is None:
            self.counts_reading = False
            return
        cached = cached_length(self._llama, tokens)
        self.tokens_read += self._reader.fresh_tokens + len(tokens) - cached

    @staticmethod
    def _piece(chunk: dict) -> str | None:
        choice = chunk["choices"][0]
        return choice["delta"].get("content") if "delta" in choice else choice.get("text")

    def read_ahead(self, prompts: Sequence[Sequence[dict]], on_progress=None) -> set[str]:
        """Make the missing states of the passages these prompts quote, one prompt at a time so
        that questions go on meanwhile; the keys of all of them (empty when states are off or not
        possible). Stops making new ones once the store's budget is full."""
        self._loaded()
        if self._reader is None or self._reader.store is None:
            return set()
        keys: set[str] = set()
        for done, prompt in enumerate(prompts, 1):
            with self._generate_lock:
                room = self._reader.store.budget_bytes - self._reader.store.size()
                rendered = self._reader.renderer.render(prompt)
                keys |= self._reader.prepare(rendered, make=room > 0)
            if on_progress:
                on_progress(done, len(prompts))
        return keys

    @property
    def state_store(self):
        """Where passage states are kept, once the model is loaded; None when off."""
        return self._reader.store if self._reader else None

    def yes_probability(self, messages: Sequence[dict[str, str]]) -> float | None:
        """P("Yes") / (P("Yes") + P("No")) for the first token of the reply, read from its logits
        (one token is evaluated; the prompt prefix already in the KV cache is reused)."""
        import numpy as np

        self._loaded()
        words = self._word_tokens(YES_WORDS + NO_WORDS)
        captured: list[np.ndarray] = []

        def capture(_input_ids, logits):
            if not captured:
                captured.append(np.array(logits, dtype=np.float64))
            return logits

        with self._generate_lock:
            self._complete(messages, max_tokens=1, temperature=0.0, logits_processor=[capture])
        if not captured or not words:
            return None
        logits = captured[0]
        top = logits.max()
        weights = np.exp(logits - top)
        total = weights.sum()
        return yes_share({w: float(weights[t] / total) for w, t in words.items()})

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]:
        """Pieces of the reply as they are generated.

        A thread of its own generates while holding the model, and hands the pieces over: the model
        is released when the reply is complete or the consumer stops (closes the iterator), never
        held by an iterator someone forgot about.
        """
        self._loaded()
        pieces: queue.SimpleQueue = queue.SimpleQueue()
        stopped = threading.Event()

        def generate() -> None:
            try:
                with self._generate_lock:
                    if stopped.is_set():
                        return
                    chunks = self._complete(
                        messages, max_tokens=max_tokens, temperature=temperature, stream=True
                    )
                    for chunk in chunks:
                        if stopped.is_set():
                            break
                        piece = self._piece(chunk)
                        if piece:
                            pieces.put(piece)
            except Exception as exc:  # handed to the consumer, raised there
                pieces.put(self._explained(exc))
            finally:
                pieces.put(_END)

        threading.Thread(target=generate, name="llama-generate", daemon=True).start()
        try:
            while (item := pieces.get()) is not _END:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stopped.set()

    def _explained(self, exc: Exception) -> Exception:
        text = str(exc)
        if isinstance(exc, ValueError) and ("context window" in text or "exceed" in text):
            return ModelError(
                f"The prompt does not fit the model's context of {self.n_ctx} tokens; "
                "lower top_k or raise n_ctx."
            )
        return exc
