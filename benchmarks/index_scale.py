"""Opening a big index: how long until the first question's passages are found, how much memory the
open index holds, and how fast and how exact retrieval is, at 10k / 100k / 1M chunks of real text.

    python -m benchmarks.index_scale [--sizes 10000 100000 1000000] [--work DIR]

The text is real (the Python standard library's sources, as benchmarks.ingest uses), copied as
often as the size needs, each copy a document of its own. Vectors are real all-MiniLM-L6-v2
embeddings of 2,000 distinct chunks of it, each chunk getting one of them plus a little noise (as
copies of a text have near-identical vectors): embedding a million chunks would take hours and
tells nothing about opening an index. Questions are the first sentences of 36 other chunks,
embedded by the real model (as benchmarks.retrieval_scale asks).

Each size is built once with the product's own build_index, then opened in a fresh process that
reports: open + first retrieval (s), resident memory the open index added (MB, against the
vectors' own size), retrieval p50 / p99 (ms) over 36 questions, and the dense search's recall@10
against exact search, strictly and counting a passage that scores as high as exact search's 10th
(copies of a text make near-ties). Run it with an older checkout on PYTHONPATH to measure that
one the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import sysconfig
import time
import zlib
from pathlib import Path

import numpy as np

DIM = 384
BASE_VECTORS = 2_000


def real_text(megabytes: float) -> str:
    """About `megabytes` MB of the standard library's Python sources, each file once."""
    wanted, parts, size = int(megabytes * 2**20), [], 0
    for file in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        if size >= wanted:
            break
        text = file.read_text(encoding="utf-8", errors="replace")
        parts.append(f"\n\n# {file.name}\n\n{text}")
        size += len(parts[-1])
    return "".join(parts)[:wanted]


class CopiedEmbedder:
    """Real embeddings of a sample of chunks, handed out by a hash of each text, plus noise."""

    model_id = "benchmark-copies-of-all-MiniLM-L6-v2"
    dimension = DIM

    def __init__(self, base: np.ndarray):
        self.base = base

    def embed_documents(self, texts):
        rows = [zlib.crc32(t.encode("utf-8")) % len(self.base) for t in texts]
        rng = np.random.default_rng(len(texts))
        vectors = self.base[rows] + 0.01 * rng.standard_normal((len(texts), DIM), np.float32)
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    def embed_query(self, text):
        raise NotImplementedError("questions come embedded")


def prepare(work: Path) -> tuple[Path, Path]:
    """The base text and the real embeddings (of sample chunks and of the questions), made once."""
    from chatbot.chunking import chunk_document
    from chatbot.config import Config
    from chatbot.documents import Document
    from chatbot.embedding import SentenceTransformerEmbedder

    text_file, vectors_file = work / "base.txt", work / "base-vectors.npz"
    if not vectors_file.exists():
        work.mkdir(parents=True, exist_ok=True)
        text = real_text(50)
        text_file.write_text(text, encoding="utf-8")
        chunks = chunk_document(Document("base", "Base", "base.txt", text, "-"), Config().chunking)
        sample = [chunks[i].text for i in np.linspace(0, len(chunks) - 1, BASE_VECTORS, dtype=int)]
        asked = np.random.default_rng(1).choice(len(chunks), 36, replace=False)
        questions = [chunks[i].text.split(". ")[0][:160] for i in asked]
        model = SentenceTransformerEmbedder()
        np.savez(
            vectors_file,
            base=model.embed_documents(sample),
            questions=model.embed_documents(questions),
            question_texts=np.array(questions),
            chunks_per_copy=len(chunks),
        )
        print(f"base text: {len(text) / 2**20:.0f} MB, {len(chunks):,} chunks", flush=True)
    return text_file, vectors_file


