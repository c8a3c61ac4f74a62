"""Fakes for the heavy models, shared by every test: an embedder and language models that answer in
microseconds and record what they were given."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence

import numpy as np

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
    """Deterministic bag-of-words vectors: texts sharing content words are similar, in
    microseconds."""

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

    def load(self) -> None:
        pass

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def reply_to(self, messages) -> str:
        if self.reply is not None:
            return self.reply
        first = re.search(  # the first passage: the one the number [1] follows
            r"Passages:\n\n<<<\n\(.*?\)\n(.+?[.!?])(?:\s|$)", messages[-1]["content"], re.DOTALL
        )
        return f"{first.group(1)} [1]." if first else "The documents do not cover this question."

    def stream_chat(self, messages, max_tokens: int, temperature: float) -> Iterator[str]:
        self.calls.append([dict(m) for m in messages])
        yield from re.findall(r"\S+\s*", self.reply_to(messages))

    @property
    def last_prompt(self) -> str:
        return self.calls[-1][-1]["content"]


class SlowLLM:
    """Streams 60 words, one every 0.1 s, and counts how many it produced."""

    name = "slow"

    def __init__(self):
        self.produced = 0

    def load(self) -> None:
        pass

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def stream_chat(self, messages, max_tokens, temperature):
        for i in range(60):
            time.sleep(0.1)
            self.produced += 1
            yield f"word{i} "
