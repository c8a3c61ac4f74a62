"""Fixtures: an isolated environment for every test, a small corpus, the fakes of tests/fakes.py."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.config import Config
from tests.fakes import EchoLLM, FakeEmbedder

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # Models shared within a process are not shared between tests.
    import chatbot
    from chatbot import pipeline

    monkeypatch.setattr(pipeline, "_shared", {})
    monkeypatch.setattr(chatbot, "_bots", {})


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


def shown_text(reply: str) -> str:
    """What a reader sees of a reply's answer on the page: its text without markup or sources."""
    import html

    answer = reply.split('<div class="sources">', 1)[0]
    answer = re.sub(r"<[^>]+>", "", answer.replace("<br>", "\n"))
    return html.unescape(answer).replace("Not in the documents ", "", 1).strip()


@contextlib.contextmanager
def served_page(bot, queue_size: int = 32, access=None, logins=None) -> Iterator[str]:
    """The chat page of `bot` served on a free 127.0.0.1 port; yields its address. `access` sets
    the rules a page shared on the network would have; `logins` puts it behind a login."""
    from chatbot.app import launch_page

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch_page(
        bot, port=port, queue_size=queue_size, block=False, access=access, logins=logins
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
