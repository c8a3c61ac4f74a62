"""A conversation as Markdown: a viewer shows the text as written, never markup of its own."""

from datetime import UTC, datetime

from chatbot.answering import Answer, Citation
from chatbot.chunking import Chunk
from chatbot.documents import Document
from chatbot.retrieval import Passage
from chatbot.transcript import FORGOTTEN, answer_markdown, conversation_markdown

TEXT = "Intro. Stallman wrote the GPL. It came out in 1989. <script>x</script> End."


def cited(text: str, spans=()) -> Answer:
    chunk = Chunk(id="d#0", doc_id="d", text=TEXT, start=0, end=len(TEXT), heading="Licenses")
    passage = Passage(chunk=chunk, title="Doc", score=1.0, similarity=0.5, lexical=1.0)
    return Answer("q", text, (Citation(1, passage, 1.0, spans),), (passage,), False)


DOCS = {"d": Document(id="d", title="Doc", source="doc.md", text=TEXT, sha256="0" * 64)}


def test_an_answer_lists_its_numbered_sources_quoting_every_supporting_sentence():
    markdown = answer_markdown(
        cited("Stallman's GPL came out in 1989 [1].", ((7, 30), (31, 51))), DOCS
    )
    assert markdown == (
        "Stallman's GPL came out in 1989 [1].\n\nSources:\n\n"
        "1. Doc — Licenses (doc.md)\n   > Stallman wrote the GPL. … It came out in 1989."
    )
    unchecked = answer_markdown(cited("Something [1]."), DOCS)
    assert "   > Intro. Stallman wrote the GPL. It came out in 1989. &lt;script&gt;" in unchecked


def test_text_cannot_become_headings_quotes_lists_links_images_or_html():
    hostile = "# Head\n> quote\n- item\n1. item [1] <b>x</b> [a](http://x.example) ![i](http://x.example/i.png)"
    markdown = answer_markdown(cited(hostile), DOCS)
    assert markdown.startswith(
        "\\# Head\n&gt; quote\n\\- item\n1\\. item [1] &lt;b&gt;x&lt;/b&gt; "
        "[a]\\(http://x.example) !\\[i]\\(http://x.example/i.png)"
    )
    text = conversation_markdown([("## Sneaky", markdown)], datetime(2026, 1, 2, tzinfo=UTC))
    assert text.startswith(
        "# Conversation with the cited-answers chatbot\n\nSaved 2026-01-02 00:00 UTC."
    )
    assert "\n## \\## Sneaky\n" in text


def test_an_answer_no_longer_kept_says_so():
    text = conversation_markdown([("Who?", None)])
    assert text.endswith(f"## Who?\n\n{FORGOTTEN}\n")
