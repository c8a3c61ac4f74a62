"""kill -9 at each step of a rebuild, in a real subprocess: the previous index stays loadable and
consistent, and the next run cleans up what the killed one left behind."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from chatbot.chunking import ChunkingParams
from chatbot.documents import load_corpus
from chatbot.index import build_index, load_index, read_manifest
from tests.conftest import PROJECT_ROOT
from tests.fakes import FakeEmbedder

PARAMS = ChunkingParams(200, 400)

# Runs a rebuild that kills itself (SIGKILL, no cleanup of any kind) at the step named in argv[3].
CRASHING_BUILD = textwrap.dedent(
    """
    import os, shutil, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    import chatbot.index as index
    import chatbot.index.store as store
    from chatbot.chunking import ChunkingParams
    from chatbot.documents import load_corpus
    from tests.fakes import FakeEmbedder

    step = sys.argv[3]
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)

    class Embedder(FakeEmbedder):
        def embed_documents(self, texts):
            if step == "mid-embedding":
                die()
            return super().embed_documents(texts)

    real_write, real_rename, real_rmtree = store.write_chunk_store, os.rename, shutil.rmtree

    def write(path, *args):
        real_write(path, *args)
        if step == "mid-write":
            die()  # the chunk store is written, the BM25 model and the manifest not yet

    renames = []

    def rename(src, dst):
        renames.append(dst)
        if step == "before-swap" and len(renames) == 2:
            die()  # the old index is set aside, the new one not yet in place
        real_rename(src, dst)

    def rmtree(path, *args, **kwargs):
        if step == "after-swap" and ".old-" in str(path):
            die()  # the new index is in place, the old one not yet deleted
        real_rmtree(path, *args, **kwargs)

    store.write_chunk_store, os.rename, shutil.rmtree = write, rename, rmtree
    corpus, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
    index.build_index(load_corpus(corpus), Embedder(), index_dir, ChunkingParams(200, 400))
    """
)


def assert_consistent(index_dir):
    index = load_index(index_dir)  # verifies every file against the manifest's checksums
    manifest = read_manifest(index_dir)
    assert index.vectors.ntotal == len(index.chunks) == manifest.chunk_count
    assert len(index.documents) == len(manifest.documents)
    return index


@pytest.mark.parametrize("step", ["mid-embedding", "mid-write", "before-swap", "after-swap"])
def test_kill_9_at_any_step_leaves_a_loadable_consistent_index(corpus_dir, tmp_path, step):
    index_dir = tmp_path / "index"
    build_index(load_corpus(corpus_dir), FakeEmbedder(), index_dir, PARAMS)
    before = {d.source for d in read_manifest(index_dir).documents}
    (corpus_dir / "news.md").write_text("# News\n\nThe zebra project released version nine.")

    script = tmp_path / "crash.py"
    script.write_text(CRASHING_BUILD)
    done = subprocess.run(
        [sys.executable, str(script), str(corpus_dir), str(index_dir), step, str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr

    index = assert_consistent(index_dir)
    sources = {d.source for d in index.documents.values()}
    assert sources == (before | {"news.md"} if step == "after-swap" else before)

    build_index(load_corpus(corpus_dir), FakeEmbedder(), index_dir, PARAMS)
    assert {d.source for d in assert_consistent(index_dir).documents.values()} == before | {
        "news.md"
    }
    assert not list(tmp_path.glob("index.tmp-*")) and not list(tmp_path.glob("index.old-*"))


@pytest.mark.parametrize("damaged", ["chunks.sqlite", "bm25/data.csc.index.npy", "vectors.faiss"])
def test_a_damaged_index_file_is_never_used_to_answer(corpus_dir, tmp_path, damaged):
    from chatbot.errors import IndexDataError

    index_dir = tmp_path / "index"
    build_index(load_corpus(corpus_dir), FakeEmbedder(), index_dir, PARAMS)
    path = index_dir / damaged
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, the file still the same size
    path.write_bytes(bytes(data))
    with pytest.raises(IndexDataError, match=f"{damaged} is missing or damaged.*index rebuild"):
        load_index(index_dir)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["files"][damaged]  # the checksum that caught it
