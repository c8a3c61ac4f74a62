"""Questions that name a thing by a fact about it: the fact looked up, the question re-asked."""

import pytest

from chatbot.hops import described_thing


@pytest.mark.parametrize(
    "question, lookup, named",
    [
        (
            "Which company launched the framework that eventually surpassed TensorFlow?",
            "Which framework eventually surpassed TensorFlow?",
            "Which company launched PyTorch?",
        ),
        (
            "The person who introduced the GNU GPL is pictured giving a speech: where?",
            "Who introduced the GNU GPL?",
            "PyTorch is pictured giving a speech: where?",
        ),
        (
            "What license did the team behind DeepSeek-v3 and DeepSeek-R1 adopt, and why?",
            "Which team is behind DeepSeek-v3 and DeepSeek-R1?",
            "What license did PyTorch adopt, and why?",
        ),
        (
            "The company behind the library that loads models in a few lines: what does it host?",
            "Which company is behind the library that loads models in a few lines?",
            "PyTorch: what does it host?",
        ),
        (
            "Which company picked the license that is short and permissive?",
            "Which license is short and permissive?",
            "Which company picked PyTorch?",
        ),
        (  # the subject of "did": its clause ends after the name its verb takes
            "In which year did the company that launched PyTorch release LLaMA?",
            "Which company launched PyTorch?",
            "In which year did PyTorch release LLaMA?",
        ),
        (  # brought in by a sentence of its own, then referred to
            "The article names one fast-growing newcomer among open forces. What does that "
            "newcomer's license allow?",
            "Which fast-growing newcomer among open forces does the article name?",
            "What does PyTorch's license allow?",
        ),
    ],
)
def test_a_thing_named_by_a_fact_about_it(question, lookup, named):
    described = described_thing(question)
    assert described is not None and described.lookup == lookup
    assert described.named(question, "PyTorch") == named


@pytest.mark.parametrize(
    "question",
    [
        "What are the internal foundations that determine how far AI can go?",  # what is asked
        "Why does the article argue that distillation raises barriers?",  # the document
        "In the style of which series was the artwork made?",  # an asking "which"
        "Why does the claim that GitHub was founded in 2008 matter?",  # a statement
        "When was GitHub founded?",
        "The article names one newcomer. When was GitHub founded?",  # never referred to again
        "Why did the team that trained it use distillation?",  # "did": no name ends its clause
    ],
)
def test_no_described_thing(question):
    assert described_thing(question) is None
