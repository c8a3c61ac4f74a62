"""A local chatbot that answers from your documents and cites the passages it rests on.

    from chatbot import answer
    a = answer("What license did DeepSeek pick for R1?")
    print(a.text, [c.passage.title for c in a.citations])

Models load on the first question, not at import.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatbot.answering import Answer
    from chatbot.config import Config
    from chatbot.pipeline import Chatbot

__all__ = ["answer", "get_chatbot", "stream_answer"]

_bots: dict = {}
_bots_lock = threading.Lock()


def get_chatbot(config: Config | None = None) -> Chatbot:
    """The shared Chatbot for a configuration (the environment's when none is given)."""
    from chatbot.config import load_config
    from chatbot.pipeline import Chatbot

    config = config or load_config()
    with _bots_lock:
        if config not in _bots:
            _bots[config] = Chatbot(config)
        return _bots[config]


def answer(
    question: str, history: Sequence[dict] | None = None, config: Config | None = None
) -> Answer:
    """Answer a question from the indexed documents.

    Args:
        question: what to ask.
        history: earlier turns, [{"role": "user"|"assistant", "content": str}, ...], for follow-ups.
        config: settings; defaults plus CHATBOT_* environment variables when omitted.

    Returns:
        A frozen Answer with .text, .citations, .passages and .refused.
    """
    return get_chatbot(config).answer(question, history)


def stream_answer(
    question: str, history: Sequence[dict] | None = None, config: Config | None = None
) -> Iterator[str | Answer]:
    """Like answer(), but yields text pieces as they are generated and the Answer last."""
    return get_chatbot(config).stream(question, history)
