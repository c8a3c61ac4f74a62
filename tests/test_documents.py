import codecs

import pytest

from chatbot.documents import corpus_fingerprint, guess_title, load_corpus, normalise
from chatbot.errors import CorpusError


def test_loads_markdown_and_text_with_titles(corpus_dir):
    (corpus_dir / "notes.txt").write_text("Plain Notes\nVersion 2, 2020\n\nBody text here.")
    docs = {d.id: d for d in load_corpus(corpus_dir)}
    assert docs["article"].title == "Open Source in Practice"
    assert docs["notes"].title == "Plain Notes, Version 2, 2020"
    assert docs["article"].source == "article.md" and len(docs["article"].sha256) == 64


def test_other_formats_and_hidden_files_are_skipped(corpus_dir):
    (corpus_dir / "picture.png").write_bytes(b"\x89PNG")
    (corpus_dir / ".draft.md").write_text("# Hidden")
    assert sorted(d.id for d in load_corpus(corpus_dir)) == ["article", "recipes"]


def test_subfolders_are_read_recursively(corpus_dir):
    (corpus_dir / "more").mkdir()
    (corpus_dir / "more" / "extra.md").write_text("# Extra\n\nText.")
    assert "more/extra" in {d.id for d in load_corpus(corpus_dir)}


def test_bom_and_crlf_are_normalised():
    assert normalise("\ufeffa\r\nb\rc") == "a\nb\nc"


def test_title_falls_back_to_file_name():
    assert guess_title("   \n", fallback="name") == "name"


def test_empty_file_is_a_clear_error(corpus_dir):
    (corpus_dir / "empty.md").write_text("  \n")
    with pytest.raises(CorpusError, match=r"empty.md is empty"):
        load_corpus(corpus_dir)


@pytest.mark.parametrize(
    "data",
    [
        "Café déjà vu — “quoted”".encode(),
        codecs.BOM_UTF8 + "Café déjà vu — “quoted”".encode(),
        "Café déjà vu — “quoted”".encode("utf-16"),
        "Café déjà vu — “quoted”".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "cp1252"],
)
def test_common_encodings_are_decoded(corpus_dir, data):
    (corpus_dir / "encoded.txt").write_bytes(data)
    doc = next(d for d in load_corpus(corpus_dir) if d.id == "encoded")
    assert doc.text == "Café déjà vu — “quoted”"


def test_latin1_bytes_outside_cp1252_still_decode(corpus_dir):
    (corpus_dir / "latin.txt").write_bytes(b"Caf\xe9 \x81")
    doc = next(d for d in load_corpus(corpus_dir) if d.id == "latin")
    assert doc.text.startswith("Café")


def test_binary_file_renamed_txt_is_a_clear_error(corpus_dir):
    (corpus_dir / "blob.txt").write_bytes(b"abc\x00def")
    with pytest.raises(CorpusError, match="binary"):
        load_corpus(corpus_dir)


def test_folder_without_documents_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="No documents"):
        load_corpus(tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_fingerprint_changes_with_content(corpus_dir):
    before = corpus_fingerprint(corpus_dir)
    (corpus_dir / "article.md").write_text("# Changed\n\nNew text.")
    after = corpus_fingerprint(corpus_dir)
    assert before.keys() == after.keys() and before["article.md"] != after["article.md"]


def test_unchanged_files_are_not_read_again_for_the_freshness_check(corpus_dir, monkeypatch):
    from chatbot import documents

    corpus_fingerprint(corpus_dir)
    reads = []
    monkeypatch.setattr(documents, "sha256_bytes", lambda data: reads.append(data) or "x")
    corpus_fingerprint(corpus_dir)
    assert reads == []
    (corpus_dir / "article.md").write_text("# Changed\n\nA different length now.")
    corpus_fingerprint(corpus_dir)
    assert len(reads) == 1
