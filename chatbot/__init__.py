"""A local chatbot that answers from your documents and cites the passages it rests on.

    from chatbot import answer
    a = answer("Who introduced the GNU GPL, and when?")
    print(a.text, [c.passage.title for c in a.citations])

Models load on the first question, not at import; one model per model settings in a process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatbot.answering import Answer, Reading
    from chatbot.config import Config
    from chatbot.pipeline import Chatbot

__all__ = ["answer", "get_chatbot", "stream_answer"]

_bots: dict = {}  # Config (per-question settings at their defaults) -> Chatbot
_bots_lock = threading.Lock()


def get_chatbot(config: Config | None = None) -> Chatbot:
    """The shared Chatbot for a configuration's documents and models (the environment's when none
    is given). Configurations that differ only in per-question settings share one."""
    from chatbot.config import load_config
    from chatbot.pipeline import Chatbot

    key = (config or load_config()).for_documents()
    with _bots_lock:
        if key not in _bots:
            _bots[key] = Chatbot(key)
        return _bots[key]


def answer(
    question: str,
    history: Sequence[dict] | None = None,
    config: Config | None = None,
    *,
    top_k: int | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
) -> Answer:
    """Answer a question from the indexed documents.

    Args:
        question: what to ask.
        history: earlier turns, [{"role": "user"|"assistant", "content": str}, ...], for follow-ups.
        config: settings; defaults plus CHATBOT_* environment variables when omitted.
        top_k, temperature, max_tokens: for this question only (checked like Config's fields);
            they never load a second model.

    Returns:
        A frozen Answer with .text, .citations, .passages and .refused.
    """
    pieces = stream_answer(
        question, history, config, top_k=top_k, temperature=temperature, max_tokens=max_tokens
    )
    *_, result = pieces  # the text pieces, then the Answer
    return result


def stream_answer(
    question: str,
    history: Sequence[dict] | None = None,
    config: Config | None = None,
    *,
    top_k: int | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
) -> Iterator[str | Reading | Answer]:
    """Like answer(), but streams: a Reading (the passages found, before the model reads them;
    none when the documents do not cover the question), the text pieces as they are generated,
    and the Answer last."""
    from chatbot.config import load_config

    config = config or load_config()  # read the environment once, for the bot and the settings
    settings = {
        "top_k": config.top_k if top_k is None else top_k,
        "temperature": config.temperature if temperature is None else temperature,
        "max_tokens": config.max_answer_tokens if max_tokens is None else max_tokens,
    }
    return get_chatbot(config).stream(question, history, **settings)
