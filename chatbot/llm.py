"""Chat messages -> streamed text, behind a small LLM interface; llama.cpp in process by default."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from chatbot.errors import ModelError


class LLM(Protocol):
    name: str

    def count_tokens(self, text: str) -> int: ...

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]: ...


_params_lock = threading.Lock()


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


class RemoteLLM:
    """An OpenAI-compatible chat server (llama.cpp's `llama-server`, `python -m llama_cpp.server`,
    vLLM …) reached over HTTP with streaming: many app processes can share one model server."""

    CHARS_PER_TOKEN = 3.0  # servers differ in how (and whether) they count tokens: estimate low

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.name = f"remote model at {self.url}"
        self.timeout = timeout

    def count_tokens(self, text: str) -> int:
        return int(len(text) / self.CHARS_PER_TOKEN) + 1

    def _fail(self, exc: Exception) -> ModelError:
        return ModelError(f"The model server at {self.url} did not answer ({exc}); is it running?")

    def load(self) -> None:
        """Check that the server answers, so a wrong CHATBOT_LLM_URL shows at start, not at the first question."""
        import httpx

        try:
            httpx.get(f"{self.url}/models", timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]:
        import httpx

        body = {
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        try:
            with httpx.stream(
                "POST", f"{self.url}/chat/completions", json=body, timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ModelError(
                        f"The model server at {self.url} refused the request ({response.status_code}): "
                        f"{response.text[:200]}"
                    )
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    choices = json.loads(data).get("choices") or [{}]
                    piece = (choices[0].get("delta") or {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise self._fail(exc) from None


class LlamaCppLLM:
    """A GGUF model run by llama-cpp-python. Loads on first use; one generation at a time."""

    def __init__(self, model_path: Path, n_ctx: int = 4096, n_threads: int = 2, seed: int = 0):
        self.model_path = Path(model_path)
        self.name = self.model_path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self._llama = None
        self._load_lock = threading.Lock()
        # llama.cpp's context is not thread-safe: generations take turns.
        self._generate_lock = threading.Lock()

    def _loaded(self):
        with self._load_lock:
            if self._llama is None:
                if not self.model_path.is_file():
                    raise ModelError(
                        f"Model path does not exist: {self.model_path}. "
                        "Run `chatbot fetch-model` for the default model, or set CHATBOT_MODEL_PATH to a GGUF file."
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
        return self._llama

    def _load_llama(self, flash_attn: bool):
        from llama_cpp import Llama

        with without_extra_buffers():
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

    def load(self) -> None:
        """Load now rather than on the first question (for servers)."""
        self._loaded()

    def count_tokens(self, text: str) -> int:
        return len(self._loaded().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream_chat(
        self, messages: Sequence[dict[str, str]], max_tokens: int, temperature: float
    ) -> Iterator[str]:
        llama = self._loaded()
        with self._generate_lock:
            try:
                chunks = llama.create_chat_completion(
                    messages=list(messages),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    seed=self.seed,
                    stream=True,
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as exc:
                if "context window" in str(exc) or "exceed" in str(exc):
                    raise ModelError(
                        f"The prompt does not fit the model's context of {self.n_ctx} tokens; "
                        "lower top_k or raise n_ctx."
                    ) from exc
                raise
