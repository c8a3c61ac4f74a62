"""Corpus folder -> Document(id, title, source, text, sha256). Reads every format chatbot.loaders
knows (Markdown, text, HTML, PDF, Word); other files are skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import CorpusError
from chatbot.files import sha256_bytes
from chatbot.loaders import SUPPORTED_SUFFIXES, load_text, normalise


@dataclass(frozen=True)
class Document:
    id: str  # stable, derived from the path inside the corpus folder
    title: str
    source: str  # path relative to the corpus folder
    text: str  # normalised text; chunk offsets point into it
    sha256: str  # of the raw file bytes, so any edit makes the index stale


def document_id(relative: Path) -> str:
    stem = relative.with_suffix("").as_posix().lower()
    return re.sub(r"[^a-z0-9/]+", "-", stem).strip("-")


def guess_title(text: str, fallback: str) -> str:
    """First Markdown H1; else the first line (with a 'Version …' line under it); else the file
    name."""
    head = text[:20_000]  # the title is near the top; splitting a 50 MB text would cost 100s of MB
    lines = [line.strip() for line in head.splitlines() if line.strip()][:50]
    for line in lines:
        if line.startswith("# "):
            return line[2:].strip()
    if not lines:
        return fallback
    title = lines[0].lstrip("#").strip()
    if len(lines) > 1 and lines[1].lower().startswith("version"):
        title = f"{title}, {lines[1]}"
    return title[:200]


def read_document(path: Path, root: Path) -> Document:
    """Read one file. Raises CorpusError when it is not UTF-8 text or is empty."""
    data = path.read_bytes()
    text = normalise(load_text(data, path.name))
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
            f"Corpus folder does not exist: {corpus_dir}. Create it and add documents "
            f"({', '.join(SUPPORTED_SUFFIXES)})."
        )
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


@dataclass(frozen=True)
class Unreadable:
    source: str  # path relative to the corpus folder
    sha256: str  # of the file's bytes, so an unchanged bad file does not trigger rebuilds
    reason: str


def scan_corpus(corpus_dir: Path) -> tuple[list[Document], list[Unreadable]]:
    """Every supported document of the folder, and the files that cannot be used, with why.

    Raises:
        CorpusError: the folder is missing or holds no usable document, or two files map to one id.
    """
    files = corpus_files(corpus_dir)
    if not files:
        raise CorpusError(
            f"No documents in {corpus_dir}: add {', '.join(SUPPORTED_SUFFIXES)} files."
        )
    documents, unreadable = [], []
    for path in files:
        try:
            documents.append(read_document(path, corpus_dir))
        except CorpusError as exc:
            source = path.relative_to(corpus_dir).as_posix()
            unreadable.append(Unreadable(source, sha256_bytes(path.read_bytes()), str(exc)))
    if not documents:
        reasons = "; ".join(u.reason for u in unreadable[:3])
        raise CorpusError(f"No usable documents in {corpus_dir} ({reasons}).")
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise CorpusError(
                f"{doc.source} and {seen[doc.id]} map to the same id {doc.id!r}; rename one."
            )
        seen[doc.id] = doc.source
    return documents, unreadable


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every document of the folder, strictly: the first file that cannot be used raises.

    Raises:
        CorpusError: as scan_corpus, or a file cannot be read (the message says which and why).
    """
    documents, unreadable = scan_corpus(corpus_dir)
    if unreadable:
        raise CorpusError(unreadable[0].reason)
    return documents


# path -> (size, mtime_ns, sha256): the freshness check runs before every question, and only a
# file whose size or modification time changed needs reading again. One entry a file, so a
# long-running server editing the same files does not accumulate stale entries.
_hash_cache: dict[str, tuple[int, int, str]] = {}


def file_sha256(path: Path) -> str:
    stat = path.stat()
    key = str(path.resolve())
    cached = _hash_cache.get(key)
    if cached is None or cached[:2] != (stat.st_size, stat.st_mtime_ns):
        cached = (stat.st_size, stat.st_mtime_ns, sha256_bytes(path.read_bytes()))
        _hash_cache[key] = cached
    return cached[2]


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """source -> sha256 of every supported file: what the manifest is compared with."""
    return {p.relative_to(corpus_dir).as_posix(): file_sha256(p) for p in corpus_files(corpus_dir)}
