import json
import os

import pytest

from chatbot.chunking import ChunkingParams
from chatbot.documents import load_corpus
from chatbot.errors import CorpusError, IndexDataError
from chatbot.index import build_index, ensure_index, load_index, read_manifest, stale_reasons

PARAMS = ChunkingParams(200, 400)


def build(corpus_dir, index_dir, embedder):
    return build_index(load_corpus(corpus_dir), embedder, index_dir, PARAMS)


def test_build_and_load_round_trip(corpus_dir, tmp_path, embedder):
    report = build(corpus_dir, tmp_path / "index", embedder)
    index = load_index(tmp_path / "index")
    assert report.documents == 2 and report.chunks == len(index.chunks) == index.vectors.ntotal
    assert {d.id for d in index.documents.values()} == {"article", "recipes"}
    for chunk in index.chunks:
        assert index.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text


def test_manifest_records_what_the_index_was_built_from(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    manifest = read_manifest(tmp_path / "index")
    assert (manifest.embedding_model, manifest.dimension) == ("fake-bag-of-words", 1024)
    assert manifest.chunking == {"chunker": 2, "chunk_chars": 200, "chunk_max_chars": 400}
    assert {d.source for d in manifest.documents} == {"article.md", "recipes.md"}
    assert manifest.chunk_count == len(load_index(tmp_path / "index").chunks) > 0
    bm25 = {name for name in manifest.files if name.startswith("bm25/")}
    assert set(manifest.files) == {"chunks.sqlite", "vectors.faiss"} | bm25
    assert "bm25/vocab.index.json" in bm25
    assert len(manifest.build_id) == 32
    assert not list(tmp_path.glob("index.*-*")), "no temporary folder is left behind"


def test_nothing_is_pickled(corpus_dir, tmp_path, embedder):
    """Every file of the index is in a known, non-executable format: JSON, NumPy arrays without
    objects, SQLite or FAISS."""
    import sqlite3

    import faiss
    import numpy as np

    build(corpus_dir, tmp_path / "index", embedder)
    folder = tmp_path / "index"
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    for name, path in files.items():
        if name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith(".npy"):
            np.load(path, allow_pickle=False)
        elif name == "chunks.sqlite":
            sqlite3.connect(path).execute("SELECT count(*) FROM chunks").fetchone()
        else:
            assert name == "vectors.faiss", f"unexpected file {name}"
            assert faiss.read_index(str(path)).ntotal > 0


def test_fresh_index_has_no_stale_reasons(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    assert (
        stale_reasons(read_manifest(tmp_path / "index"), corpus_dir, embedder.model_id, PARAMS)
        == []
    )


def test_every_kind_of_change_makes_the_index_stale(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    manifest = read_manifest(tmp_path / "index")
    (corpus_dir / "article.md").write_text("# Changed\n\nOther words.")
    (corpus_dir / "new.md").write_text("# New\n\nNew words.")
    (corpus_dir / "recipes.md").unlink()
    reasons = stale_reasons(manifest, corpus_dir, embedder.model_id, PARAMS)
    assert reasons == ["new.md is new", "recipes.md was removed", "article.md changed"]
    assert "embedding model" in stale_reasons(manifest, corpus_dir, "other-model", PARAMS)[0]
    assert (
        "chunking"
        in stale_reasons(manifest, corpus_dir, embedder.model_id, ChunkingParams(300, 400))[0]
    )
    assert stale_reasons(None, corpus_dir, embedder.model_id, PARAMS) == ["there is no index yet"]


def test_a_crash_mid_embedding_keeps_the_previous_index(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    before = (tmp_path / "index" / "manifest.json").read_text()

    class Crashing(type(embedder)):
        def embed_documents(self, texts):
            raise RuntimeError("killed mid-embedding")

    (corpus_dir / "article.md").write_text("# Changed\n\nOther words.")
    with pytest.raises(RuntimeError):
        build(corpus_dir, tmp_path / "index", Crashing())
    assert (tmp_path / "index" / "manifest.json").read_text() == before
    assert load_index(tmp_path / "index").vectors.ntotal > 0
    assert not list(tmp_path.glob("index.tmp-*"))


def test_a_crash_mid_write_keeps_the_previous_index(corpus_dir, tmp_path, embedder, monkeypatch):
    build(corpus_dir, tmp_path / "index", embedder)
    import chatbot.index.store as store

    def failing_write(path, data):
        raise OSError("disk full")

    monkeypatch.setattr(store, "write_json", failing_write)
    with pytest.raises(IndexDataError, match=r"disk full.*the previous index is unchanged"):
        build(corpus_dir, tmp_path / "index", embedder)
    monkeypatch.undo()
    assert load_index(tmp_path / "index").chunks
    assert not list(tmp_path.glob("index.tmp-*"))


def test_a_crash_between_the_two_renames_is_recovered(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    os.rename(tmp_path / "index", tmp_path / "index.old-deadbeef")
    assert load_index(tmp_path / "index").chunks  # read where the crash left it
    assert (tmp_path / "index.old-deadbeef").exists(), "reading changed the folder"
    build(corpus_dir, tmp_path / "index", embedder)  # the next build, under the lock, tidies up
    assert load_index(tmp_path / "index").chunks
    assert not (tmp_path / "index.old-deadbeef").exists()


def test_leftover_temporary_folders_are_cleaned_on_the_next_build(corpus_dir, tmp_path, embedder):
    (tmp_path / "index.tmp-12345678").mkdir()
    build(corpus_dir, tmp_path / "index", embedder)
    assert not (tmp_path / "index.tmp-12345678").exists()


def test_a_damaged_vectors_file_is_detected_with_the_fix(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    vectors = tmp_path / "index" / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:-10])
    with pytest.raises(IndexDataError, match="chatbot index"):
        load_index(tmp_path / "index")


def test_a_damaged_manifest_is_detected(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    (tmp_path / "index" / "manifest.json").write_text("{not json")
    with pytest.raises(IndexDataError, match="damaged"):
        load_index(tmp_path / "index")


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexDataError, match="No index"):
        load_index(tmp_path / "index")


def test_ensure_index_builds_when_missing_and_rebuilds_when_stale(corpus_dir, tmp_path, embedder):
    messages = []
    index = ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS, notify=messages.append)
    assert len(index.documents) == 2 and "no index yet" in messages[0]
    calls = embedder.calls
    ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS, notify=messages.append)
    assert embedder.calls == calls, "a fresh index is loaded, not rebuilt"
    (corpus_dir / "extra.md").write_text("# Extra\n\nMore text.")
    index = ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS, notify=messages.append)
    assert "extra" in index.documents and "extra.md is new" in messages[-1]


def test_ensure_index_rebuilds_a_damaged_index(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    (tmp_path / "index" / "chunks.sqlite").write_bytes(b"not a database")
    index = ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS)
    assert len(index.chunks) == index.vectors.ntotal > 0


def test_a_bad_file_in_the_corpus_is_skipped_and_the_rest_indexed(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    (corpus_dir / "broken.md").write_text("")
    (corpus_dir / "new.md").write_text("# New\n\nFresh words.")
    messages = []
    index = ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS, notify=messages.append)
    assert {d.source for d in index.documents.values()} == {"article.md", "recipes.md", "new.md"}
    assert any("Skipped broken.md" in m and "empty" in m for m in messages)
    manifest = read_manifest(tmp_path / "index")
    assert [u.source for u in manifest.unreadable] == ["broken.md"]
    assert stale_reasons(manifest, corpus_dir, embedder.model_id, PARAMS) == [], (
        "not retried every time"
    )


def test_a_corpus_of_only_bad_files_keeps_the_last_good_index(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    for name in ("article.md", "recipes.md"):
        (corpus_dir / name).write_text("  ")
    with pytest.raises(CorpusError, match="No usable documents"):
        ensure_index(corpus_dir, tmp_path / "index", embedder, PARAMS)
    assert len(load_index(tmp_path / "index").documents) == 2


def test_empty_document_list_is_refused(tmp_path, embedder):
    with pytest.raises(CorpusError):
        build_index([], embedder, tmp_path / "index", PARAMS)


def test_chunk_store_is_sqlite_any_tool_can_read(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    import sqlite3

    store = sqlite3.connect(tmp_path / "index" / "chunks.sqlite")
    rows = store.execute("SELECT row, text FROM chunks ORDER BY row").fetchall()
    assert [row for row, _ in rows] == list(range(len(rows))) and rows
    assert any("Richard Stallman" in text for _, text in rows)


def test_only_changed_documents_are_embedded_again(corpus_dir, tmp_path, embedder):
    first = build(corpus_dir, tmp_path / "index", embedder)
    assert (first.embedded, first.reused) == (first.chunks, 0)
    before = load_index(tmp_path / "index")
    (corpus_dir / "recipes.md").write_text("# Cooking Notes\n\nPancakes need eggs and milk.")
    second = build(corpus_dir, tmp_path / "index", embedder)
    after = load_index(tmp_path / "index")
    recipe_chunks = sum(c.doc_id == "recipes" for c in after.chunks)
    assert second.embedded == recipe_chunks and second.reused == second.chunks - recipe_chunks
    article_rows = [i for i, c in enumerate(after.chunks) if c.doc_id == "article"]
    old_rows = [i for i, c in enumerate(before.chunks) if c.doc_id == "article"]
    for new, old in zip(article_rows, old_rows, strict=True):
        assert (after.vectors.reconstruct(new) == before.vectors.reconstruct(old)).all()


def test_another_embedding_model_reuses_nothing(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)

    class Other(type(embedder)):
        model_id = "another-model"

    report = build(corpus_dir, tmp_path / "index", Other())
    assert report.reused == 0 and report.embedded == report.chunks


def test_the_same_content_under_a_new_name_is_indexed_once(corpus_dir, tmp_path, embedder):
    (corpus_dir / "copy-of-article.md").write_text((corpus_dir / "article.md").read_text())
    report = build(corpus_dir, tmp_path / "index", embedder)
    assert report.documents == 2 and report.duplicates == (("copy-of-article.md", "article.md"),)
    manifest = read_manifest(tmp_path / "index")
    assert stale_reasons(manifest, corpus_dir, embedder.model_id, PARAMS) == [], (
        "a duplicate is not 'new' forever"
    )


def test_a_second_build_waits_for_the_first_and_never_touches_its_folder(
    corpus_dir, tmp_path, embedder, monkeypatch
):
    import threading

    import chatbot.index.store as store

    index_dir = tmp_path / "index"
    build(corpus_dir, index_dir, embedder)
    writing, release = threading.Event(), threading.Event()
    real_write = store.write_json

    def paused_write(path, data):  # the first build stops with its temporary folder half written
        if threading.current_thread().name == "first" and not release.is_set():
            writing.set()
            assert release.wait(10), "the test never let the first build go on"
        real_write(path, data)

    monkeypatch.setattr(store, "write_json", paused_write)
    errors = []

    def run():
        try:
            build(corpus_dir, index_dir, embedder)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    first = threading.Thread(target=run, name="first")
    first.start()
    assert writing.wait(10)
    (in_progress,) = tmp_path.glob("index.tmp-*")
    second = threading.Thread(target=run, name="second")
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second build did not wait for the first"
    assert in_progress.exists(), "the second build deleted the first one's folder"
    release.set()
    first.join(10)
    second.join(10)
    assert not errors and not first.is_alive() and not second.is_alive()
    assert load_index(index_dir).chunks
    assert not list(tmp_path.glob("index.tmp-*")) and not list(tmp_path.glob("index.old-*"))


def test_a_build_that_cannot_get_the_lock_says_so(corpus_dir, tmp_path, embedder, monkeypatch):
    from chatbot.index import build as build_module

    index_dir = tmp_path / "index"
    with build_module.build_lock(index_dir):
        monkeypatch.setattr(build_module, "LOCK_WAIT_SECONDS", 0.2)
        with pytest.raises(IndexDataError, match=r"Another build of .* try again"):
            build_module.build_index(load_corpus(corpus_dir), embedder, index_dir, PARAMS)


def test_a_swap_that_fails_is_one_clear_error_and_keeps_the_index(
    corpus_dir, tmp_path, embedder, monkeypatch
):
    from chatbot.index import build as build_module

    index_dir = tmp_path / "index"
    build(corpus_dir, index_dir, embedder)
    before = (index_dir / "manifest.json").read_bytes()

    def refused(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(build_module.os, "rename", refused)
    with pytest.raises(IndexDataError, match=r"Permission denied.*previous index is unchanged"):
        build_module.build_index(load_corpus(corpus_dir), embedder, index_dir, PARAMS, reuse=False)
    monkeypatch.undo()
    assert (index_dir / "manifest.json").read_bytes() == before
    assert load_index(index_dir).chunks


def test_reading_an_index_changes_nothing_on_disk(corpus_dir, tmp_path, embedder):
    build(corpus_dir, tmp_path / "index", embedder)
    (tmp_path / "index.tmp-abandoned").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    read_manifest(tmp_path / "index")
    load_index(tmp_path / "index")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_index_in_the_previous_format_says_how_to_rebuild_and_is_rebuilt_when_needed(
    corpus_dir, tmp_path, embedder
):
    index_dir = tmp_path / "index"
    build(corpus_dir, index_dir, embedder)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    manifest["format"] = 1  # what the JSON chunk store's version wrote
    (index_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexDataError, match=r"format 1.*chatbot index rebuild"):
        load_index(index_dir)
    reasons = stale_reasons(read_manifest(index_dir), corpus_dir, embedder.model_id, PARAMS)
    assert reasons == ["the index format changed"]
    assert len(ensure_index(corpus_dir, index_dir, embedder, PARAMS).chunks) > 0
    assert read_manifest(index_dir).format == 2


def test_passages_are_read_from_disk_only_when_asked_for(corpus_dir, tmp_path, embedder):
    index = build(corpus_dir, tmp_path / "index", embedder) and load_index(tmp_path / "index")
    assert not isinstance(index.chunks, list) and not isinstance(index.documents, dict)
    assert [c.id for c in index.store.chunks_at([2, 0])] == [index.chunks[2].id, index.chunks[0].id]
    assert index.documents["article"].text.startswith("# Open Source in Practice")
    with pytest.raises(IndexError):
        index.chunks[len(index.chunks)]


def test_opening_hashes_only_the_files_changed_since_the_build(
    corpus_dir, tmp_path, embedder, monkeypatch
):
    import chatbot.index.store as store

    index_dir = tmp_path / "index"
    build(corpus_dir, index_dir, embedder)
    hashed = []
    real = store.sha256_file
    monkeypatch.setattr(store, "sha256_file", lambda path: hashed.append(path.name) or real(path))
    load_index(index_dir)
    assert hashed == [], "files the build just checksummed were hashed again"
    store_file = index_dir / "chunks.sqlite"
    data = bytearray(store_file.read_bytes())
    data[-100] ^= 0xFF
    store_file.write_bytes(bytes(data))
    with pytest.raises(IndexDataError, match=r"chunks\.sqlite is missing or damaged"):
        load_index(index_dir)
    assert hashed == ["chunks.sqlite"]
    (index_dir / "verified.json").write_text("{damaged")  # a damaged stamp: everything is hashed
    with pytest.raises(IndexDataError):
        load_index(index_dir)
