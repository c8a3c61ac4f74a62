"""Every change of the documents made through the page (when, what, from which client address),
one JSON line each in a file beside the index, so a shared page's changes can be traced."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

_lock = threading.Lock()


def log_path(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    return index_dir.with_name(f"{index_dir.name}.changes.jsonl")


def record(index_dir: Path, action: str, what: str, client: str) -> None:
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "action": action,
        "what": what,
        "client": client,
    }
    with _lock, open(log_path(index_dir), "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        log.flush()
        os.fsync(log.fileno())


def recent(index_dir: Path, count: int = 10) -> list[dict]:
    """The last `count` changes, newest first; a damaged line is skipped."""
    try:
        lines = log_path(index_dir).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries = []
    for line in reversed(lines):
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
        if len(entries) == count:
            break
    return entries
