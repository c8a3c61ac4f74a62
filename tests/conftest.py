"""Fakes for the heavy models and an isolated environment for every test."""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from chatbot.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


STOP_WORDS = {
    "the",
    "and",
    "for",
    "was",
    "who",
    "what",
    "its",
    "are",
    "how",
    "did",
    "does",
    "which",
    "when",
}


class FakeEmbedder:
    """Deterministic bag-of-words vectors: texts sharing content words are similar, in microseconds."""

    model_id = "fake-bag-of-words"
    dimension = 1024

    def __init__(self):
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if len(word) > 2 and word not in STOP_WORDS:
                vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return (
            np.stack([self._vector(t) for t in texts])
            if texts
            else np.zeros((0, self.dimension), np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class EchoLLM:
    """Records the messages it was given and streams back a reply, word by word: the scripted
    `reply`, or by default the first sentence of passage [1] with its citation."""

    name = "echo"

    def __init__(self, reply: str | None = None):
        self.reply = reply
        self.calls: list[list[dict[str, str]]] = []

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def reply_to(self, messages) -> str:
        if self.reply is not None:
            return self.reply
        first = re.search(
            r"\[1\] \(.*?\)\n<<<\n(.+?[.!?])(?:\s|$)", messages[-1]["content"], re.DOTALL
        )
        return f"{first.group(1)} [1]." if first else "The documents do not cover this question."

    def stream_chat(self, messages, max_tokens: int, temperature: float) -> Iterator[str]:
        self.calls.append([dict(m) for m in messages])
        yield from re.findall(r"\S+\s*", self.reply_to(messages))

    @property
    def last_prompt(self) -> str:
        return self.calls[-1][-1]["content"]


ARTICLE = """# Open Source in Practice

By A. Writer

## Licenses

The GNU General Public License was introduced by Richard Stallman in 1989. It is a copyleft license.

The MIT license is short and permissive. DeepSeek picked the MIT license for its R1 model.

## Platforms

GitHub was founded in 2008 and hosts code. Researchers share papers on arXiv.
"""

RECIPES = """# Cooking Notes

Bread needs flour, water, salt and yeast. Knead the dough for ten minutes.

Soup is made by simmering vegetables in stock for an hour.
"""


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No CHATBOT_* setting leaks in from the machine; caches go under tmp_path."""
    import os

    for key in list(os.environ):
        if key.startswith("CHATBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "article.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "recipes.md").write_text(RECIPES, encoding="utf-8")
    return folder


@pytest.fixture
def config(tmp_path, corpus_dir) -> Config:
    return Config(
        corpus_dir=corpus_dir,
        index_dir=tmp_path / "index",
        model_path=tmp_path / "no-model.gguf",
        model_cache_dir=tmp_path / "cache",
        chunk_chars=200,
        chunk_max_chars=400,
        min_similarity=0.15,
    )


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def echo_llm() -> EchoLLM:
    return EchoLLM()


@pytest.fixture
def fake_models(monkeypatch, embedder, echo_llm):
    """Every Chatbot built during the test (CLI, API, page) uses the fakes."""
    from chatbot import pipeline

    monkeypatch.setattr(pipeline, "SentenceTransformerEmbedder", lambda *a, **k: embedder)
    monkeypatch.setattr(pipeline, "make_llm", lambda config: echo_llm)
    return embedder, echo_llm


@pytest.fixture
def cli_env(monkeypatch, config):
    """The CLI reads the test's corpus, index and settings from CHATBOT_* variables."""
    keys = (
        "corpus_dir",
        "index_dir",
        "model_path",
        "chunk_chars",
        "chunk_max_chars",
        "min_similarity",
    )
    for key in keys:
        monkeypatch.setenv(f"CHATBOT_{key.upper()}", str(getattr(config, key)))
    return config


@contextlib.contextmanager
def served_page(bot, queue_size: int = 32) -> Iterator[str]:
    """The chat page of `bot` served on a free 127.0.0.1 port; yields its address."""
    from chatbot.app import launch_page

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch_page(bot, port=port, queue_size=queue_size, block=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
