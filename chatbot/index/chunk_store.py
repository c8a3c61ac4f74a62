"""The chunk store: every document's text and every chunk's text and place, in one SQLite file,
read a row at a time when a question needs it instead of held in memory.

SQLite comes with Python, keeps the file consistent through a crash, and answers a lookup by row
in microseconds; the file is written once per build and opened read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from chatbot.chunking import Chunk
from chatbot.documents import Document
from chatbot.errors import IndexDataError

_SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL
);
"""
_CHUNK_COLUMNS = 'id, doc_id, text, start, "end", heading'


def write_chunk_store(path: Path, documents: Sequence[Document], chunks: Iterable[Chunk]) -> None:
    """A new store at path: row i of the chunks table is chunk i (and vector i of the index)."""
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
            ((d.id, d.title, d.source, d.sha256, d.text) for d in documents),
        )
        db.executemany(
            'INSERT INTO chunks (row, id, doc_id, start, "end", heading, text) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (row, c.id, c.doc_id, c.start, c.end, c.heading, c.text)
                for row, c in enumerate(chunks)
            ),
        )
        db.commit()
    finally:
        db.close()


class ChunkStore:
    """Read-only access to a store file; safe to share between threads."""

    def __init__(self, path: Path):
        try:
            # Read-only and immutable: a build never changes a store, it writes a new one.
            uri = f"file:{Path(path).as_posix()}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            # Rows are 0..n-1: the largest one is found in the key's tree, where count(*) would
            # read all the rows (1.5 s at a million).
            (last,) = self._db.execute("SELECT max(row) FROM chunks").fetchone()
            self.chunk_count = 0 if last is None else last + 1
        except sqlite3.Error as exc:
            raise IndexDataError(
                f"{path} cannot be read ({exc}); rebuild it with: chatbot index rebuild"
            ) from None
        self._lock = threading.Lock()
        self.chunks = _Chunks(self)
        self.documents = _Documents(self)

    def query(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these rows, in the order asked."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {
            row: Chunk(*values)
            for row, *values in self.query(
                f"SELECT row, {_CHUNK_COLUMNS} FROM chunks WHERE row IN ({marks})", tuple(rows)
            )
        }
        return [found[row] for row in rows]

    def document_rows(self) -> list[tuple[str, int, int]]:
        """(document id, first row, chunk count) of every document; its rows are consecutive."""
        return self.query("SELECT doc_id, min(row), count(*) FROM chunks GROUP BY doc_id")

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Chunks(Sequence[Chunk]):
    """The chunks by row, read when asked for."""

    def __init__(self, store: ChunkStore):
        self._store = store

    def __len__(self) -> int:
        return self._store.chunk_count

    def __getitem__(self, row):  # an int row; slices are not needed and not offered
        if not isinstance(row, int) or not 0 <= row < len(self):
            raise IndexError(row)
        return self._store.chunks_at([row])[0]

    def __iter__(self) -> Iterator[Chunk]:
        for start in range(0, len(self), 1000):
            yield from self._store.chunks_at(range(start, min(start + 1000, len(self))))


class _Documents(Mapping[str, Document]):
    """The documents by id, read when asked for (a document's text can be large)."""

    def __init__(self, store: ChunkStore):
        self._store = store

    def __getitem__(self, doc_id: str) -> Document:
        found = self._store.query(
            "SELECT id, title, source, text, sha256 FROM documents WHERE id = ?", (doc_id,)
        )
        if not found:
            raise KeyError(doc_id)
        return Document(*found[0])

    def __iter__(self) -> Iterator[str]:
        return iter([doc_id for (doc_id,) in self._store.query("SELECT id FROM documents")])

    def __len__(self) -> int:
        return self._store.query("SELECT count(*) FROM documents")[0][0]
