"""One typed configuration: defaults, then CHATBOT_* environment variables, then explicit
overrides."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.chunking import ChunkingParams
from chatbot.errors import ConfigError
from chatbot.models import BUILT_IN

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CHATBOT_"
# Where `chatbot serve` listens unless told otherwise: this machine only.
PAGE_HOST = "127.0.0.1"
PAGE_PORT = 7860


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chatbot"


def _setting(default, low=None, high=None, flag: str = "", flag_help: str = "", **kwargs):
    """A Config field: its default, its allowed range, and the CLI flag (with its help) that sets
    it."""
    metadata = {"range": (low, high) if low is not None else None, "flag": flag, "help": flag_help}
    return field(default=default, metadata=metadata, **kwargs)


@dataclass(frozen=True)
class Config:
    # Folder of documents to answer from (any format chatbot.loaders reads).
    corpus_dir: Path = _setting(
        PROJECT_ROOT / "corpus", flag="--corpus", flag_help="Folder of documents."
    )
    # Folder holding the built index (FAISS vectors, chunk store, manifest).
    index_dir: Path = _setting(PROJECT_ROOT / "index", flag="--index", flag_help="Index folder.")
    # GGUF file of the chat model; empty means the built-in model named by `model`.
    model_path: Path | None = _setting(None, flag="--model", flag_help="GGUF model file.")
    # Which built-in model, assembled in the cache from PyPI: "default" (Qwen2.5-Coder-1.5B) or
    # "small" (Qwen2.5-Coder-0.5B: about 2.5 times faster, for slower machines).
    model: str = "default"
    # Where the default model is assembled from its PyPI parts.
    model_cache_dir: Path = field(default_factory=_cache_dir)
    # An OpenAI-compatible model server (e.g. http://127.0.0.1:8080/v1) to use instead of loading
    # model_path in this process; empty means in process.
    llm_url: str = ""
    # sentence-transformers model folder or id; empty means the packaged all-MiniLM-L6-v2.
    embedding_model: str = ""
    # How many passages reach the model (per question: answer(..., top_k=)).
    top_k: int = _setting(4, 1, 50, "--top-k", "Passages given to the model.")
    # Context window given to llama.cpp; prompt + answer must fit in it.
    n_ctx: int = _setting(4096, 512, 131072, "--n-ctx", "Model context size in tokens.")
    # CPU threads for llama.cpp; 0 means one per core.
    threads: int = _setting(0, 0, 256, "--threads", "CPU threads for the model, 0 = all.")
    # Sampling temperature; low keeps answers close to the passages (per question too).
    temperature: float = _setting(0.1, 0.0, 2.0, "--temperature", "Sampling temperature.")
    # Longest answer, in tokens (per question too: answer(..., max_tokens=)).
    max_answer_tokens: int = _setting(384, 16, 8192)
    # Longest question accepted, in characters (checked before tokenising).
    max_question_chars: int = _setting(2000, 10, 100_000)
    # Earlier messages of a conversation given to the model; older ones are left out.
    max_history_turns: int = _setting(6, 0, 100)
    # Chunks aim for this many characters and never exceed chunk_max_chars.
    chunk_chars: int = _setting(700, 100, 20_000)
    chunk_max_chars: int = _setting(1200, 100, 40_000)
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
    min_similarity: float = _setting(0.25, -1.0, 1.0)
    # Read each passage ahead: its model state is saved once (in model_cache_dir) and loaded at
    # question time instead of reading the passage again: the first word 2-4 times sooner, but a
    # passage read ahead has not read the question, and on hard questions that still costs
    # answers (README), so it is off until it does not. The prompt's tokens are the same either
    # way (for comparing).
    read_ahead: bool = False
    # With read_ahead: the last tokens of each passage read again at question time, with the
    # question and the passages before them in view.
    reread_tokens: int = _setting(0, 0, 4096)
    # Disk the saved passage states of one model may take, in MB; least recently used go first.
    states_budget_mb: int = _setting(4096, 16, 10_000_000)

    def __post_init__(self) -> None:
        if self.model not in BUILT_IN:
            raise ConfigError(
                f"model={self.model!r} is not a built-in model; use one of "
                f"{', '.join(BUILT_IN)}, or set model_path to a GGUF file."
            )
        if self.llm_url and not self.llm_url.startswith(("http://", "https://")):
            raise ConfigError(f"llm_url={self.llm_url!r} must start with http:// or https://.")
        for name, (low, high) in RANGES.items():
            _check_range(name, getattr(self, name), low, high)
        if self.chunk_max_chars < self.chunk_chars:
            raise ConfigError(
                f"chunk_max_chars={self.chunk_max_chars} is below chunk_chars={self.chunk_chars}; "
                "raise it or lower chunk_chars."
            )
        if self.max_answer_tokens >= self.n_ctx // 2:
            raise ConfigError(
                f"max_answer_tokens={self.max_answer_tokens} leaves too little of "
                f"n_ctx={self.n_ctx} "
                "for the passages; lower it or raise n_ctx."
            )

    @property
    def chunking(self) -> ChunkingParams:
        return ChunkingParams(self.chunk_chars, self.chunk_max_chars)

    @property
    def n_threads(self) -> int:
        return self.threads or (os.cpu_count() or 1)

    @property
    def model_settings(self) -> tuple:
        """What the loaded model depends on: configurations equal here share one model in a
        process."""
        return (
            self.llm_url,
            self.model_path,
            self.model,
            self.model_cache_dir,
            self.n_ctx,
            self.n_threads,
            self.read_ahead,
            self.reread_tokens,
            self.states_budget_mb,
        )

    def for_documents(self) -> Config:
        """This configuration with the per-question settings at their defaults (questions carry
        their own): one Chatbot serves every configuration equal to it."""
        return dataclasses.replace(self, **{name: _FIELDS[name].default for name in PER_QUESTION})

    def replace(self, **overrides: object) -> Config:
        """Return a copy with the given keys changed; None values are ignored."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise ConfigError(f"Unknown configuration key(s): {', '.join(sorted(unknown))}.")
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
# name -> (lowest, highest) allowed value: checked here, and the page's sliders stay inside them.
RANGES = {f.name: f.metadata["range"] for f in _FIELDS.values() if f.metadata.get("range")}
# name -> (flag, help, type name) of the settings the CLI takes as flags (each also has its
# CHATBOT_* variable).
FLAGS = {
    f.name: (f.metadata["flag"], f.metadata["help"], f.type)
    for f in _FIELDS.values()
    if f.metadata.get("flag")
}
# Settings a question may carry itself (answer(..., top_k=, temperature=, max_tokens=)).
PER_QUESTION = ("top_k", "temperature", "max_answer_tokens")


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
