import numpy as np
import pytest

from chatbot.chunking import ChunkingParams
from chatbot.documents import load_corpus
from chatbot.index import build_index, load_index
from chatbot.retrieval import Retriever


@pytest.fixture
def retriever(corpus_dir, tmp_path, embedder):
    build_index(load_corpus(corpus_dir), embedder, tmp_path / "index", ChunkingParams(200, 400))
    return Retriever(load_index(tmp_path / "index"), embedder)


def test_the_passage_holding_the_answer_ranks_first(retriever):
    best = retriever.retrieve("Who introduced the GNU General Public License?", k=3)[0]
    assert "Richard Stallman" in best.chunk.text and best.title == "Open Source in Practice"


def test_passages_carry_scores_best_first(retriever):
    passages = retriever.retrieve("bread flour yeast", k=4)
    assert "flour" in passages[0].chunk.text
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert passages[0].similarity > 0.2 and passages[0].lexical > 0


def test_k_limits_the_result_and_never_exceeds_the_index(retriever):
    assert len(retriever.retrieve("license", k=1)) == 1
    assert len(retriever.retrieve("license", k=50)) == len(retriever.index.chunks)


def test_lexical_matches_are_fused_in(corpus_dir, tmp_path, embedder):
    class Blind(type(embedder)):  # every text gets the same vector: dense search ranks nothing
        def _vector(self, text):
            vector = np.zeros(self.dimension, dtype=np.float32)
            vector[0] = 1.0
            return vector

    blind = Blind()
    build_index(load_corpus(corpus_dir), blind, tmp_path / "blind", ChunkingParams(200, 400))
    passages = Retriever(load_index(tmp_path / "blind"), blind).retrieve("arXiv", k=2)
    assert "arXiv" in passages[0].chunk.text, "BM25's exact match was not fused in first"


def test_a_question_of_stop_words_only_still_works(retriever):
    assert retriever.retrieve("the of and", k=2)


def test_bm25_is_built_once_not_per_query(retriever, monkeypatch):
    import bm25s

    def fail(*args, **kwargs):
        raise AssertionError("BM25 rebuilt during a query")

    monkeypatch.setattr(bm25s.BM25, "index", fail)
    retriever.retrieve("GitHub founded", k=2)


def test_top_positive_matches_a_full_stable_sort():
    from chatbot.retrieval import top_positive

    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 2_000).astype(np.float32)  # many ties and zeros
    for depth in (1, 30, 2_000, 5_000):
        expected = [int(i) for i in np.argsort(-scores, kind="stable")[:depth] if scores[i] > 0]
        assert top_positive(scores, depth) == expected


def test_sentences_saying_a_number_are_found_in_every_document(retriever):
    said = retriever.sentences_saying("1989")
    assert said == ["The GNU General Public License was introduced by Richard Stallman in 1989."]
    assert retriever.sentences_saying("1998") == []
