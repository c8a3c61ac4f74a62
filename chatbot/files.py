"""File helpers every module shares: SHA-256 of bytes and files, and writes that are all or
nothing."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """In blocks: an index file or a model can be hundreds of MB."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fsync(path: Path) -> None:
    """Flush a file another library wrote, or a folder's new entries (a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write a new file's bytes and flush them to disk before returning."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_json(path: Path, data: object) -> None:
    write_durably(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def replace_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a half-written one, even after a
    crash."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        write_durably(partial, data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    fsync(path.parent)
