"""The index committed in index/ must match corpus/: a fresh checkout answers without rebuilding."""

from chatbot.chunking import ChunkingParams
from chatbot.config import Config
from chatbot.embedding import DEFAULT_EMBEDDING_ID
from chatbot.index import load_index, read_manifest, stale_reasons


def test_committed_index_is_fresh_against_the_corpus():
    config = Config()
    manifest = read_manifest(config.index_dir)
    params = ChunkingParams(config.chunk_chars, config.chunk_max_chars)
    reasons = stale_reasons(manifest, config.corpus_dir, DEFAULT_EMBEDDING_ID, params)
    assert reasons == [], (
        f"index/ is stale ({'; '.join(reasons)}): run `make index` and commit index/"
    )


def test_committed_index_loads_and_its_checksums_match():
    index = load_index(Config().index_dir)
    assert index.vectors.ntotal == len(index.chunks) > 0
    assert index.manifest.dimension == 384


def test_the_committed_index_holds_the_article_and_its_picture_captions():
    index = load_index(Config().index_dir)
    article = next(d for d in index.documents.values() if d.source == "open-source-ecosystem.md")
    assert article.title.startswith("III. The Open-Source Ecosystem")
    texts = [c.text for c in index.chunks if c.doc_id == article.id]
    assert any(
        "In 1989, Richard Stallman introduced the GNU General Public License" in t for t in texts
    )
    assert any("Richard Stallman delivering a speech at MIT" in t for t in texts)
