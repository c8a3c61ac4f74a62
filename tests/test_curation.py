import pytest

from chatbot.curation import MAX_UPLOAD_BYTES, add_file, remove_document
from chatbot.documents import load_corpus
from chatbot.errors import CorpusError


def test_an_upload_is_stored_under_a_generated_name(corpus_dir):
    added = add_file(corpus_dir, b"# Zebra\n\nStripes.", "My Notes.md")
    assert added.source.startswith("uploads/my-notes-") and added.source.endswith(".md")
    assert "Zebra" in {d.title for d in load_corpus(corpus_dir)}


@pytest.mark.parametrize(
    "name",
    ["../../x.md", "/etc/passwd.md", "a\x00b.md", "x" * 300 + ".md", "..\\..\\win.md", "CON.md"],
)
def test_hostile_names_end_up_inside_the_uploads_folder(corpus_dir, name):
    added = add_file(corpus_dir, b"Some text.", name)
    stored = (corpus_dir / added.source).resolve()
    assert stored.parent == (corpus_dir / "uploads").resolve()
    assert len(stored.name) < 80 and "\x00" not in stored.name


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"  \n", "empty.md", "empty"),
        (b"abc\x00def", "blob.txt", "binary"),
        (b"text", "slides.pptx", "not a supported type"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "huge.txt", "larger than"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(corpus_dir, data, name, reason):
    with pytest.raises(CorpusError, match=reason):
        add_file(corpus_dir, data, name)
    assert not (corpus_dir / "uploads").exists() or not list((corpus_dir / "uploads").iterdir())


def test_remove_deletes_a_corpus_document(corpus_dir):
    remove_document(corpus_dir, "recipes.md")
    assert [d.id for d in load_corpus(corpus_dir)] == ["article"]


@pytest.mark.parametrize("source", ["../outside.md", "/etc/hostname", "missing.md", "article"])
def test_remove_refuses_anything_outside_the_corpus_or_missing(corpus_dir, tmp_path, source):
    (tmp_path / "outside.md").write_text("keep me")
    with pytest.raises(CorpusError):
        remove_document(corpus_dir, source)
    assert (tmp_path / "outside.md").exists()
