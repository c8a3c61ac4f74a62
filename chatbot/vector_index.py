"""Vectors -> the FAISS index that searches them: exact up to a size, approximate (IVF) above it,
with the IVF's probe count calibrated on the corpus itself so recall@10 stays near exact search.

Chosen with benchmarks/retrieval_scale.py on the 2-core build machine: exact search takes 7 ms
(p50; p99 13 ms) at 100,000 chunks and 58 ms (p99 98 ms) at 1,000,000, growing linearly; past
about 300,000 its p99 exceeds 1 % of the time to the first word of an answer. The calibrated
IVF answers in under 0.5 ms at every size measured, with recall@10 0.955-0.976 of exact on the
82,588 real chunks of a 50 MB file and 0.968 on 1,000,000 synthetic ones, so below the threshold
no recall is given up for time nobody would notice.
"""

from __future__ import annotations

import math

import numpy as np

APPROXIMATE_ABOVE = 300_000
TARGET_RECALL = 0.97  # recall@10 against exact search on sample queries; the promise is >= 0.95
CALIBRATION_QUERIES = 200
# Cosine similarity of a calibration query to the stored vector it is made from. Measured with
# all-MiniLM-L6-v2, the license questions have 0.70 with their best passage (median; 10th
# percentile 0.41): 0.6 makes calibration queries a little harder than a typical question.
QUERY_SIMILARITY = 0.6
TRAINING_POINTS_PER_LIST = 40  # k-means training sample per inverted list (FAISS wants >= 39)
# Calibration queries are easier than questions: their neighbours sit in fewer lists. On 1,000,000
# chunks of real text (benchmarks/index_scale.py), questions made of the text's own sentences
# needed 8 times the calibrated probes to be as good as exact search; 8 times costs 1.7 ms there.
PROBE_MARGIN = 8


def build_vector_index(
    vectors: np.ndarray, approximate_above: int = APPROXIMATE_ABOVE, seed: int = 0
) -> tuple[object, dict]:
    """The index for these (normalised) vectors, row i = id i, and its description for the
    manifest."""
    import faiss

    count, dimension = vectors.shape
    if count <= approximate_above:
        exact = faiss.IndexFlatIP(dimension)
        exact.add(vectors)
        return exact, {"kind": "exact"}

    lists = min(int(4 * math.sqrt(count)), count // 39)  # FAISS wants >= 39 training points a list
    rng = np.random.default_rng(seed)
    ivf = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT
    )
    sample = rng.choice(count, min(count, lists * TRAINING_POINTS_PER_LIST), replace=False)
    ivf.train(vectors[np.sort(sample)])
    ivf.add(vectors)
    ivf.make_direct_map()  # reconstruct(row) is needed to reuse vectors and to score BM25-only hits
    calibrated, recall = calibrate_probes(ivf, vectors, rng)
    ivf.nprobe = min(calibrated * PROBE_MARGIN, ivf.nlist)
    return ivf, {
        "kind": "ivf",
        "lists": lists,
        "probes": ivf.nprobe,
        "calibrated_probes": calibrated,
        "recall_at_10": round(recall, 3),  # of the calibrated probes, on calibration queries
    }


def question_like(vectors: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Sample queries near the stored vectors but not on them, as questions are: each is a stored
    vector turned towards a random direction until their cosine similarity is QUERY_SIMILARITY."""
    rows = rng.choice(len(vectors), min(len(vectors), count), replace=False)
    noise = rng.standard_normal((len(rows), vectors.shape[1])).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    queries = QUERY_SIMILARITY * vectors[rows] + math.sqrt(1 - QUERY_SIMILARITY**2) * noise
    return queries / np.linalg.norm(queries, axis=1, keepdims=True)


def calibrate_probes(ivf, vectors: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """Smallest nprobe (doubling) whose recall@10 against exact search reaches TARGET_RECALL on
    question-like sample queries."""
    import faiss

    queries = question_like(vectors, CALIBRATION_QUERIES, rng)
    _, truth = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    probes = 1
    while True:
        ivf.nprobe = probes
        _, found = ivf.search(queries, 10)
        recall = float(
            np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
        )
        if recall >= TARGET_RECALL or probes >= ivf.nlist:
            return probes, recall
        probes = min(probes * 2, ivf.nlist)
