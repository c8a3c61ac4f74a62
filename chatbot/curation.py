"""Adding and removing corpus files on a curator's behalf, safely.

An uploaded file's own name is never used as a path: it is stored under a generated name inside
the corpus folder, and removal only ever deletes a file that lies inside that folder.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from chatbot.errors import CorpusError
from chatbot.files import replace_atomically, sha256_bytes
from chatbot.loaders import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, load_text

UPLOADS = "uploads"  # subfolder of the corpus that receives files uploaded through the page
ADDED = "added"  # ... files and folders added with `chatbot index add`
WEB = "web"  # ... documents downloaded from URLs
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Added:
    original_name: str
    source: str  # path relative to the corpus folder


def _slug(text: str) -> str:
    """Lowercase letters, digits and dashes only: safe in any file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "document"


def _safe_stem(name: str) -> str:
    """A readable hint of the original name."""
    return _slug(Path(name.replace("\\", "/").replace("\x00", "")).stem)


def check_document(data: bytes, name: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Raise CorpusError with a one-line reason when the bytes are not a usable document."""
    if len(data) > max_bytes:
        raise CorpusError(
            f"{name} is larger than {max_bytes // 2**20} MB; split it into smaller files."
        )
    load_text(data, name)


def add_file(corpus_dir: Path, data: bytes, original_name: str) -> Added:
    """Store an uploaded document in the corpus under a generated name.

    Raises:
        CorpusError: unsupported type, too large, not UTF-8 text, binary or empty.
    """
    suffix = Path(original_name.replace("\\", "/")).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(
            f"{original_name[:80]} is not a supported type; upload {', '.join(SUPPORTED_SUFFIXES)} "
            "files."
        )
    shown = original_name if len(original_name) <= 80 else f"{original_name[:60]}…{suffix}"
    check_document(data, shown)
    folder = Path(corpus_dir) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_safe_stem(original_name)}-{uuid.uuid4().hex[:8]}{suffix}"
    replace_atomically(target, data)  # a half-written upload is never seen by an index build
    return Added(original_name=original_name, source=target.relative_to(corpus_dir).as_posix())


def remove_document(corpus_dir: Path, source: str) -> Path:
    """Delete the corpus file `source` (relative to the corpus folder).

    Raises:
        CorpusError: the path leaves the corpus folder or names no document.
    """
    root = Path(corpus_dir).resolve()
    path = (root / source).resolve()
    if root not in path.parents or path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise CorpusError(f"{source} is not a document of the corpus.")
    if not path.is_file():
        raise CorpusError(f"{source} no longer exists; refresh the list.")
    path.unlink()
    return path


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def _unique_target(target: Path, data: bytes) -> Path | None:
    """target, or target with a number added when another file holds that name; None when the same
    content is already there."""
    candidate, number = target, 1
    while candidate.exists():
        if candidate.read_bytes() == data:
            return None
        number += 1
        candidate = target.with_name(f"{target.stem}-{number}{target.suffix}")
    return candidate


def add_paths(corpus_dir: Path, paths: list[Path]) -> tuple[list[Added], list[Skipped]]:
    """Copy files, and the supported files of folders (recursively), into corpus/added/.

    Every file is checked first; a bad one is skipped with its reason and the rest still go in.
    Files already inside the corpus folder are left where they are.
    """
    corpus = Path(corpus_dir).resolve()
    added: list[Added] = []
    skipped: list[Skipped] = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            skipped.append(Skipped(str(given), "no such file or folder"))
            continue
        root = path.resolve()
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
            base = root.parent
        else:
            files, base = [root], root.parent
        for file in files:
            if corpus in file.parents:
                continue  # already in the corpus: indexing it is enough
            if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                if root.is_dir():
                    continue  # a folder's other files are simply not documents
                skipped.append(
                    Skipped(str(file), f"not a supported type ({', '.join(SUPPORTED_SUFFIXES)})")
                )
                continue
            data = file.read_bytes()
            try:
                check_document(data, file.name, max_bytes=MAX_FILE_BYTES)
            except CorpusError as exc:
                skipped.append(Skipped(str(file), str(exc)))
                continue
            target = _unique_target(corpus / ADDED / file.relative_to(base), data)
            if target is None:
                skipped.append(Skipped(str(file), "already in the corpus"))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(target, data)
            added.append(
                Added(original_name=str(file), source=target.relative_to(corpus).as_posix())
            )
    return added, skipped


def add_url(corpus_dir: Path, url: str, allow_private: bool = False) -> Added:
    """Download a web document (address-checked, size- and time-capped) into corpus/web/.

    Raises:
        CorpusError: refused address, fetch failure, unsupported or unusable content.
    """
    from chatbot.fetching import fetch

    fetched = fetch(url, allow_private=allow_private)
    parts = urlsplit(fetched.url)
    name = f"{_slug(parts.hostname or 'web')}-{_slug(parts.path or 'index')}"
    check_document(fetched.data, f"{url}{fetched.suffix}", max_bytes=MAX_FILE_BYTES)
    digest = sha256_bytes(fetched.data)[:8]
    folder = Path(corpus_dir) / WEB
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name[:60]}-{digest}{fetched.suffix}"
    replace_atomically(target, fetched.data)
    return Added(original_name=url, source=target.relative_to(corpus_dir).as_posix())
