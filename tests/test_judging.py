"""The model as a yes/no judge: prompts that share the answer's prefix, probabilities, and their
use."""

import re

import pytest

from chatbot.answering import Answerer
from chatbot.chunking import ChunkingParams
from chatbot.documents import load_corpus
from chatbot.index import build_index, load_index
from chatbot.judging import Judge
from chatbot.llm import yes_share
from chatbot.prompting import NOT_COVERED, build_prompt
from chatbot.retrieval import Retriever
from tests.fakes import EchoLLM
from tests.test_verification import ARTICLE


class JudgingLLM(EchoLLM):
    """An echo model that also judges: "yes" for statements in `true`, "no" for the rest."""

    def __init__(self, reply: str | None = None, true: tuple[str, ...] = (), answers: bool = True):
        super().__init__(reply)
        self.true = true
        self.answers = answers  # whether the passages answer the question, in its judgement
        self.judged: list[list[dict[str, str]]] = []

    def yes_probability(self, messages) -> float:
        self.judged.append([dict(m) for m in messages])
        request = messages[-1]["content"]
        statement = re.search(r'Statement: "(.*)"', request)
        if statement:
            return 0.9 if statement.group(1) in self.true else 0.1
        assert "Do the passages above answer this question" in request
        return 0.9 if self.answers else 0.1


def test_yes_share_known_answers():
    assert yes_share({"Yes": 0.6, "No": 0.2}) == pytest.approx(0.75)
    assert yes_share({"yes": 0.1, "Yes": 0.1, "NO": 0.2}) == pytest.approx(0.5)
    assert yes_share({"Maybe": 0.9}) is None


def test_a_judgement_shares_the_answer_prompt_up_to_the_end_of_the_passages():
    llm = JudgingLLM()
    prompt = build_prompt("When did TensorFlow come out?", ARTICLE, [], llm.count_tokens, 2000)
    judge = Judge(llm, prompt)
    judge.claim("TensorFlow came out in 2015.")
    asked = llm.judged[0]
    assert asked[:-1] == prompt.messages[:-1]
    answer_message, judge_message = prompt.messages[-1]["content"], asked[-1]["content"]
    assert answer_message.startswith(prompt.context) and judge_message.startswith(prompt.context)
    assert judge_message.endswith(
        'Statement: "TensorFlow came out in 2015."\n\n'
        "Is this statement true according to the passages above "
        "(one passage or several together)? Answer Yes or No."
    )
    assert judge.calls == 1


def test_a_model_without_probabilities_gives_no_judgement():
    prompt = build_prompt("Q?", ARTICLE, [], EchoLLM().count_tokens, 2000)
    assert Judge(EchoLLM(), prompt).claim("Anything.") is None


@pytest.fixture
def index_dir(config, embedder):
    build_index(
        load_corpus(config.corpus_dir), embedder, config.index_dir, ChunkingParams(200, 400)
    )
    return config.index_dir


def answer_with(config, embedder, llm, question):
    answerer = Answerer(Retriever(load_index(config.index_dir), embedder), llm, config)
    return answerer.answer(question)


def test_a_sentence_the_judge_rejects_is_removed_and_the_note_says_so(config, embedder, index_dir):
    true = "Richard Stallman introduced the GNU General Public License in 1989."
    false = "It is a permissive license."
    llm = JudgingLLM(reply=f"{true} [1] {false} [1]", true=(true,))
    answer = answer_with(config, embedder, llm, "Who introduced the GNU General Public License?")
    assert answer.text.startswith("Richard Stallman introduced") and "permissive" not in answer.text
    assert f"Removed from the answer because the sources do not say it: “{false}”" in answer.notes
    # Two sentences; the answer holds the question's names and what it asks, so the passages are
    # not judged on whether they answer it.
    assert len(llm.judged) == 2 and not answer.refused


def test_a_draft_whose_every_claim_the_judge_rejects_is_refused(config, embedder, index_dir):
    llm = JudgingLLM(reply="The GNU General Public License is a permissive license [1].")
    answer = answer_with(config, embedder, llm, "Is the GNU General Public License permissive?")
    assert answer.refused and answer.text == NOT_COVERED


def test_the_judge_can_be_switched_off(config, embedder, index_dir):
    llm = JudgingLLM(reply="The GNU General Public License is a copyleft license [1].")
    answer = answer_with(
        config.replace(judge_claims=False), embedder, llm, "What kind of license is the GPL?"
    )
    assert llm.judged == [] and "copyleft license" in answer.text


