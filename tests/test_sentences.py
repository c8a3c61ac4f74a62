"""Sentence splitting and marker placement on abbreviations, numbers and quotes."""

import pytest

from chatbot.sentences import (
    cited_numbers,
    counts_out_of_brackets,
    markers_before_stop,
    sentence_spans,
    split_sentences,
    with_markers,
    without_markers,
)


@pytest.mark.parametrize(
    "text, sentences",
    [
        (
            "Copyright was set by the 1980 U.S. Computer Software Copyright Act [1]. GitHub came "
            "in 2008 [2].",
            [
                "Copyright was set by the 1980 U.S. Computer Software Copyright Act [1].",
                "GitHub came in 2008 [2].",
            ],
        ),
        (
            "R1 cost only $5.6 million [1]. It charges 1–4 RMB [2].",
            ["R1 cost only $5.6 million [1].", "It charges 1–4 RMB [2]."],
        ),
        (
            "Version 2.0 of the license, e.g. Apache's, applies.",
            ["Version 2.0 of the license, e.g. Apache's, applies."],
        ),
        (
            'He called it "free software." Then he left [1].',
            ['He called it "free software."', "Then he left [1]."],
        ),
        (
            "Dr. Stallman spoke at MIT. It was 1989 [3].",
            ["Dr. Stallman spoke at MIT.", "It was 1989 [3]."],
        ),
        ("No full stop at the end [2]", ["No full stop at the end [2]"]),
    ],
)
def test_sentences_known_answers(text, sentences):
    assert split_sentences(text) == sentences


def test_spans_are_exact_offsets_into_the_text():
    text = "  First one [1].   Second, with U.S. law.\nThird?"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one [1].", "Second, with U.S. law.", "Third?"]


def test_a_hard_wrapped_sentence_is_one_and_lists_and_headings_keep_their_lines():
    wrapped = (
        "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a\n"
        "copy of this software, subject to the following conditions:\n\n"
        "      The above notice shall be included in all\n      copies of the Software.\n"
    )
    spans = sentence_spans(wrapped)
    assert [" ".join(wrapped[a:b].split()) for a, b in spans] == [
        "MIT License",
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
        "software, subject to the following conditions:",
        "The above notice shall be included in all copies of the Software.",
    ]
    assert wrapped[spans[1][0] : spans[1][1]].count("\n") == 1  # offsets into the text as it is
    listed = "Steps\n- read the license\n- keep the notice\n1. share it"
    assert split_sentences(listed) == [
        "Steps",
        "- read the license",
        "- keep the notice",
        "1. share it",
    ]


def test_markers_after_a_full_stop_move_before_it():
    assert markers_before_stop("It was 1989. [2] Then more.") == "It was 1989 [2]. Then more."
    assert markers_before_stop("It was 1989. [1].") == "It was 1989 [1]."
    assert split_sentences(markers_before_stop("It was 1989. [1][2]")) == ["It was 1989 [1][2]."]


def test_markers_are_placed_before_the_closing_stop_and_quote():
    assert with_markers("It was 1989.", [1, 2]) == "It was 1989 [1][2]."
    assert with_markers('He said "it is free."', [3]) == 'He said "it is free [3]."'
    assert with_markers("It was passed in the U.S.", [1]) == "It was passed in the U.S. [1]"
    assert with_markers("No stop", [1]) == "No stop [1]"
    assert with_markers("By Facebook (now Meta).", [1]) == "By Facebook (now Meta) [1]."
    assert with_markers("Unchanged.", []) == "Unchanged."


def test_marker_numbers_and_removal():
    assert cited_numbers("A [2]. B [1][2]. C [10].") == [2, 1, 10]
    assert without_markers("A [2]. B [1][2].") == "A. B."


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "It was [2] years before TensorFlow appeared [2].",
            "It was 2 years before TensorFlow appeared [2].",
        ),
        ("A [3]-year gap [1].", "A 3-year gap [1]."),
        (
            "Caffe came [2] years later, in 2013 [1][2].",
            "Caffe came 2 years later, in 2013 [1][2].",
        ),
        (
            "Released in 2015 [1] and years later surpassed [2].",
            "Released in 2015 [1] and years later surpassed [2].",
        ),
        ("It cost [5] million dollars [1].", "It cost 5 million dollars [1]."),
    ],
)
def test_a_count_in_brackets_is_a_number_not_a_citation(text, expected):
    assert counts_out_of_brackets(text) == expected
