"""Index build speed: a full `build_index` against the raw sentence-transformers encode of the
same texts in the same run (the pipeline's overhead), in float32 and, where the CPU supports it,
bfloat16 (and whether bf16 keeps the retrieval rankings).

    python -m benchmarks.index_build [FOLDER] [--limit 40]

FOLDER defaults to the shipped corpus.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from chatbot.chunking import chunk_document
from chatbot.config import PROJECT_ROOT, Config
from chatbot.documents import load_corpus
from chatbot.embedding import SentenceTransformerEmbedder, packaged_model_dir
from chatbot.index import build_index, embedding_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--limit", type=int, default=40, help="documents to take from the folder")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    documents = load_corpus(args.folder)[: args.limit]
    by_id = {d.id: d for d in documents}
    chunks = [c for d in documents for c in chunk_document(d, Config().chunking)]
    texts = [embedding_text(by_id[c.doc_id], c) for c in chunks]
    print(f"{len(documents)} documents, {len(texts)} chunks")

    embedder = SentenceTransformerEmbedder()
    embedder.embed_query("load before timing")
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        report = build_index(
            documents, embedder, Path(work) / "index", Config().chunking, reuse=False
        )
        ours = time.perf_counter() - started

    raw = SentenceTransformer(str(packaged_model_dir()), device="cpu")
    started = time.perf_counter()
    fp32 = raw.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    raw_s = time.perf_counter() - started
    print(f"{'what':<34} {'seconds':>8} {'chunks/s':>9}")
    print(f"{'build_index (chunk+embed+write)':<34} {ours:>8.1f} {report.chunks / ours:>9.1f}")
    print(f"{'raw encode, float32':<34} {raw_s:>8.1f} {len(texts) / raw_s:>9.1f}")
    print(f"overhead of build_index over the raw encode: {100 * (ours - raw_s) / raw_s:+.1f} %")

    bf16_model = SentenceTransformer(
        str(packaged_model_dir()), device="cpu", model_kwargs={"torch_dtype": torch.bfloat16}
    )
    started = time.perf_counter()
    bf16 = bf16_model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    bf16_s = time.perf_counter() - started
    print(f"{'raw encode, bfloat16':<34} {bf16_s:>8.1f} {len(texts) / bf16_s:>9.1f}")
    queries = texts[:: max(1, len(texts) // 50)]
    q32 = raw.encode(queries, normalize_embeddings=True)
    q16 = bf16_model.encode(queries, normalize_embeddings=True)
    same = np.mean(
        [
            list(np.argsort(-fp32 @ a)[:5])
            == list(np.argsort(-np.asarray(bf16, dtype=np.float32) @ b)[:5])
            for a, b in zip(q32, np.asarray(q16, dtype=np.float32), strict=True)
        ]
    )
    print(f"bf16 top-5 rankings identical to float32 for {same:.0%} of {len(queries)} queries")


if __name__ == "__main__":
    main()
