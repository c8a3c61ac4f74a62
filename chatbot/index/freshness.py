"""Is the index on disk what the corpus and settings would build now? If not, why, and rebuild
it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatbot.chunking import ChunkingParams
from chatbot.documents import corpus_fingerprint, scan_corpus
from chatbot.embedding import Embedder
from chatbot.errors import IndexDataError
from chatbot.index.build import build_index
from chatbot.index.store import FORMAT_VERSION, Index, Manifest, load_index, read_manifest


def stale_reasons(
    manifest: Manifest | None, corpus_dir: Path, embedding_model: str, params: ChunkingParams
) -> list[str]:
    """Why the index does not match the corpus and settings; empty when it is fresh."""
    if manifest is None:
        return ["there is no index yet"]
    reasons = []
    if manifest.format != FORMAT_VERSION:
        reasons.append("the index format changed")
    if manifest.embedding_model != embedding_model:
        reasons.append(f"the embedding model changed to {embedding_model}")
    if manifest.chunking != params.as_dict():
        reasons.append("the chunking parameters changed")
    indexed = manifest.recorded_sources()
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
    """Load the index, rebuilding it first when it is missing, damaged or stale against the
    corpus."""
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