def test_passages_judged_not_to_answer_give_a_refusal_quoting_the_closest_passage_sentence(
    config, embedder, index_dir
):
    """The model's own sentences are not shown after the refusal: the judge found that the
    passages do not answer, so a sentence that seems to answer may be the invention ("Richard
    Stallman studied at MIT"). The passage sentence closest to the question is, word for word."""
    drafted = "Richard Stallman introduced the GNU General Public License in 1989."
    llm = JudgingLLM(reply=f"{drafted} [1]", true=(drafted,), answers=False)
    answer = answer_with(
        config, embedder, llm, "How many pages does the GNU General Public License have?"
    )
    assert answer.refused and answer.text == (
        f"{NOT_COVERED} What they do say: "
        "The GNU General Public License was introduced by Richard Stallman in 1989 [1]."
    )
    cited = answer.citations[0].passage.chunk.text
    assert "The GNU General Public License was introduced by Richard Stallman in 1989." in cited
    assert f"The answer withheld: {drafted[:-1]} [1]." in answer.checks


def test_an_answer_holding_the_question_names_and_what_it_asks_is_not_judged_again(
    config, embedder, index_dir
):
    """ "When was GitHub founded?" answered "GitHub was founded in 2008": the answer speaks to the
    question itself, so a judgement that the passages do not answer it (the small model said so
    of "What does AIHH stand for?") does not withhold it."""
    true = "GitHub was founded in 2008."
    llm = JudgingLLM(reply=f"{true} [1]", true=(true,), answers=False)
    answer = answer_with(config, embedder, llm, "When was GitHub founded?")
    assert not answer.refused and answer.text.startswith("GitHub was founded in 2008 [")
    assert len(llm.judged) == 1  # the sentence only


def test_an_answer_naming_no_thing_of_the_kind_asked_for_is_judged_again(
    config, embedder, index_dir
):
    """ "Under which license was GitHub founded?" answered "GitHub was founded in 2008" holds
    the question's name and "founded", yet names no license: the passages are judged on whether
    they answer it, and here they do not."""
    true = "GitHub was founded in 2008."
    llm = JudgingLLM(reply=f"{true} [1]", true=(true,), answers=False)
    answer = answer_with(config, embedder, llm, "Under which license was GitHub founded?")
    assert answer.refused and answer.text.startswith(NOT_COVERED)
    assert len(llm.judged) == 2  # the sentence, then whether the question is answered
    # Naming the kind asked for, the answer speaks to the question: not judged again.
    true = "DeepSeek picked the MIT license for its R1 model."
    llm = JudgingLLM(reply=f"{true} [1]", true=(true,), answers=False)
    answer = answer_with(config, embedder, llm, "Which license did DeepSeek pick for R1?")
    assert not answer.refused and len(llm.judged) == 1


def test_a_yes_no_question_is_not_put_to_the_answered_judgement(config, embedder, index_dir):
    """Asked whether the passages answer "Is it copyleft?", the model tends to answer "No"."""
    true = "The GNU General Public License is a copyleft license."
    llm = JudgingLLM(reply=f"{true} [1]", true=(true,), answers=False)
    question = "Is the GNU General Public License a copyleft license?"
    answer = answer_with(config, embedder, llm, question)
    assert not answer.refused and len(llm.judged) == 1


class DatingLLM(JudgingLLM):
    """A judging model that drafts `reply` and, asked for the year of an event, gives `years`'
    entry for it (or "none")."""

    def __init__(self, reply: str, years: dict[str, str]):
        super().__init__(reply)
        self.years = years

    def reply_to(self, messages) -> str:
        asked = re.search(
            r"What year do the passages above give for (.+)\? Reply with the (four-digit )?year",
            messages[-1]["content"],
        )
        if not asked:
            return self.reply
        given = self.years.get(asked.group(1), "none")
        if isinstance(given, tuple):  # its replies to the first asking and to the second
            return given[bool(asked.group(2))]
        return given


YEARS_BETWEEN = (
    "How many years passed between the introduction of the GNU General Public License and the "
    "founding of GitHub?"
)
GPL_EVENT = "the introduction of the GNU General Public License"


