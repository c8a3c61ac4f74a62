"""The polarity check: an answer sentence that says the opposite of the passage sentence it rests
on, on what the question asks."""

import pytest

from chatbot.chunking import Chunk
from chatbot.polarity import polar_forms, said_the_other_way
from chatbot.retrieval import Passage

MIT = (
    "MIT License\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software, to deal in the Software without restriction, including without limitation the "
    "rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of "
    "the Software.\n\n"
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED. IN NO '
    "EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER "
    "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN "
    "CONNECTION WITH THE SOFTWARE."
)
APACHE = (
    "This License does not grant permission to use the trade names, trademarks, service marks, "
    "or product names of the Licensor, except as required for reasonable and customary use."
)
GPL = (
    "THERE IS NO WARRANTY FOR THE PROGRAM. You may charge any price or no price for each copy "
    "that you convey, and you may offer support or warranty protection for a fee."
)
ARTICLE = (
    "OpenAI launched GPT-3 in 2021 without releasing its model parameters. In response, Meta "
    "released LLaMA in 2023, and Mistral launched Mistral 7B."
)


def _passage(n: int, text: str, title: str) -> Passage:
    chunk = Chunk(id=f"{title}#{n}", doc_id=title, text=text, start=0, end=len(text), heading="")
    return Passage(chunk=chunk, title=title, score=1.0, similarity=0.5, lexical=1.0)


PASSAGES = [
    _passage(1, MIT, "MIT License"),
    _passage(2, APACHE, "Apache License 2.0"),
    _passage(3, GPL, "GNU General Public License v3.0"),
    _passage(4, ARTICLE, "The Open-Source Ecosystem"),
]
LIABLE = "Does the MIT license make the authors liable for damages arising from the software?"
SUBLICENSE = "Does the MIT license allow me to sublicense the software?"
WARRANTY = "Does the MIT license come with a warranty?"
TRADE_NAMES = "Does the Apache License 2.0 grant permission to use the Licensor's trade names?"


@pytest.mark.parametrize(
    "question, sentence, turned",
    [
        (LIABLE, "Yes, the MIT license makes the authors liable for damages arising from it.", 1),
        # "authors" stands before the negation here and after it there: the rest agrees.
        (LIABLE, "No, the authors are not liable for damages.", None),
        (SUBLICENSE, "No, you may not sublicense the software under the MIT license.", 1),
        (SUBLICENSE, "Yes, the MIT license allows you to sublicense the software.", None),
        (WARRANTY, "Yes, the MIT license comes with a warranty.", 1),
        (WARRANTY, "No, the MIT license does not come with a warranty.", None),
        (TRADE_NAMES, "Yes, the Apache License 2.0 grants permission to use the trade names.", 2),
        (TRADE_NAMES, "No, it does not grant permission to use the Licensor's trade names.", None),
        # Rests on the second clause, not on "no warranty" before it.
        ("May I offer warranty protection for a fee?", "Yes, you may offer it for a fee.", None),
        ("May I charge for copies?", "Yes, you may charge any price for each copy.", None),
        # Meta's sentence is the one rested on, not the one saying "without releasing".
        ("Did Meta release LLaMA in 2023?", "Yes, Meta released LLaMA in 2023.", None),
        ("Did OpenAI release the parameters of GPT-3?", "Yes, OpenAI released them.", 4),
    ],
)
def test_a_sentence_saying_the_opposite_of_its_passage_is_found(question, sentence, turned):
    found = said_the_other_way(question, [sentence], PASSAGES)
    where = found[0] if found else None
    assert (where[0] if where else None) == turned


def test_the_sentence_pointed_at_is_the_one_that_says_the_opposite():
    ((_, start, end),) = said_the_other_way(LIABLE, ["Yes, the authors are liable."], PASSAGES)
    assert MIT[start:end].startswith("IN NO EVENT SHALL THE AUTHORS")


@pytest.mark.parametrize(
    "sentence, plain, negated",
    [
        ("You may not sublicense it.", {"may"}, {"sublicense"}),
        # "without" reaches the next comma; "free of charge" negates nothing.
        ("Granted free of charge, without restriction, to copy.", {"copy"}, {"restriction"}),
        ("No, it is not liable, and you may copy it.", {"copy", "may"}, {"liable"}),
        ("Not only free but open.", {"free", "open"}, set()),
    ],
)
def test_polar_forms_say_what_is_under_a_negation(sentence, plain, negated):
    said_plain, said_negated = polar_forms(sentence)
    assert plain <= said_plain and said_negated == negated
