"""Question -> ranked Passage(chunk, title, score, similarity): dense (FAISS) and lexical (BM25)
fused by RRF.

The BM25 model is built once per loaded index, never per query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatbot.chunking import Chunk, section_label
from chatbot.embedding import Embedder
from chatbot.index import Index

RRF_K = 60  # the constant of Cormack et al. (2009); dampens the weight of top ranks
CANDIDATES = 30  # how deep each ranker looks before fusion


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    title: str  # of the document the chunk belongs to
    score: float  # fused RRF score: higher is better
    similarity: float  # cosine similarity of question and chunk, from the dense ranker
    lexical: float  # BM25 score; 0 when no question word occurs in the chunk

    @property
    def where(self) -> str:
        """Document title and section, for people and for the prompt."""
        return section_label(self.title, self.chunk.heading)


def _tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def top_positive(scores: np.ndarray, depth: int) -> list[int]:
    """Rows of the `depth` highest scores above 0, best first, ties by row: a selection among the
    rows that match at all, not a sort of every chunk."""
    rows = np.flatnonzero(scores > 0)
    if depth < len(rows):
        values = scores[rows]
        kth = np.partition(values, len(values) - depth)[len(values) - depth]  # depth-th highest
        above = rows[values > kth]
        rows = np.concatenate([above, rows[values == kth][: depth - len(above)]])
    return sorted(rows.tolist(), key=lambda i: (-scores[i], i))


class Retriever:
    def __init__(self, index: Index, embedder: Embedder):
        import bm25s

        self.index = index
        self.embedder = embedder
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            _tokenize(
                [f"{index.documents[c.doc_id].title} {c.heading}\n{c.text}" for c in index.chunks]
            ),
            show_progress=False,
        )

    def _dense(self, query: np.ndarray, depth: int) -> dict[int, float]:
        scores, ids = self.index.vectors.search(query.reshape(1, -1), depth)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def _lexical(self, question: str) -> np.ndarray:
        tokens = _tokenize([question])[0]
        if not tokens:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def retrieve(self, question: str, k: int) -> list[Passage]:
        """The k best passages for the question, best first."""
        n = len(self.index.chunks)
        depth = min(n, max(CANDIDATES, k))
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        dense = self._dense(query, depth)
        lexical = self._lexical(question)
        fused: dict[int, float] = {}
        for rank, i in enumerate(sorted(dense, key=dense.get, reverse=True)):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        lexical_order = top_positive(lexical, depth)
        for rank, i in enumerate(lexical_order):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        missing = [i for i in best if i not in dense]
        if missing:  # lexical-only hits still need their cosine similarity for the relevance check
            dense.update({i: float(self.index.vectors.reconstruct(i) @ query) for i in missing})
        return [
            Passage(
                chunk=self.index.chunks[i],
                title=self.index.documents[self.index.chunks[i].doc_id].title,
                score=fused[i],
                similarity=dense[i],
                lexical=float(lexical[i]),
            )
            for i in best
        ]
