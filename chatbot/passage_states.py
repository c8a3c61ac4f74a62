"""Key -> a passage's saved model state (bytes) on disk: checksummed, bounded, least recently used
evicted first.

A state is data this program wrote itself, but a disk, a copy or a crash can damage it: each file
holds its key and the sha256 of its bytes, and one whose header, key or bytes do not match is
refused (and removed) with a warning, so that the passage is read the ordinary way instead.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from chatbot.files import replace_atomically, sha256_bytes

log = logging.getLogger(__name__)

MAGIC = b"chatbot-passage-state 1\n"
SUFFIX = ".state"


class StateStore:
    """A folder of `<key>.state` files whose total size stays within `budget_bytes`."""

    def __init__(self, folder: Path, budget_bytes: int):
        self.folder = Path(folder)
        self.budget_bytes = budget_bytes
        self._total: int | None = None  # bytes on disk, counted once then kept up to date

    def _path(self, key: str) -> Path:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"A state key is a hex digest, not {key!r}")
        return self.folder / f"{key}{SUFFIX}"

    def get(self, key: str) -> bytes | None:
        """The state saved under key, or None when there is none or it is damaged."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        data = self._checked(raw, key)
        if data is None:
            log.warning("Passage state %s is damaged; it is dropped and read again.", path.name)
            path.unlink(missing_ok=True)
            self._total = None
            return None
        try:
            os.utime(path)  # its time of last use, for eviction
        except OSError:
            pass
        return data

    @staticmethod
    def _checked(raw: bytes, key: str) -> bytes | None:
        if not raw.startswith(MAGIC):
            return None
        header_end = raw.find(b"\n", len(MAGIC))
        try:
            header = json.loads(raw[len(MAGIC) : header_end])
        except ValueError:
            return None
        data = raw[header_end + 1 :]
        if (
            header_end < 0
            or not isinstance(header, dict)
            or header.get("key") != key
            or header.get("size") != len(data)
            or header.get("sha256") != sha256_bytes(data)
        ):
            return None
        return data

    def has(self, key: str) -> bool:
        """Whether a state is saved under key (not checked until it is read)."""
        return self._path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        """Save a state (whole or not at all), then evict the least recently used beyond the
        budget. A state larger than the whole budget is not kept."""
        if len(data) > self.budget_bytes:
            return
        header = {"key": key, "size": len(data), "sha256": sha256_bytes(data)}
        path = self._path(key)
        total = self.size() - (path.stat().st_size if path.is_file() else 0)
        self.folder.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, MAGIC + json.dumps(header).encode() + b"\n" + data)
        self._total = total + path.stat().st_size
        if self._total > self.budget_bytes:
            self.evict()

    def _files(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every state file, oldest first."""
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((stat.st_mtime, stat.st_size, path))
        return sorted(found)

    def size(self) -> int:
        """Bytes the states take on disk."""
        if self._total is None:
            self._total = sum(size for _, size, _ in self._files())
        return self._total

    def keys(self) -> set[str]:
        return {path.name.removesuffix(SUFFIX) for _, _, path in self._files()}

    def evict(self) -> None:
        files = self._files()
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.budget_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
        self._total = total

    def retain(self, keys: Iterable[str]) -> int:
        """Drop every state not under one of `keys` (passages no longer indexed); how many."""
        wanted = set(keys)
        dropped = 0
        for _, _, path in self._files():
            if path.name.removesuffix(SUFFIX) not in wanted:
                path.unlink(missing_ok=True)
                dropped += 1
        self._total = None
        return dropped
