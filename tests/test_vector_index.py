import faiss
import numpy as np

from chatbot.documents import load_corpus
from chatbot.index import build_index, load_index, read_manifest
from chatbot.retrieval import Retriever
from chatbot.vector_index import build_vector_index
from tests.test_index import PARAMS


def clustered(count: int, dimension: int = 32, seed: int = 1) -> np.ndarray:
    """Points around the same 40 centres whatever the seed; the seed draws the points."""
    centres = np.random.default_rng(0).standard_normal((40, dimension))
    rng = np.random.default_rng(seed)
    vectors = centres[rng.integers(0, 40, count)] + 0.4 * rng.standard_normal((count, dimension))
    vectors = vectors.astype(np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def recall_at_10(index, vectors: np.ndarray, queries: np.ndarray) -> float:
    _, truth = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    _, found = index.search(queries, 10)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]))


def test_small_collections_are_searched_exactly():
    vectors = clustered(2_000)
    index, kind = build_vector_index(vectors, approximate_above=2_000)
    assert kind == {"kind": "exact"}
    assert recall_at_10(index, vectors, clustered(50, seed=7)) == 1.0


def test_above_the_threshold_the_index_is_approximate_and_keeps_recall_on_new_queries():
    vectors = clustered(6_000)
    index, kind = build_vector_index(vectors, approximate_above=5_000)
    assert kind["kind"] == "ivf" and kind["recall_at_10"] >= 0.95
    assert 1 <= kind["probes"] <= kind["lists"] == index.nlist
    assert index.nprobe == kind["probes"]
    # Questions are not stored chunks: measure on new points the calibration never saw.
    assert recall_at_10(index, vectors, clustered(200, seed=9)) >= 0.95
    assert np.allclose(index.reconstruct(123), vectors[123])


def test_probing_stops_at_every_list_when_nothing_less_reaches_the_target():
    vectors = np.random.default_rng(3).standard_normal((4_000, 64)).astype(np.float32)
    faiss.normalize_L2(vectors)  # no structure at all: the hardest case for an inverted index
    index, kind = build_vector_index(vectors, approximate_above=1_000)
    assert kind["recall_at_10"] >= 0.97 or kind["probes"] == index.nlist


def test_a_big_index_is_approximate_and_still_answers_reuses_and_reloads(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(60):
        paragraphs = [f"Topic{n} item{i} describes widget{n}x{i} and gadget{i}." for i in range(30)]
        (corpus / f"doc{n}.md").write_text(f"# Document {n}\n\n" + "\n\n".join(paragraphs))
    report = build_index(
        load_corpus(corpus), embedder, tmp_path / "index", PARAMS, approximate_above=100
    )
    manifest = read_manifest(tmp_path / "index")
    assert manifest.search["kind"] == "ivf" and report.chunks > 100
    index = load_index(tmp_path / "index")
    assert index.vectors.nprobe == manifest.search["probes"]
    # The approximate dense search itself finds stored passages, not only BM25 beside it.
    rows = list(range(0, len(index.chunks), 7))
    queries = np.stack([index.vectors.reconstruct(row) for row in rows])
    _, found = index.vectors.search(queries, 1)
    assert sum(int(f[0]) == row for f, row in zip(found, rows, strict=True)) >= 0.9 * len(rows)
    best = Retriever(index, embedder).retrieve("widget17x5", 1)[0]
    assert "widget17x5" in best.chunk.text

    (corpus / "doc3.md").write_text("# Document 3\n\nNow about something else entirely.")
    again = build_index(
        load_corpus(corpus), embedder, tmp_path / "index", PARAMS, approximate_above=100
    )
    assert again.embedded == 1 and again.reused == again.chunks - 1


def test_the_manifest_says_the_search_is_exact_for_a_small_corpus(corpus_dir, tmp_path, embedder):
    build_index(load_corpus(corpus_dir), embedder, tmp_path / "index", PARAMS)
    assert read_manifest(tmp_path / "index").search == {"kind": "exact"}
