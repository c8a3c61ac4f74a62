"""Dense search at scale: exact FAISS search against the product's approximate index (IVF with its
probe count calibrated at build time), and BM25 query time, to choose where the index switches.

    python -m benchmarks.retrieval_scale [--sizes 10000 100000 1000000] [--real INDEX_DIR]

Synthetic vectors are clustered, normalised 384-d points; their queries are question-like points
near them (chatbot.vector_index.question_like) that the calibration never saw. With --real, the
vectors of a built index are used too (e.g. the one `python -m benchmarks.ingest --big-file 50
--keep DIR` leaves), queried with the first sentence of sample chunks embedded by the real model,
and BM25 is timed on that index's text.

Prints p50/p99 query latency and recall@10 against exact search for each size.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import faiss
import numpy as np

from chatbot.vector_index import build_vector_index, question_like

DIM = 384


def clustered_vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    """Vectors around 1,000 random centres, normalised."""
    centres = np.random.default_rng(0).standard_normal((1000, DIM)).astype(np.float32)
    vectors = centres[rng.integers(0, 1000, n)]
    vectors += 0.5 * rng.standard_normal((n, DIM)).astype(np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def timed_search(index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[float]]:
    results, times = [], []
    for query in queries:
        started = time.perf_counter()
        _, ids = index.search(query.reshape(1, -1), k)
        times.append((time.perf_counter() - started) * 1000)
        results.append(ids[0])
    return np.array(results), times


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def compare(label: str, vectors: np.ndarray, queries: np.ndarray) -> None:
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    truth, exact_times = timed_search(exact, queries)
    del exact
    started = time.perf_counter()
    approximate, kind = build_vector_index(vectors, approximate_above=0)
    build_s = time.perf_counter() - started
    found, times = timed_search(approximate, queries)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    print(
        f"{label:<22} {len(vectors):>9} {statistics.median(exact_times):>9.2f} "
        f"{p99(exact_times):>9.2f} "
        f"{kind['lists']:>6} {kind['probes']:>6} {build_s:>7.1f} {statistics.median(times):>8.2f} "
        f"{p99(times):>8.2f} {kind['recall_at_10']:>9.3f} {recall:>9.3f}"
    )


def real_queries(index, count: int, rng: np.random.Generator) -> np.ndarray:
    from chatbot.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    rows = rng.choice(len(index.chunks), count, replace=False)
    sentences = [index.chunks[r].text.split(". ")[0][:160] for r in rows]
    return np.stack([embedder.embed_query(s) for s in sentences]).astype(np.float32)


def bm25_times(index, copies: int, count: int, rng: np.random.Generator) -> None:
    """BM25 as the retriever runs it (scores of every chunk, then the top 30), over the index's
    real chunk texts repeated `copies` times."""
    import bm25s

    from chatbot.index.lexical import tokenize
    from chatbot.retrieval import top_positive

    texts = [c.text for c in index.chunks] * copies
    started = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index(tokenize(texts), show_progress=False)
    built = time.perf_counter() - started
    times = []
    for r in rng.choice(len(index.chunks), count, replace=False):
        tokens = tokenize([" ".join(index.chunks[r].text.split()[:8])])[0]
        started = time.perf_counter()
        if tokens:
            top_positive(np.asarray(bm25.get_scores(tokens), dtype=np.float32), 30)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"BM25 over {len(texts)} real chunks: built once in {built:.1f} s; "
        f"query p50 {statistics.median(times):.1f} ms, p99 {p99(times):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--real", type=Path, help="also measure the vectors of this index folder")
    parser.add_argument(
        "--bm25-copies",
        type=int,
        nargs="+",
        default=[1, 12],
        help="with --real: BM25 over N copies",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    faiss.omp_set_num_threads(2)
    print(
        f"{'vectors':<22} {'count':>9} {'exact p50':>9} {'exact p99':>9} {'lists':>6} "
        f"{'probes':>6} "
        f"{'build s':>7} {'ivf p50':>8} {'ivf p99':>8} {'cal. rec':>9} {'recall@10':>9}"
    )
    if args.real:
        from chatbot.index import load_index

        index = load_index(args.real)
        vectors = np.stack([index.vectors.reconstruct(i) for i in range(index.vectors.ntotal)])
        queries = real_queries(index, args.queries, rng)
        compare("real, real queries", vectors, queries)
        compare("real, question-like", vectors, question_like(vectors, args.queries, rng))
        for copies in args.bm25_copies:
            bm25_times(index, copies, args.queries, rng)
        del vectors, index
    for n in args.sizes:
        vectors = clustered_vectors(n, rng)
        compare("synthetic clustered", vectors, question_like(vectors, args.queries, rng))
        del vectors


if __name__ == "__main__":
    main()
