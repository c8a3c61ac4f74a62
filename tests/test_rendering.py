import dataclasses
import re

from chatbot.answering import Answer, Citation, Reading
from chatbot.chunking import Chunk
from chatbot.documents import Document
from chatbot.rendering import answer_html, answer_id_of, streaming_html
from chatbot.retrieval import Passage

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> [a](javascript:alert(3)) ![t](http://evil.example/t.png)"
TEXT = "Intro words here.\n\nRichard Stallman introduced the GPL in 1989.\n\nLater words follow."


def make(
    answer_text: str, cite: bool = True, refused: bool = False, removed: int = 0, text: str = TEXT
):
    doc = Document(id="d", title="Doc <b>", source="d.md", text=text, sha256="0" * 64)
    start = text.index("Richard") if "Richard" in text else 0
    end = start + (
        len("Richard Stallman introduced the GPL in 1989.") if "Richard" in text else len(text)
    )
    chunk = Chunk(
        id="d#1", doc_id="d", text=text[start:end], start=start, end=end, heading="Licenses"
    )
    passage = Passage(chunk=chunk, title=doc.title, score=1.0, similarity=0.8, lexical=1.0)
    answer = Answer(
        question="q",
        text=answer_text,
        citations=(Citation(1, passage),) if cite else (),
        passages=(passage,),
        refused=refused,
        removed_markers=removed,
    )
    return answer, {"d": doc}


def test_markers_link_to_their_source_which_highlights_the_passage_in_context():
    answer, docs = make("Stallman, 1989 [1].")
    page = answer_html(answer, docs)
    link = re.search(r'<a class="cite" href="#(src-[0-9a-f]+-1)"', page)
    assert link and f'id="{link.group(1)}"' in page
    assert "<mark>Richard Stallman introduced the GPL in 1989.</mark>" in page
    assert "Intro words here." in page and "Later words follow." in page
    assert "Doc &lt;b&gt; — Licenses" in page


def test_each_answer_gets_its_own_source_ids():
    answer, docs = make("Stallman [1].")
    first = re.findall(r'id="(src-[^"]+)"', answer_html(answer, docs))
    second = re.findall(r'id="(src-[^"]+)"', answer_html(answer, docs))
    assert first != second


def test_hostile_text_in_documents_and_answers_is_escaped():
    answer, docs = make(HOSTILE + " [1]", text="Before. " + HOSTILE + " After.")
    page = answer_html(answer, docs)
    assert "<script" not in page and "<img" not in page and "javascript:alert" in page
    assert "&lt;script&gt;" in page and 'href="javascript' not in page and "](http" in page
    assert "\n\n" not in page, "a blank line would hand the rest to the Markdown renderer"
    assert "<script" not in streaming_html(HOSTILE)
    hostile_title = Reading((dataclasses.replace(answer.passages[0], title=HOSTILE),))
    assert "<script" not in streaming_html("", hostile_title)


def test_a_refusal_is_marked_and_an_uncited_answer_says_so():
    refusal, docs = make("The documents do not cover this question.", cite=False, refused=True)
    assert "Not in the documents" in answer_html(refusal, docs)
    uncited, docs = make("Something.", cite=False)
    assert "cites none of these passages" in answer_html(uncited, docs)


def test_removed_markers_are_reported():
    answer, docs = make("Stallman [1].", removed=2)
    page = answer_html(answer, docs)
    folded = page.split('<details class="checks">', 1)[1]
    assert "How this answer was checked (1)" in folded
    assert "Removed 2 citation markers that pointed at no passage." in folded


def test_a_passage_from_an_older_index_is_shown_without_context():
    answer, _ = make("Stallman [1].")
    other = {
        "d": Document(
            id="d", title="Doc", source="d.md", text="Completely different.", sha256="1" * 64
        )
    }
    page = answer_html(answer, other)
    assert (
        "<mark>Richard Stallman introduced the GPL in 1989.</mark>" in page
        and "Intro words" not in page
    )


def test_a_finished_answer_carries_the_id_it_was_given_and_a_stream_none():
    answer, docs = make("Stallman <in> 1989 [1].\nSecond line.")
    assert answer_id_of(answer_html(answer, docs, "ab" * 16)) == "ab" * 16
    refusal, docs = make("The documents do not cover this question.", cite=False, refused=True)
    assert answer_id_of(answer_html(refusal, docs, "cd" * 16)) == "cd" * 16
    assert answer_id_of(streaming_html("Stallman in 1989")) is None


def test_every_supporting_sentence_of_a_passage_is_highlighted():
    text = "Stallman wrote the GPL. It came out in 1989. Nothing else here."
    doc = Document(id="d", title="Doc", source="d.md", text=text, sha256="0" * 64)
    chunk = Chunk(id="d#0", doc_id="d", text=text, start=0, end=len(text), heading="")
    passage = Passage(chunk=chunk, title="Doc", score=1.0, similarity=0.8, lexical=1.0)
    spans = ((24, 44), (0, 23))  # in any order
    answer = Answer(
        "q",
        "Stallman's GPL came out in 1989 [1].",
        (Citation(1, passage, 1.0, spans),),
        (passage,),
        False,
    )
    page = answer_html(answer, {"d": doc})
    assert re.findall(r"<mark>(.*?)</mark>", page) == [
        "Stallman wrote the GPL.",
        "It came out in 1989.",
    ]
    assert "</mark> <mark>" in page and page.count("Nothing else here.") == 1
    outside = Citation(1, passage, 1.0, ((50, 999),))  # the index changed: the whole passage
    answer = Answer("q", "x [1].", (outside,), (passage,), False)
    assert re.findall(r"<mark>(.*?)</mark>", answer_html(answer, {"d": doc})) == [text]


def test_notes_for_the_reader_show_and_bookkeeping_is_folded_away():
    answer, docs = make("Stallman [1].")
    answer = Answer(
        **{
            **answer.__dict__,
            "notes": ("Removed from the answer because the sources do not say it: “X.”",),
            "checks": ("Moved one citation to the passage that says it.",),
        }
    )
    page = answer_html(answer, docs)
    shown, folded = page.split('<details class="checks">', 1)
    assert "Removed from the answer because the sources do not say it" in shown
    assert "Moved one citation" not in shown and "Moved one citation" in folded
    plain, _ = make("Stallman [1].")
    assert "checks" not in answer_html(plain, docs)
