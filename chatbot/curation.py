"""Adding and removing corpus files on a curator's behalf, safely.

An uploaded file's own name is never used as a path: it is stored under a generated name inside
the corpus folder, and removal only ever deletes a file that lies inside that folder.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import CorpusError
from chatbot.loaders import SUPPORTED_SUFFIXES, load_text

UPLOADS = "uploads"  # subfolder of the corpus that receives uploaded files
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Added:
    original_name: str
    source: str  # path relative to the corpus folder


def _safe_stem(name: str) -> str:
    """A readable hint of the original name: lowercase letters, digits and dashes only."""
    stem = Path(name.replace("\\", "/").replace("\x00", "")).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:40] or "document"


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
            f"{original_name[:80]} is not a supported type; upload {', '.join(SUPPORTED_SUFFIXES)} files."
        )
    shown = original_name if len(original_name) <= 80 else f"{original_name[:60]}…{suffix}"
    check_document(data, shown)
    folder = Path(corpus_dir) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_safe_stem(original_name)}-{uuid.uuid4().hex[:8]}{suffix}"
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, target)  # a half-written upload is never seen by an index build
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
