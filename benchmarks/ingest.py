"""Index a real, larger corpus and report documents/s, chunks/s, peak memory, and how long a
re-sync takes after one file changes.

    python -m benchmarks.ingest [FOLDER] [--limit 100]
    python -m benchmarks.ingest --big-file 50 [--keep DIR]

FOLDER defaults to the HTML pages of Debian's python3-doc package (apt-get install python3-doc).
--big-file MB indexes one text file of MB megabytes, assembled from the reST sources of the
python3-doc pages and then the Python standard library's source (real, distinct text), and
reports peak memory per step: the build must stay bounded, not hold the corpus many times over.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sysconfig
import tempfile
import time
from pathlib import Path

from chatbot.chunking import chunk_document
from chatbot.config import Config
from chatbot.documents import load_corpus
from chatbot.embedding import SentenceTransformerEmbedder
from chatbot.index import build_index, load_index
from chatbot.retrieval import Retriever

DEFAULT_FOLDER = Path("/usr/share/doc/python3-doc/html/library")
BIG_FILE_SOURCES = (Path("/usr/share/doc/python3-doc/html/_sources"),)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_big_file(path: Path, megabytes: int) -> None:
    """One text file of about `megabytes` MB of real text, each source file once."""
    wanted = megabytes * 2**20
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for folder in (*BIG_FILE_SOURCES, Path(sysconfig.get_paths()["stdlib"])):
            for file in sorted(folder.rglob("*")):
                if written >= wanted:
                    return
                if file.suffix not in (".txt", ".py") or not file.is_file():
                    continue
                text = file.read_text(encoding="utf-8", errors="replace")
                piece = f"\n\n# {file.name}\n\n{text}"[: wanted - written]
                out.write(piece)
                written += len(piece.encode("utf-8"))
    if written < wanted:
        raise SystemExit(f"Found only {written / 2**20:.1f} MB of text; ask for fewer MB.")


def big_file(megabytes: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        index_dir = keep or Path(work) / "index"
        corpus.mkdir()
        write_big_file(corpus / "big.txt", megabytes)
        size = (corpus / "big.txt").stat().st_size
        embedder = SentenceTransformerEmbedder()
        embedder.embed_query("load the model before timing")
        print(
            f"file: {size / 2**20:.1f} MB; after loading the embedder: peak RSS "
            f"{peak_rss_mb():.0f} MB"
        )

        started = time.perf_counter()
        documents = load_corpus(corpus)
        chunks = sum(len(chunk_document(d, Config().chunking)) for d in documents)
        print(
            f"load + chunk: {time.perf_counter() - started:.1f} s, {chunks} chunks, "
            f"peak RSS {peak_rss_mb():.0f} MB"
        )
        report = build_index(documents, embedder, index_dir, Config().chunking, progress=True)
        print(
            f"build: {report.seconds:.0f} s, {report.chunks / report.seconds:.1f} chunks/s, "
            f"{size / 2**20 / report.seconds * 60:.2f} MB/min, peak RSS {peak_rss_mb():.0f} MB"
        )
        del documents
        started = time.perf_counter()
        index = load_index(index_dir)
        Retriever(index, embedder).retrieve("how do I open a file", 4)
        print(
            f"load index + first search: {time.perf_counter() - started:.1f} s, "
            f"{index.vectors.ntotal} vectors, peak RSS {peak_rss_mb():.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--limit", type=int, default=100, help="documents to take from the folder")
    parser.add_argument("--big-file", type=int, metavar="MB", help="index one file of MB megabytes")
    parser.add_argument("--keep", type=Path, help="with --big-file: write the index here")
    args = parser.parse_args()
    if args.big_file:
        big_file(args.big_file, args.keep)
        return
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
        report = build_index(documents, embedder, index_dir, Config().chunking)
        total = time.perf_counter() - started
        print(
            f"{'documents':>9} {'chunks':>7} {'extract s':>9} {'build s':>8} {'docs/s':>7} "
            f"{'chunks/s':>8} {'peak RSS MB':>11}"
        )
        print(
            f"{report.documents:>9} {report.chunks:>7} {extracted:>9.1f} {report.seconds:>8.1f} "
            f"{report.documents / total:>7.1f} {report.chunks / report.seconds:>8.1f} "
            f"{peak_rss_mb():>11.0f}"
        )

        touched = corpus / files[len(files) // 2].name
        touched.write_text(
            touched.read_text(errors="replace")
            + "<p>One more paragraph, added to test a re-sync.</p>"
        )
        started = time.perf_counter()
        resync = build_index(load_corpus(corpus), embedder, index_dir, Config().chunking)
        print(
            f"re-sync after touching one file: {time.perf_counter() - started:.1f} s "
            f"({resync.embedded} chunks embedded, {resync.reused} reused)"
        )


if __name__ == "__main__":
    main()