def test_the_year_of_one_event_is_asked_after_the_passages():
    llm = DatingLLM("", {"the release of Scikit-learn": "2007 [2]"})
    prompt = build_prompt("How many years …?", ARTICLE, [], llm.count_tokens, 2000)
    judge = Judge(llm, prompt)
    assert judge.year("the release of Scikit-learn") == 2007
    assert llm.calls[0][-1]["content"] == (
        f"{prompt.context}\n\nWhat year do the passages above give for the release of "
        'Scikit-learn? Reply with the year only, or "none".'
    )
    assert judge.year("the founding of the company") is None and judge.calls == 2


def test_a_reply_that_is_no_year_asks_for_the_four_digit_year_once_more():
    llm = DatingLLM("", {"the introduction of the GNU GPL": ("1", "1989")})
    prompt = build_prompt("How many years …?", ARTICLE, [], llm.count_tokens, 2000)
    judge = Judge(llm, prompt)
    assert judge.year("the introduction of the GNU GPL") == 1989 and judge.calls == 2
    assert "four-digit year only" in llm.calls[-1][-1]["content"]
    stubborn = DatingLLM("", {"the founding of GitHub": ("1", "1")})
    assert Judge(stubborn, prompt).year("the founding of GitHub") is None


def test_years_the_draft_does_not_give_are_asked_one_event_at_a_time_and_counted(
    config, embedder, index_dir
):
    llm = DatingLLM(
        "They are 2008 years apart [1].", {GPL_EVENT: "1989", "the founding of GitHub": "2008 [2]"}
    )
    answer = answer_with(config, embedder, llm, YEARS_BETWEEN)
    gpl = next(c for c in answer.citations if "1989" in c.passage.chunk.text)
    github = next(c for c in answer.citations if "2008" in c.passage.chunk.text)
    assert answer.text == (
        f"The introduction of the GNU General Public License was in 1989 [{gpl.n}], and the "
        f"founding of GitHub in 2008 [{github.n}]. That is 19 years, from 1989 to 2008."
    )
    assert not answer.refused
    assert "The answer before: The documents do not cover this question." in answer.checks
    assert any(note.endswith("2008 − 1989 = 19.") for note in answer.notes)
    ((start, _),) = github.spans  # the sentence that gives the year, highlighted
    assert github.passage.chunk.text[start - github.passage.chunk.start :].startswith(
        "GitHub was founded in 2008"
    )


def test_a_year_no_passage_gives_for_its_event_leaves_the_answer_as_it_was(
    config, embedder, index_dir
):
    llm = DatingLLM(
        "They are 2008 years apart [1].", {GPL_EVENT: "1995", "the founding of GitHub": "2008"}
    )
    answer = answer_with(config, embedder, llm, YEARS_BETWEEN)
    assert answer.refused and answer.text.startswith(NOT_COVERED)


class PointedDatingLLM(DatingLLM):
    """A dating model that gives `pointed`'s year for an event once a passage sentence is quoted
    after the question."""

    def __init__(self, reply: str, years: dict[str, str], pointed: dict[str, str]):
        super().__init__(reply, years)
        self.pointed = pointed

    def reply_to(self, messages) -> str:
        asked = messages[-1]["content"]
        if "(The passage sentence:" in asked:
            return next((y for e, y in self.pointed.items() if f"give for {e}?" in asked), "none")
        return super().reply_to(messages)


def test_a_year_no_passage_gives_is_asked_again_with_the_sentence_that_dates_the_event(
    config, embedder, index_dir
):
    llm = PointedDatingLLM(
        "1 year passed between them [1].",
        {GPL_EVENT: "1995", "the founding of GitHub": "2008"},
        {GPL_EVENT: "1989"},
    )
    answer = answer_with(config, embedder, llm, YEARS_BETWEEN)
    assert answer.text.endswith("That is 19 years, from 1989 to 2008."), answer.checks
    pointed = [c[-1]["content"] for c in llm.calls if "(The passage sentence:" in c[-1]["content"]]
    assert len(pointed) == 1  # GitHub's year was backed the first time
    assert pointed[0].endswith(
        '(The passage sentence: "The GNU General Public License was introduced by Richard Stallman '
        'in 1989.")'
    )


def test_a_draft_giving_both_years_is_not_asked_again(config, embedder, index_dir):
    draft = "The GNU General Public License came in 1989 and GitHub was founded in 2008 [1]."
    llm = DatingLLM(draft, {})
    llm.true = (draft.removesuffix(" [1].") + ".",)
    answer = answer_with(config, embedder, llm, YEARS_BETWEEN)
    assert answer.text.endswith("That is 19 years, from 1989 to 2008."), answer.checks
    assert not any("What year" in call[-1]["content"] for call in llm.calls)


