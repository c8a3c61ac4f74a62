"""One typed configuration: defaults, then CHATBOT_* environment variables, then explicit overrides."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CHATBOT_"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chatbot"


@dataclass(frozen=True)
class Config:
    # Folder of .md/.txt documents to answer from.
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    # Folder holding the built index (FAISS vectors, chunk store, manifest).
    index_dir: Path = PROJECT_ROOT / "index"
    # GGUF file of the chat model; empty means the default model assembled in the cache.
    model_path: Path | None = None
    # Where the default model is assembled from its PyPI parts.
    model_cache_dir: Path = field(default_factory=_cache_dir)
    # An OpenAI-compatible model server (e.g. http://127.0.0.1:8080/v1) to use instead of loading
    # model_path in this process; empty means in process.
    llm_url: str = ""
    # sentence-transformers model folder or id; empty means the packaged all-MiniLM-L6-v2.
    embedding_model: str = ""
    # How many passages reach the model.
    top_k: int = 4
    # Context window given to llama.cpp; prompt + answer must fit in it.
    n_ctx: int = 4096
    # CPU threads for llama.cpp; 0 means one per core.
    threads: int = 0
    # Sampling temperature; low keeps answers close to the passages.
    temperature: float = 0.1
    # Longest answer, in tokens.
    max_answer_tokens: int = 384
    # Longest question accepted, in characters (checked before tokenising).
    max_question_chars: int = 2000
    # Earlier messages of a conversation given to the model; older ones are left out.
    max_history_turns: int = 6
    # Chunks aim for this many characters and never exceed chunk_max_chars.
    chunk_chars: int = 700
    chunk_max_chars: int = 1200
    # Check every answer sentence against the passages: move, drop or add citations, and withhold
    # a draft no passage supports. Off shows the model's own citations (for measuring).
    verify_citations: bool = True
    # Also ask the model whether the passages state each answer sentence (a yes/no judgement read
    # from its token probabilities, ~0.3 s a sentence): catches claims stitched from passage words.
    judge_claims: bool = True
    # Rewrite a follow-up question ("How did it do that?") into one that stands alone, with the
    # model, before searching and answering (the user's wording stays the Answer's question). Off:
    # on the 7 follow-ups measured it tied with searching the previous question along (4 right
    # each) and costs 3-4 s (docs/evaluation.md).
    rewrite_follow_ups: bool = False
    # Below this cosine similarity (and with no lexical match) a passage is not relevant.
    min_similarity: float = 0.25

    def __post_init__(self) -> None:
        if self.llm_url and not self.llm_url.startswith(("http://", "https://")):
            raise ConfigError(f"llm_url={self.llm_url!r} must start with http:// or https://.")
        _check_range("top_k", self.top_k, 1, 50)
        _check_range("n_ctx", self.n_ctx, 512, 131072)
        _check_range("threads", self.threads, 0, 256)
        _check_range("temperature", self.temperature, 0.0, 2.0)
        _check_range("max_answer_tokens", self.max_answer_tokens, 16, 8192)
        _check_range("max_question_chars", self.max_question_chars, 10, 100_000)
        _check_range("max_history_turns", self.max_history_turns, 0, 100)
        _check_range("chunk_chars", self.chunk_chars, 100, 20_000)
        _check_range("chunk_max_chars", self.chunk_max_chars, self.chunk_chars, 40_000)
        _check_range("min_similarity", self.min_similarity, -1.0, 1.0)
        if self.max_answer_tokens >= self.n_ctx // 2:
            raise ConfigError(
                f"max_answer_tokens={self.max_answer_tokens} leaves too little of n_ctx={self.n_ctx} "
                "for the passages; lower it or raise n_ctx."
            )

    @property
    def n_threads(self) -> int:
        return self.threads or (os.cpu_count() or 1)

    def replace(self, **overrides: object) -> Config:
        """Return a copy with the given keys changed; None values are ignored."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise ConfigError(f"Unknown configuration key(s): {', '.join(sorted(unknown))}.")
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range; use a value from {low} to {high}.")


def _coerce(name: str, value: object) -> object:
    """Turn a string from the environment or a flag into the field's type."""
    kind = _FIELDS[name].type
    if not isinstance(value, str):
        return Path(value) if "Path" in kind and value is not None else value
    text = value.strip()
    if kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}={value!r} is not a yes/no value; use true or false.")
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number.") from None
    if "Path" in kind:
        return Path(text).expanduser() if text else None
    return text


def load_config(env: dict[str, str] | None = None, **overrides: object) -> Config:
    """Defaults, then CHATBOT_* environment variables, then the given overrides.

    Raises:
        ConfigError: an unknown CHATBOT_* variable or an out-of-range value.
    """
    env = os.environ if env is None else env
    from_env: dict[str, object] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in _FIELDS:
            raise ConfigError(
                f"Unknown environment variable {key}; known ones are "
                + ", ".join(ENV_PREFIX + n.upper() for n in _FIELDS)
                + "."
            )
        from_env[name] = value
    return Config().replace(**from_env).replace(**overrides)
