"""Question -> ranked Passage(chunk, title, score, similarity): dense (FAISS) and lexical (BM25)
fused by RRF.

Both halves come built with the index (chatbot.index); only the passages that make the top k are
read from the chunk store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from chatbot.chunking import Chunk, section_label
from chatbot.embedding import Embedder
from chatbot.index import Index
from chatbot.sentences import sentence_spans

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
        self.index = index
        self.embedder = embedder
        # Titles by document id: a passage needs its title, and there are few documents.
        self._titles = {d.id: d.title for d in index.manifest.documents}

    def _dense(self, query: np.ndarray, depth: int) -> dict[int, float]:
        scores, ids = self.index.vectors.search(query.reshape(1, -1), depth)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def sentences_saying(self, term: str) -> list[str]:
        """Every sentence of the documents holding `term` as a word (a year, a figure), found
        through the keyword index: a question's number is checked against these beyond the
        passages found for it."""
        rows = np.flatnonzero(self.index.lexical.scores(term) > 0).tolist()
        whole = re.compile(rf"(?<![\w.]){re.escape(term)}(?!\w)")
        return [
            chunk.text[a:b]
            for chunk in self.index.store.chunks_at(rows)
            for a, b in sentence_spans(chunk.text)
            if whole.search(chunk.text[a:b])
        ]

    def every_passage(self, batch: int = 256) -> Iterator[Passage]:
        """Every chunk of the index as a passage (no question: no scores), in index order."""
        total = len(self.index.chunks)
        for start in range(0, total, batch):
            for chunk in self.index.store.chunks_at(range(start, min(total, start + batch))):
                yield Passage(chunk, self._titles[chunk.doc_id], 0.0, 0.0, 0.0)

    def retrieve(self, question: str, k: int) -> list[Passage]:
        """The k best passages for the question, best first."""
        n = len(self.index.chunks)
        depth = min(n, max(CANDIDATES, k))
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        dense = self._dense(query, depth)
        lexical = self.index.lexical.scores(question)
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
        chunks = self.index.store.chunks_at(best)
        return [
            Passage(
                chunk=chunk,
                title=self._titles[chunk.doc_id],
                score=fused[i],
                similarity=dense[i],
                lexical=float(lexical[i]),
            )
            for i, chunk in zip(best, chunks, strict=True)
        ]