class NamingLLM(JudgingLLM):
    """A judging model that drafts `reply` and, asked for a name, gives `names`' entry for the
    question (or "none")."""

    def __init__(self, reply: str, names: dict[str, str], true: tuple[str, ...] = ()):
        super().__init__(reply, true)
        self.names = names

    def reply_to(self, messages) -> str:
        asked = re.search(r'with a name only, or "none": (.+)$', messages[-1]["content"])
        return self.names.get(asked.group(1), "none") if asked else self.reply


def test_a_name_is_asked_after_the_passages_and_read_from_a_short_reply():
    llm = NamingLLM("", {"Who launched PyTorch?": '"Facebook [1]."', "Who wrote it?": "none"})
    prompt = build_prompt("Which …?", ARTICLE, [], llm.count_tokens, 2000)
    judge = Judge(llm, prompt)
    assert judge.name("Who launched PyTorch?") == "Facebook"
    assert llm.calls[0][-1]["content"] == (
        f"{prompt.context}\n\nAnswer this question from the passages above with a name only, "
        'or "none": Who launched PyTorch?'
    )
    assert judge.name("Who wrote it?") is None
    llm.names["Which license is short?"] = "The MIT license [1]"
    assert judge.name("Which license is short?") == "the MIT license"
    llm.names["Who won?"] = "The passages do not say who won the award in the end."
    assert judge.name("Who won?") is None  # a sentence, not a name
    assert judge.calls == 4


DESCRIBED = "Which company picked the license that is short and permissive?"
NAMED_DRAFT = "DeepSeek picked the MIT license for its R1 model."


def test_a_described_thing_is_named_first_and_the_question_answered_with_its_name(
    config, embedder, index_dir
):
    llm = NamingLLM(
        f"{NAMED_DRAFT} [1]",
        {"Which license is short and permissive?": "The MIT license"},
        true=(NAMED_DRAFT,),
    )
    answer = answer_with(config, embedder, llm, DESCRIBED)
    (mit,) = answer.citations
    assert answer.text == (
        f"The MIT license is short and permissive [{mit.n}]. {NAMED_DRAFT[:-1]} [{mit.n}]."
    )
    assert not answer.refused and answer.question == DESCRIBED
    asked, drafted = llm.calls[0][-1]["content"], llm.calls[1][-1]["content"]
    # the name was asked first, then the draft, both after the same passages (the same KV cache)
    passages_end = drafted.index("]\n\nQuestion: ") + 1
    assert drafted[:passages_end] == asked[:passages_end]
    assert "Question: Which company picked the MIT license?" in drafted
    assert drafted.index(">>>") < drafted.index("Which company picked the MIT license?")
    assert answer.notes[0] == (
        "The question describes the MIT license (“the license that is short and permissive”); "
        "it was answered as “Which company picked the MIT license?”."
    )
    starts = sorted(start - mit.passage.chunk.start for start, _ in mit.spans)
    assert mit.passage.chunk.text[starts[0] :].startswith("The MIT license is short")


def test_a_name_no_passage_says_the_fact_of_is_not_used(config, embedder, index_dir):
    llm = NamingLLM(
        f"{NAMED_DRAFT} [1]",
        {"Which license is short and permissive?": "GitHub"},
        true=(NAMED_DRAFT,),
    )
    answer = answer_with(config, embedder, llm, DESCRIBED)
    assert answer.text.startswith(NAMED_DRAFT[:-1]) and not answer.refused
    assert f"Question: {DESCRIBED}\n\n" in llm.calls[-1][-1]["content"]  # asked as it was
    assert not any("describes" in note for note in answer.notes)


def test_a_wrong_name_is_asked_again_with_the_sentence_that_states_the_fact(
    config, embedder, index_dir
):
    """The model named something else ("GitHub"); quoted the passage sentence that says the
    fact, it names the thing, and the question is answered with that name."""
    lookup = "Which license is short and permissive?"
    quoted = f'{lookup} (The passage sentence: "The MIT license is short and permissive.")'
    llm = NamingLLM(
        f"{NAMED_DRAFT} [1]", {lookup: "GitHub", quoted: "The MIT license"}, true=(NAMED_DRAFT,)
    )
    answer = answer_with(config, embedder, llm, DESCRIBED)
    assert answer.notes[0].startswith("The question describes the MIT license")
    assert answer.text.startswith("The MIT license is short and permissive [")
    assert "Question: Which company picked the MIT license?" in llm.calls[2][-1]["content"]
