from pathlib import Path

from chatbot.chunking import ChunkingParams, chunk_document
from chatbot.config import Config
from chatbot.documents import Document, load_corpus

PROJECT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def doc(text: str) -> Document:
    return Document(id="d", title="T", source="d.md", text=text, sha256="0" * 64)


def test_known_offsets_and_headings():
    text = "# Title\n\nIntro para.\n\n## Part A\n\nAlpha one.\n\nAlpha two.\n\n## Part B\n\nBeta."
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=100, chunk_max_chars=200))
    assert [(c.start, c.end, c.heading) for c in chunks] == [
        (0, 20, "Title"),
        (22, 55, "Title > Part A"),
        (57, 73, "Title > Part B"),
    ]
    assert chunks[1].text == "## Part A\n\nAlpha one.\n\nAlpha two."
    assert [c.id for c in chunks] == ["d#0", "d#1", "d#2"]


def test_paragraphs_are_packed_up_to_the_target_size():
    text = "\n\n".join(f"Paragraph number {i} has some words." for i in range(10))
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=80, chunk_max_chars=160))
    assert len(chunks) == 5
    assert all(len(c.text) <= 80 for c in chunks)


def test_long_paragraph_is_split_at_sentence_ends():
    text = " ".join(f"Sentence {i} is here." for i in range(40))
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=100, chunk_max_chars=120))
    assert len(chunks) > 1
    assert all(len(c.text) <= 120 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)


def test_a_sentence_longer_than_the_maximum_is_cut_hard():
    text = "x" * 500
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=100, chunk_max_chars=150))
    assert [len(c.text) for c in chunks] == [150, 150, 150, 50]
    assert "".join(c.text for c in chunks) == text


def test_small_tail_joins_the_previous_chunk():
    text = "A" * 90 + ".\n\n" + "B" * 90 + ".\n\nEnd."
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=100, chunk_max_chars=200))
    assert len(chunks) == 2 and chunks[-1].text.endswith("End.")


def test_plain_text_section_titles_become_headings():
    text = "LICENSE TEXT\n\n1. Definitions.\n\nWords mean things.\n\n2. Grant.\n\nYou may use it."
    chunks = chunk_document(doc(text), ChunkingParams(chunk_chars=30, chunk_max_chars=60))
    assert [(c.heading, c.text) for c in chunks] == [
        ("1. Definitions.", "1. Definitions.\n\nWords mean things."),
        ("2. Grant.", "2. Grant.\n\nYou may use it."),
    ]


def test_every_chunk_of_the_shipped_corpus_is_an_exact_span():
    for document in load_corpus(PROJECT_CORPUS):
        chunks = chunk_document(document, Config().chunking)
        assert chunks
        for chunk in chunks:
            assert document.text[chunk.start : chunk.end] == chunk.text
            assert chunk.text.strip() == chunk.text and chunk.text
            assert len(chunk.text) <= Config().chunk_max_chars


def test_section_labels_do_not_repeat_the_title():
    from chatbot.chunking import section_label

    assert section_label("Doc", "Doc > Part A") == "Doc — Part A"
    assert section_label("Doc", "Doc") == "Doc" and section_label("Doc", "") == "Doc"
    assert section_label("Doc", "1. Definitions.") == "Doc — 1. Definitions."
