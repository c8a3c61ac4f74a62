"""The index: documents chunked and embedded into a folder (store), built and swapped in under a
lock (build), and kept matching the corpus (freshness)."""

from chatbot.index.build import BuildReport, build_index, embedding_text
from chatbot.index.freshness import ensure_index, stale_reasons
from chatbot.index.store import Index, Manifest, load_index, read_manifest

__all__ = [
    "BuildReport",
    "Index",
    "Manifest",
    "build_index",
    "embedding_text",
    "ensure_index",
    "load_index",
    "read_manifest",
    "stale_reasons",
]