def build(work: Path, size: int, text_file: Path, vectors_file: Path) -> Path:
    from chatbot.chunking import ChunkingParams
    from chatbot.documents import Document
    from chatbot.index import build_index

    index_dir = work / f"index-{size}"
    if (index_dir / "manifest.json").exists():
        return index_dir
    text = text_file.read_text(encoding="utf-8")
    per_copy = int(np.load(vectors_file)["chunks_per_copy"])
    # Whole copies, then part of one for the rest: each copy a document of its own.
    parts = [len(text)] * (size // per_copy)
    if size % per_copy:
        parts.append(len(text) * (size % per_copy) // per_copy)
    documents = []
    for n, length in enumerate(parts):
        body = f"# Copy {n}\n\n{text[:length]}"
        digest = hashlib.sha256(body.encode()).hexdigest()
        documents.append(Document(f"copy-{n}", f"Copy {n}", f"copy-{n}.txt", body, digest))
    embedder = CopiedEmbedder(np.load(vectors_file)["base"])
    started = time.perf_counter()
    # The default chunk sizes, spelled out: older checkouts have no Config.chunking.
    report = build_index(documents, embedder, index_dir, ChunkingParams(700, 1200))
    print(f"built {report.chunks:,} chunks in {time.perf_counter() - started:.0f} s", flush=True)
    return index_dir


# Runs in a fresh process: open the index, answer the first question's retrieval, then the rest.
MEASURE = """
import json, resource, sys, time
import numpy as np
from chatbot.index import load_index
from chatbot.retrieval import Retriever

def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024

import bm25s, faiss  # the libraries' own memory is not the index's
saved = np.load(sys.argv[2])
questions, texts = saved["questions"], [str(t) for t in saved["question_texts"]]
by_text = dict(zip(texts, questions))

class Embedded:
    def embed_query(self, text):
        return by_text[text]

before = rss_mb()
started = time.perf_counter()
index = load_index(sys.argv[1])
retriever = Retriever(index, Embedded())
retriever.retrieve(texts[0], 4)
open_s = time.perf_counter() - started
added = rss_mb() - before
times = []
for text in texts:
    t = time.perf_counter()
    retriever.retrieve(text, 4)
    times.append((time.perf_counter() - t) * 1000)
added_after = rss_mb() - before
n = index.vectors.ntotal
all_vectors = index.vectors.reconstruct_n(0, n)
exact = all_vectors @ questions.T
truth = np.argsort(-exact, axis=0)[:10].T
scores, found = index.vectors.search(questions, 10)
recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)]))
# Copies make near-ties: a passage scoring as high as exact search's 10th (to 1e-5) is as good.
tenth = np.sort(exact, axis=0)[-10]
as_good = float(np.mean(scores >= tenth[:, None] - 1e-5))
print(json.dumps({"chunks": n, "open_s": open_s, "rss_added_mb": added,
    "rss_after_questions_mb": added_after, "vectors_mb": n * index.vectors.d * 4 / 2**20,
    "p50_ms": float(np.median(times)), "p99_ms": float(np.percentile(times, 99)),
    "recall_at_10": recall, "as_good_at_10": as_good}))
"""


def measure(index_dir: Path, vectors_file: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(index_dir), str(vectors_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/chatbot-index-scale"))
    args = parser.parse_args()
    text_file, vectors_file = prepare(args.work)
    print(
        f"{'chunks':>9} {'open+1st s':>10} {'RSS MB':>7} {'vectors MB':>10} {'RSS/vec':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'recall@10':>9} {'as good':>7}",
        flush=True,
    )
    for size in args.sizes:
        result = measure(build(args.work, size, text_file, vectors_file), vectors_file)
        print(
            f"{result['chunks']:>9,} {result['open_s']:>10.2f} {result['rss_added_mb']:>7.0f} "
            f"{result['vectors_mb']:>10.0f} {result['rss_added_mb'] / result['vectors_mb']:>7.2f} "
            f"{result['p50_ms']:>7.1f} {result['p99_ms']:>7.1f} {result['recall_at_10']:>9.3f} "
            f"{result.get('as_good_at_10', float('nan')):>7.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
