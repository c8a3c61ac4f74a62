"""The index folder on disk: FAISS vectors, a SQLite chunk store, a saved BM25 model and a typed
manifest; written, and opened without reading everything into memory.

The manifest records what the index was built from (document sha256s, embedding model and
dimension, chunking parameters), a build id, and checksums of its own files, so a stale or damaged
index is detected instead of silently used. Nothing is pickled. Reading never changes the folder:
only a build, under the build lock, renames or deletes anything (chatbot.index.build).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from chatbot.chunking import Chunk
from chatbot.documents import Document, Unreadable
from chatbot.errors import IndexDataError
from chatbot.files import fsync, sha256_file, write_json
from chatbot.index.chunk_store import ChunkStore, write_chunk_store
from chatbot.index.lexical import Lexical, lexical_text, write_bm25

# 2: chunks in SQLite, BM25 saved at build time (1: a JSON chunk store, BM25 built on every load).
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CHUNKS = "chunks.sqlite"
VECTORS = "vectors.faiss"
VERIFIED = "verified.json"  # files as the build left them (not a checksum: a cache of one)
REBUILD = "rebuild it with: chatbot index rebuild"


@dataclass(frozen=True)
class IndexedDocument:
    id: str
    title: str
    source: str  # path relative to the corpus folder
    sha256: str
    chunks: int


@dataclass(frozen=True)
class Duplicate:
    source: str
    same_as: str  # the indexed document with the same content
    sha256: str


@dataclass(frozen=True)
class Manifest:
    build_id: str  # new for every build: how a process notices another process's rebuild
    built_at: str  # ISO time, for people
    embedding_model: str
    dimension: int
    search: dict  # the dense index's kind and parameters (chatbot.vector_index)
    chunking: dict
    documents: tuple[IndexedDocument, ...]
    duplicates: tuple[Duplicate, ...]
    unreadable: tuple[Unreadable, ...]
    files: dict[str, str]  # file name -> sha256
    format: int = FORMAT_VERSION

    @property
    def chunk_count(self) -> int:
        return sum(d.chunks for d in self.documents)

    def recorded_sources(self) -> dict[str, str]:
        """source -> sha256 of every corpus file the build saw: indexed, duplicate or unreadable."""
        recorded = (*self.documents, *self.duplicates, *self.unreadable)
        return {d.source: d.sha256 for d in recorded}

    def to_json(self) -> dict:
        return {
            "format": self.format,
            "build_id": self.build_id,
            "built_at": self.built_at,
            "embedding": {"model": self.embedding_model, "dimension": self.dimension},
            "search": self.search,
            "chunking": self.chunking,
            "documents": [asdict(d) for d in self.documents],
            "duplicates": [asdict(d) for d in self.duplicates],
            "unreadable": [asdict(u) for u in self.unreadable],
            "counts": {"documents": len(self.documents), "chunks": self.chunk_count},
            "files": self.files,
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        """Raises KeyError or TypeError on a manifest of another shape."""
        return cls(
            format=data["format"],
            build_id=data.get("build_id") or data["built_at"],  # older indexes had no build id
            built_at=data["built_at"],
            embedding_model=data["embedding"]["model"],
            dimension=int(data["embedding"]["dimension"]),
            search=data.get("search", {"kind": "exact"}),
            chunking=data["chunking"],
            documents=tuple(IndexedDocument(**d) for d in data["documents"]),
            duplicates=tuple(Duplicate(**d) for d in data.get("duplicates", [])),
            unreadable=tuple(Unreadable(**u) for u in data.get("unreadable", [])),
            files=data["files"],
        )


@dataclass(frozen=True)
class Index:
    documents: Mapping[str, Document]  # read from the chunk store when asked for
    chunks: Sequence[Chunk]  # likewise; row i is vector i
    vectors: object  # a faiss.Index, memory-mapped
    manifest: Manifest
    lexical: Lexical  # BM25 over the same rows
    store: ChunkStore


def set_aside(index_dir: Path, kind: str) -> list[Path]:
    """Folders beside the index: `tmp` ones being (or left from being) written, `old` ones
    replaced."""
    return sorted(index_dir.parent.glob(f"{index_dir.name}.{kind}-*"))


def readable_folder(index_dir: Path) -> Path:
    """index_dir, or, when a build was stopped between its two renames, the index it set aside."""
    if index_dir.exists():
        return index_dir
    for old in reversed(set_aside(index_dir, "old")):
        if (old / MANIFEST).is_file():
            return old
    return index_dir


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest, or None when there is no index yet. Changes nothing on disk."""
    path = readable_folder(Path(index_dir)) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexDataError(f"{path} cannot be read ({exc.strerror}); {REBUILD}") from None
    try:
        return Manifest.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexDataError(f"{path} is damaged ({exc!r}); {REBUILD}") from None


