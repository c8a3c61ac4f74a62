"""Corpus folder -> Document(id, title, source, text, sha256). Reads .md and .txt; other formats are skipped."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import CorpusError

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class Document:
    id: str  # stable, derived from the path inside the corpus folder
    title: str
    source: str  # path relative to the corpus folder
    text: str  # normalised text; chunk offsets point into it
    sha256: str  # of the raw file bytes, so any edit makes the index stale


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    """Unify line endings and drop a BOM; keep everything else so offsets stay meaningful."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def document_id(relative: Path) -> str:
    stem = relative.with_suffix("").as_posix().lower()
    return re.sub(r"[^a-z0-9/]+", "-", stem).strip("-")


def guess_title(text: str, fallback: str) -> str:
    """First Markdown H1; else the first line (with a 'Version …' line under it); else the file name."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:50]:
        if line.startswith("# "):
            return line[2:].strip()
    if not lines:
        return fallback
    title = lines[0].lstrip("#").strip()
    if len(lines) > 1 and lines[1].lower().startswith("version"):
        title = f"{title}, {lines[1]}"
    return title[:200]


def decode_text(data: bytes, name: str) -> str:
    """The normalised text of a file's bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    cp1252/Latin-1.

    Raises:
        CorpusError: binary or empty; the message names the file.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise CorpusError(f"{name} looks binary (it holds NUL bytes); use a .md or .txt file.")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # legacy Windows/Latin-1 text; latin-1 maps every byte
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    text = normalise(text)
    if "\x00" in text:
        raise CorpusError(f"{name} looks binary (it holds NUL bytes); use a .md or .txt file.")
    if not text.strip():
        raise CorpusError(f"{name} is empty; add text to it or remove it.")
    return text


def read_document(path: Path, root: Path) -> Document:
    """Read one file. Raises CorpusError when it is not UTF-8 text or is empty."""
    data = path.read_bytes()
    text = decode_text(data, path.name)
    relative = path.relative_to(root)
    return Document(
        id=document_id(relative),
        title=guess_title(text, fallback=path.stem),
        source=relative.as_posix(),
        text=text,
        sha256=sha256_bytes(data),
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files under corpus_dir, recursively, in a stable order; hidden files skipped."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder does not exist: {corpus_dir}. Create it and add .md or .txt files."
        )
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every supported document of the folder.

    Raises:
        CorpusError: the folder is missing, holds no supported file, or a file cannot be read.
    """
    files = corpus_files(corpus_dir)
    if not files:
        raise CorpusError(
            f"No documents in {corpus_dir}: add .md or .txt files ({', '.join(SUPPORTED_SUFFIXES)})."
        )
    documents = [read_document(path, corpus_dir) for path in files]
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise CorpusError(
                f"{doc.source} and {seen[doc.id]} map to the same id {doc.id!r}; rename one."
            )
        seen[doc.id] = doc.source
    return documents


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """source -> sha256 of every supported file: what the manifest is compared with."""
    return {
        p.relative_to(corpus_dir).as_posix(): sha256_bytes(p.read_bytes())
        for p in corpus_files(corpus_dir)
    }
