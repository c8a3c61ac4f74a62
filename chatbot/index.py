"""Documents -> index folder (FAISS vectors, JSON chunk store, manifest), written atomically; and back.

The manifest records what the index was built from (document sha256s, embedding model and
dimension, chunking parameters) and checksums of its own files, so a stale or damaged index is
detected instead of silently used. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from chatbot.chunking import Chunk, ChunkingParams, chunk_document, section_label
from chatbot.documents import Document, Unreadable, corpus_fingerprint, scan_corpus
from chatbot.embedding import Embedder
from chatbot.errors import CorpusError, IndexDataError
from chatbot.vector_index import APPROXIMATE_ABOVE, build_vector_index

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNKS = "chunks.json"
VECTORS = "vectors.faiss"
# Texts handed to the embedder per call, taken in order of length so that batches pad little.
# Measured against one raw encode of the same texts: 32 per call in document order cost +29 %.
EMBED_BATCH = 256


@dataclass(frozen=True)
class Index:
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: object  # a faiss.Index, row i is chunks[i]
    manifest: dict

    @property
    def embedding_model(self) -> str:
        return self.manifest["embedding"]["model"]


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    embedded: int = 0  # chunks embedded by this build
    reused: int = 0  # chunks whose vectors came from the previous index (document unchanged)
    duplicates: tuple[tuple[str, str], ...] = ()  # (source, source with the same content) left out
    unreadable: tuple[tuple[str, str], ...] = ()  # (source, reason) of files that could not be used


def embedding_text(doc: Document, chunk: Chunk) -> str:
    """What gets embedded: the passage with its document title and section, for context."""
    return f"{section_label(doc.title, chunk.heading)}\n{chunk.text}"


def _sibling(index_dir: Path, kind: str) -> Path:
    return index_dir.with_name(f"{index_dir.name}.{kind}-{uuid.uuid4().hex[:8]}")


def _leftovers(index_dir: Path, kind: str) -> list[Path]:
    return sorted(index_dir.parent.glob(f"{index_dir.name}.{kind}-*"))


def _file_sha(path: Path) -> str:
    with open(path, "rb") as f:  # in blocks: an index file can be hundreds of MB
        return hashlib.file_digest(f, "sha256").hexdigest()


def _write_json(path: Path, data: object) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total, desc="Embedding chunks", unit="chunk", file=sys.stderr, disable=not enabled
    )


def build_index(
    documents: list[Document],
    embedder: Embedder,
    index_dir: Path,
    params: ChunkingParams | None = None,
    progress: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    reuse: bool = True,
    unreadable: Sequence[Unreadable] = (),
    approximate_above: int = APPROXIMATE_ABOVE,
) -> BuildReport:
    """Chunk, embed and write an index for the documents, replacing index_dir atomically.

    progress draws a bar on stderr; on_progress(done, total) reports embedded chunks to a caller.
    Unless reuse is off, documents unchanged since the current index keep their vectors.
    `unreadable` files are recorded in the manifest, so they are reported, not retried every time.
    Above `approximate_above` chunks the dense search is approximate (see vector_index.py).
    A crash at any point leaves the previous index in place (or recoverable by load_index).
    """
    import faiss

    started = time.perf_counter()
    params = params or ChunkingParams()
    if not documents:
        raise CorpusError("No documents to index: add .md or .txt files to the corpus folder.")
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in _leftovers(index_dir, "tmp"):
        shutil.rmtree(stale, ignore_errors=True)

    documents, duplicates = _without_duplicates(documents)
    reusable = _reusable_vectors(index_dir, embedder.model_id, params) if reuse else {}
    chunks: list[Chunk] = []
    rows_to_embed: list[int] = []
    reused: dict[int, np.ndarray] = {}  # first row of a document -> its previous vectors
    for doc in documents:
        doc_chunks = chunk_document(doc, params)
        previous = reusable.get(doc.sha256)
        if previous is not None and len(previous) == len(doc_chunks):
            reused[len(chunks)] = previous
        else:
            rows_to_embed.extend(range(len(chunks), len(chunks) + len(doc_chunks)))
        chunks.extend(doc_chunks)
    by_id = {d.id: d for d in documents}

    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    for first_row, previous in reused.items():
        vectors[first_row : first_row + len(previous)] = previous
    # Similar lengths pad less. Texts are made a batch at a time so a big corpus is not held twice.
    by_length = sorted(rows_to_embed, key=lambda r: len(chunks[r].text))
    with _progress(len(rows_to_embed), progress) as bar:
        for start in range(0, len(by_length), EMBED_BATCH):
            rows = by_length[start : start + EMBED_BATCH]
            texts = [embedding_text(by_id[chunks[r].doc_id], chunks[r]) for r in rows]
            vectors[rows] = embedder.embed_documents(texts)
            bar.update(len(rows))
            if on_progress:
                on_progress(start + len(rows), len(rows_to_embed))

    tmp = _sibling(index_dir, "tmp")
    tmp.mkdir()
    try:
        dense, dense_kind = build_vector_index(vectors, approximate_above)
        faiss.write_index(dense, str(tmp / VECTORS))
        del dense
        _write_json(
            tmp / CHUNKS,
            {
                "documents": [
                    {
                        "id": d.id,
                        "title": d.title,
                        "source": d.source,
                        "sha256": d.sha256,
                        "text": d.text,
                    }
                    for d in documents
                ],
                "chunks": [
                    {
                        "id": c.id,
                        "doc_id": c.doc_id,
                        "start": c.start,
                        "end": c.end,
                        "heading": c.heading,
                    }
                    for c in chunks
                ],
            },
        )
        sha_of = {d.source: d.sha256 for d in documents}
        counts = {d.id: 0 for d in documents}
        for c in chunks:
            counts[c.doc_id] += 1
        manifest = {
            "format": FORMAT_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedding": {"model": embedder.model_id, "dimension": int(vectors.shape[1])},
            "search": dense_kind,
            "chunking": params.as_dict(),
            "documents": [
                {
                    "id": d.id,
                    "title": d.title,
                    "source": d.source,
                    "sha256": d.sha256,
                    "chunks": counts[d.id],
                }
                for d in documents
            ],
            "duplicates": [
                {"source": source, "same_as": same_as, "sha256": sha_of[same_as]}
                for source, same_as in duplicates
            ],
            "unreadable": [
                {"source": u.source, "sha256": u.sha256, "reason": u.reason} for u in unreadable
            ],
            "counts": {"documents": len(documents), "chunks": len(chunks)},
            "files": {name: _file_sha(tmp / name) for name in (CHUNKS, VECTORS)},
        }
        _write_json(tmp / MANIFEST, manifest)
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildReport(
        documents=len(documents),
        chunks=len(chunks),
        seconds=time.perf_counter() - started,
        embedded=len(rows_to_embed),
        reused=len(chunks) - len(rows_to_embed),
        duplicates=duplicates,
        unreadable=tuple((u.source, u.reason) for u in unreadable),
    )


def _without_duplicates(
    documents: list[Document],
) -> tuple[list[Document], tuple[tuple[str, str], ...]]:
    """The same content under a second name is indexed once."""
    first: dict[str, str] = {}
    kept, duplicates = [], []
    for doc in documents:
        if doc.sha256 in first:
            duplicates.append((doc.source, first[doc.sha256]))
        else:
            first[doc.sha256] = doc.source
            kept.append(doc)
    return kept, tuple(duplicates)


def _reusable_vectors(
    index_dir: Path, embedding_model: str, params: ChunkingParams
) -> dict[str, np.ndarray]:
    """sha256 -> vectors of that document's chunks in the current index, if it was built the same way.

    Another embedding model or other chunking parameters reuse nothing: a full rebuild.
    """
    try:
        previous = load_index(index_dir)
    except IndexDataError:
        return {}
    manifest = previous.manifest
    if (
        manifest["embedding"]["model"] != embedding_model
        or manifest["chunking"] != params.as_dict()
    ):
        return {}
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(previous.chunks):
        rows.setdefault(chunk.doc_id, []).append(row)
    return {
        doc.sha256: np.stack([previous.vectors.reconstruct(row) for row in rows[doc.id]])
        for doc in previous.documents.values()
        if rows.get(doc.id)
    }


def _swap_in(new: Path, index_dir: Path) -> None:
    """Two renames; between them the old index waits under index.old-*, which load_index restores."""
    old = _sibling(index_dir, "old")
    if index_dir.exists():
        os.rename(index_dir, old)
    os.rename(new, index_dir)
    shutil.rmtree(old, ignore_errors=True)
    for leftover in _leftovers(index_dir, "old"):
        shutil.rmtree(leftover, ignore_errors=True)


def _recover(index_dir: Path) -> None:
    """A crash between the two renames of _swap_in left only index.old-*: put it back."""
    if index_dir.exists():
        return
    for old in reversed(_leftovers(index_dir, "old")):
        if (old / MANIFEST).is_file():
            os.rename(old, index_dir)
            return


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest, or None when there is no index yet."""
    _recover(Path(index_dir))
    path = Path(index_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexDataError(f"{path} is damaged ({exc}); rebuild it with: chatbot index") from None


def load_index(index_dir: Path) -> Index:
    """Load and verify an index folder.

    Raises:
        IndexDataError: missing, or a file does not match the checksum in the manifest.
    """
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexDataError(f"No index in {index_dir}; build one with: chatbot index")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexDataError(
            f"{index_dir} was written by another version; rebuild it with: chatbot index"
        )
    for name, expected in manifest["files"].items():
        path = index_dir / name
        if not path.is_file() or _file_sha(path) != expected:
            raise IndexDataError(
                f"{path} is missing or damaged; rebuild the index with: chatbot index"
            )
    store = json.loads((index_dir / CHUNKS).read_text(encoding="utf-8"))
    documents = {
        d["id"]: Document(
            id=d["id"], title=d["title"], source=d["source"], text=d["text"], sha256=d["sha256"]
        )
        for d in store["documents"]
    }
    chunks = [
        Chunk(
            id=c["id"],
            doc_id=c["doc_id"],
            text=documents[c["doc_id"]].text[c["start"] : c["end"]],
            start=c["start"],
            end=c["end"],
            heading=c["heading"],
        )
        for c in store["chunks"]
    ]
    vectors = faiss.read_index(str(index_dir / VECTORS))
    if vectors.ntotal != len(chunks) or vectors.d != manifest["embedding"]["dimension"]:
        raise IndexDataError(
            f"{index_dir} holds {vectors.ntotal} vectors for {len(chunks)} chunks; rebuild it."
        )
    return Index(documents=documents, chunks=chunks, vectors=vectors, manifest=manifest)


def stale_reasons(
    manifest: dict | None, corpus_dir: Path, embedding_model: str, params: ChunkingParams
) -> list[str]:
    """Why the index does not match the corpus and settings; empty when it is fresh."""
    if manifest is None:
        return ["there is no index yet"]
    reasons = []
    if manifest.get("format") != FORMAT_VERSION:
        reasons.append("the index format changed")
    if manifest.get("embedding", {}).get("model") != embedding_model:
        reasons.append(f"the embedding model changed to {embedding_model}")
    if manifest.get("chunking") != params.as_dict():
        reasons.append("the chunking parameters changed")
    recorded = (
        manifest.get("documents", [])
        + manifest.get("duplicates", [])
        + manifest.get("unreadable", [])
    )
    indexed = {d["source"]: d["sha256"] for d in recorded}
    current = corpus_fingerprint(corpus_dir)
    for source in sorted(current.keys() - indexed.keys()):
        reasons.append(f"{source} is new")
    for source in sorted(indexed.keys() - current.keys()):
        reasons.append(f"{source} was removed")
    for source in sorted(current.keys() & indexed.keys()):
        if current[source] != indexed[source]:
            reasons.append(f"{source} changed")
    return reasons


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    params: ChunkingParams,
    progress: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Index:
    """Load the index, rebuilding it first when it is missing, damaged or stale against the corpus."""
    try:
        manifest = read_manifest(index_dir)
    except IndexDataError:
        manifest = None
    reasons = stale_reasons(manifest, corpus_dir, embedder.model_id, params)
    if not reasons:
        try:
            return load_index(index_dir)
        except IndexDataError as exc:
            reasons = [str(exc)]
    if notify:
        notify(f"Rebuilding the index ({'; '.join(reasons[:3])}).")
    documents, unreadable = scan_corpus(corpus_dir)
    for bad in unreadable:
        if notify:
            notify(f"Skipped {bad.source}: {bad.reason}")
    build_index(documents, embedder, index_dir, params, progress=progress, unreadable=unreadable)
    return load_index(index_dir)
