"""The citation verifier on fixtures where the right passage is known."""

import pytest

from chatbot.chunking import Chunk
from chatbot.retrieval import Passage
from chatbot.verification import key_terms, support, verify

GPL = "The GNU General Public License was introduced by Richard Stallman in 1989. It is a copyleft license."
GITHUB = "Platforms matter. GitHub was founded in 2008 and hosts code."


def passage(i: int, text: str, title: str = "Doc") -> Passage:
    chunk = Chunk(
        id=f"d#{i}", doc_id="d", text=text, start=1000 * i, end=1000 * i + len(text), heading=""
    )
    return Passage(chunk=chunk, title=title, score=1.0, similarity=0.5, lexical=1.0)


PASSAGES = [passage(0, GPL), passage(1, GITHUB)]


def test_a_supported_citation_is_kept_with_its_exact_span():
    checked = verify("Richard Stallman introduced the GPL in 1989 [1].", PASSAGES)
    assert checked.text == "Richard Stallman introduced the GPL in 1989 [1]."
    assert (checked.reattributed, checked.dropped, checked.added) == (0, 0, 0)
    start, end = checked.spans[1]
    assert (
        GPL[start:end]
        == "The GNU General Public License was introduced by Richard Stallman in 1989."
    )
    assert checked.support[1] >= 0.5 and checked.unsupported == ()


def test_a_wrong_citation_is_re_attributed_to_the_supporting_passage():
    checked = verify("GitHub was founded in 2008 [1].", PASSAGES)
    assert checked.text == "GitHub was founded in 2008 [2]." and checked.reattributed == 1
    start, end = checked.spans[2]
    assert GITHUB[start - 1000 : end - 1000] == "GitHub was founded in 2008 and hosts code."


def test_an_unsupported_sentence_loses_its_citation_and_is_reported():
    checked = verify("The capital of Australia is Canberra [1].", PASSAGES)
    assert checked.text == "The capital of Australia is Canberra." and checked.dropped == 1
    assert checked.unsupported == ("The capital of Australia is Canberra.",)
    assert not checked.anything_supported


def test_a_wrong_number_is_never_supported():
    checked = verify("Richard Stallman introduced the GPL in 1991 [1].", PASSAGES)
    assert checked.dropped == 1 and checked.unsupported


def test_an_uncited_supported_sentence_gets_its_citation():
    checked = verify("GitHub was founded in 2008.", PASSAGES)
    assert checked.text == "GitHub was founded in 2008 [2]." and checked.added == 1


def test_sentences_are_checked_one_by_one_and_markers_after_the_stop_are_kept():
    checked = verify("It is a copyleft license. [1]. GitHub hosts code [1].", PASSAGES)
    assert checked.text == "It is a copyleft license [1]. GitHub hosts code [2]."


def test_a_sentence_without_key_terms_keeps_what_it_cites():
    assert verify("Yes [2].", PASSAGES).text == "Yes [2]."


def test_the_passage_title_counts_as_support():
    checked = verify(
        "The MIT License has no warranty [1].",
        [passage(0, "PROVIDED AS IS, WITHOUT WARRANTY.", "MIT License")],
    )
    assert checked.text == "The MIT License has no warranty [1]."


@pytest.mark.parametrize(
    "text, terms",
    [
        ("The licenses were granted in 2007.", {"licens", "grante", "2007"}),
        ("Version 2.0, January 2004", {"versio", "2.0", "januar", "2004"}),
    ],
)
def test_key_terms_known_answers(text, terms):
    assert key_terms(text) == terms


def test_support_known_answers():
    assert support({"github", "2008"}, {"github", "2008", "code"}) == 1.0
    assert support({"github", "2009"}, {"github", "2008"}) == 0.0
    assert support(set(), {"x"}) == 1.0
    assert support({"a1", "b2", "c3", "d4"}, {"a1", "x"}) == 0.25


def test_a_name_that_neither_the_question_nor_a_passage_holds_is_not_supported():
    question = "What is the capital of Australia according to the General Public License?"
    answer = "The capital of Australia is Canberra, as the General Public License of 1989 says [1]."
    checked = verify(answer, PASSAGES, question)
    assert checked.unsupported and not checked.anything_supported
    assert "[1]" not in checked.text


def test_names_from_the_question_and_acronyms_need_not_be_in_the_passage():
    question = "Did Stallman's GNU Project introduce the Public License in 1989?"
    checked = verify(
        "Richard Stallman introduced the General Public License (GPL) for Project GNU in 1989 [1].",
        PASSAGES,
        question,
    )
    assert checked.text.endswith("in 1989 [1].") and checked.unsupported == ()
    assert verify("Richard Stallman of Boston introduced the GPL in 1989 [1].", PASSAGES).unsupported
