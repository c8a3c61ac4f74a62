"""The lexical (BM25) half of the index: built once when the index is built, saved beside the
vectors, and memory-mapped when it is opened, so opening a big index costs no BM25 rebuild."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from chatbot.chunking import Chunk

BM25_DIR = "bm25"


def tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def lexical_text(title: str, chunk: Chunk) -> str:
    """What BM25 matches a question against: the document title, the section and the passage."""
    return f"{title} {chunk.heading}\n{chunk.text}"


def write_bm25(folder: Path, texts: Iterable[str]) -> list[Path]:
    """Build the BM25 model of these texts (row i = chunk i) into folder/bm25; returns its files."""
    import bm25s

    model = bm25s.BM25()
    model.index(tokenize(list(texts)), show_progress=False)
    target = folder / BM25_DIR
    model.save(target, show_progress=False)
    return sorted(p for p in target.iterdir() if p.is_file())


class Lexical:
    """The saved BM25 model, memory-mapped: scores every chunk for a question's words."""

    def __init__(self, folder: Path, chunk_count: int):
        import bm25s

        self.chunk_count = chunk_count
        self._model = bm25s.BM25.load(folder / BM25_DIR, mmap=True, show_progress=False)

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every chunk (row order); zeros when no word of the question is known."""
        tokens = tokenize([question])[0]
        if not tokens:
            return np.zeros(self.chunk_count, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)