def write_index_files(
    folder: Path, documents: list[Document], chunks: list[Chunk], dense: object
) -> dict[str, str]:
    """Write the vectors, the chunk store and the BM25 model into a new folder; returns the
    checksum of every file written, by its path inside the folder."""
    import faiss

    faiss.write_index(dense, str(folder / VECTORS))
    write_chunk_store(folder / CHUNKS, documents, chunks)
    titles = {d.id: d.title for d in documents}
    bm25_files = write_bm25(folder, (lexical_text(titles[c.doc_id], c) for c in chunks))
    written = [folder / VECTORS, folder / CHUNKS, *bm25_files]
    for path in written:
        fsync(path)
    return {path.relative_to(folder).as_posix(): sha256_file(path) for path in written}


def write_manifest(folder: Path, manifest: Manifest) -> None:
    write_json(folder / MANIFEST, manifest.to_json())


def load_index(index_dir: Path) -> Index:
    """Open and verify an index folder. A rebuild swapping in meanwhile is waited out, not reported.

    Raises:
        IndexDataError: missing, written in another format, or a file does not match the checksum
            in the manifest; the message says how to rebuild.
    """
    index_dir = Path(index_dir)
    for _ in range(3):
        manifest = read_manifest(index_dir)
        try:
            return _load(index_dir, manifest)
        except IndexDataError:
            again = read_manifest(index_dir)
            if manifest is None or again is None or again.build_id == manifest.build_id:
                raise
            # Another process swapped in a new build while this one read: read that one.
    return _load(index_dir, read_manifest(index_dir))


def _identity(path: Path) -> list[int]:
    """What changes when a file is written again, copied or replaced: size, mtime, inode."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def write_verified_stamp(folder: Path, manifest: Manifest) -> None:
    """Record the files a build has just checksummed, as they are on disk: opening the index
    then hashes only a file that changed since (hashing 2.9 GB takes 3 s at 1,000,000 chunks)."""
    stamp = {name: _identity(folder / name) for name in manifest.files}
    write_json(folder / VERIFIED, stamp)


def _verify(folder: Path, manifest: Manifest) -> None:
    try:
        stamp = json.loads((folder / VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}  # no stamp, or a damaged one: hash everything
    for name, expected in manifest.files.items():
        path = folder / name
        try:
            intact = stamp.get(name) == _identity(path) or sha256_file(path) == expected
        except OSError:
            intact = False
        if not intact:
            raise IndexDataError(f"{path} is missing or damaged; {REBUILD}")


def _load(index_dir: Path, manifest: Manifest | None) -> Index:
    import faiss

    if manifest is None:
        raise IndexDataError(f"No index in {index_dir}; build one with: chatbot index")
    if manifest.format != FORMAT_VERSION:
        raise IndexDataError(
            f"{index_dir} is in index format {manifest.format}, written by another version of the "
            f"chatbot (this one reads format {FORMAT_VERSION}); {REBUILD}"
        )
    folder = readable_folder(index_dir)
    _verify(folder, manifest)
    try:
        # Mapped, not read: pages come in as searches touch them, and processes share them. FAISS
        # maps an IVF index's lists with one flag and an exact index's vectors with the other.
        ivf = manifest.search.get("kind") == "ivf"
        mapped = faiss.IO_FLAG_MMAP if ivf else faiss.IO_FLAG_MMAP_IFC
        vectors = faiss.read_index(str(folder / VECTORS), mapped)
        store = ChunkStore(folder / CHUNKS)
        lexical = Lexical(folder, store.chunk_count)
    except (OSError, RuntimeError, ValueError) as exc:  # deleted between the check and the read
        raise IndexDataError(f"{folder} could not be read ({exc}); {REBUILD}") from None
    if vectors.ntotal != store.chunk_count or vectors.d != manifest.dimension:
        raise IndexDataError(
            f"{index_dir} holds {vectors.ntotal} vectors for {store.chunk_count} chunks; {REBUILD}"
        )
    return Index(
        documents=store.documents,
        chunks=store.chunks,
        vectors=vectors,
        manifest=manifest,
        lexical=lexical,
        store=store,
    )
