"""Index a real, larger corpus and report documents/s, chunks/s, peak memory, and how long a
re-sync takes after one file changes.

    python -m benchmarks.ingest [FOLDER] [--limit 100]

FOLDER defaults to the HTML pages of Debian's python3-doc package (apt-get install python3-doc).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from chatbot.chunking import ChunkingParams
from chatbot.documents import load_corpus
from chatbot.embedding import SentenceTransformerEmbedder
from chatbot.index import build_index

DEFAULT_FOLDER = Path("/usr/share/doc/python3-doc/html/library")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--limit", type=int, default=100, help="documents to take from the folder")
    args = parser.parse_args()
    files = sorted(p for p in args.folder.rglob("*.html") if p.is_file())[: args.limit]
    if not files:
        raise SystemExit(
            f"No HTML files under {args.folder}: apt-get install python3-doc, or give a folder."
        )

    with tempfile.TemporaryDirectory() as work:
        corpus, index_dir = Path(work) / "corpus", Path(work) / "index"
        corpus.mkdir()
        for file in files:
            shutil.copy(file, corpus / file.name)
        embedder = SentenceTransformerEmbedder()
        embedder.embed_query("load the model before timing")

        started = time.perf_counter()
        documents = load_corpus(corpus)
        extracted = time.perf_counter() - started
        report = build_index(documents, embedder, index_dir, ChunkingParams())
        total = time.perf_counter() - started
        print(
            f"{'documents':>9} {'chunks':>7} {'extract s':>9} {'build s':>8} {'docs/s':>7} {'chunks/s':>8} {'peak RSS MB':>11}"
        )
        print(
            f"{report.documents:>9} {report.chunks:>7} {extracted:>9.1f} {report.seconds:>8.1f} "
            f"{report.documents / total:>7.1f} {report.chunks / report.seconds:>8.1f} {peak_rss_mb():>11.0f}"
        )

        touched = corpus / files[len(files) // 2].name
        touched.write_text(
            touched.read_text(errors="replace")
            + "<p>One more paragraph, added to test a re-sync.</p>"
        )
        started = time.perf_counter()
        resync = build_index(load_corpus(corpus), embedder, index_dir, ChunkingParams())
        print(
            f"re-sync after touching one file: {time.perf_counter() - started:.1f} s "
            f"({resync.embedded} chunks embedded, {resync.reused} reused)"
        )


if __name__ == "__main__":
    main()
