import pytest

from chatbot.answering import (
    Answerer,
    CitationFilter,
    Reading,
    _refusal_quoting,
    about_the_question,
    adds_a_word,
    asks_for_a_number,
    gives_a_number,
    is_yes_no_question,
    kept_off_the_question,
    repeats_earlier_answer,
    retrieval_query,
    validate_history,
)
from chatbot.chunking import Chunk, ChunkingParams
from chatbot.documents import load_corpus
from chatbot.errors import QuestionError
from chatbot.index import build_index, load_index
from chatbot.prompting import NOT_COVERED
from chatbot.retrieval import Passage, Retriever
from chatbot.verification import SentenceCheck, Verification


@pytest.fixture
def answerer(config, embedder, echo_llm):
    build_index(
        load_corpus(config.corpus_dir), embedder, config.index_dir, ChunkingParams(200, 400)
    )
    return Answerer(Retriever(load_index(config.index_dir), embedder), echo_llm, config)


def run(answerer, question, history=None):
    items = list(answerer.stream(question, history))
    return "".join(i for i in items if isinstance(i, str)), items[-1]


def filtered(pieces, count):
    markers = CitationFilter(count)
    return "".join(markers.feed(p) for p in pieces) + markers.flush(), markers.cited


@pytest.mark.parametrize(
    "pieces, count, text, cited",
    [
        (["Stallman [1]."], 2, "Stallman [1].", [1]),
        (["Made up [7]."], 2, "Made up .", []),
        (["A [2] and [1][2]."], 2, "A [2] and [1][2].", [2, 1]),
        (["Split [", "1", "] marker."], 1, "Split [1] marker.", [1]),
        (["Split [", "9", "] gone."], 1, "Split  gone.", []),
        (["Ends with ["], 1, "Ends with [", []),
        (["Not a marker [see above]."], 1, "Not a marker [see above].", []),
        (["Zero [0]."], 3, "Zero .", []),
        (["It was [2]", " ye", "ars before [1]."], 2, "It was 2 years before [1].", [1]),
        (["It was [9] years", " before [1]."], 2, "It was 9 years before [1].", [1]),
        (["Done [1]", " and", " more [2]."], 2, "Done [1] and more [2].", [1, 2]),
    ],
)
def test_citation_filter_known_answers(pieces, count, text, cited):
    assert filtered(pieces, count) == (text, cited)


def test_the_retrieved_passages_reach_the_model(answerer, echo_llm):
    _, answer = run(answerer, "Who introduced the GNU General Public License, and when?")
    assert "Richard Stallman in 1989" in echo_llm.last_prompt
    assert "[1]" in echo_llm.last_prompt
    assert answer.passages[0].chunk.text in echo_llm.last_prompt


def test_text_streams_in_pieces_and_the_answer_comes_last(answerer, echo_llm):
    echo_llm.reply = "Richard Stallman introduced it in 1989 [1]."
    items = list(answerer.stream("Who introduced the GNU General Public License?"))
    assert len([i for i in items if isinstance(i, str)]) > 3
    answer = items[-1]
    assert answer.text == "Richard Stallman introduced it in 1989 [1]."
    assert [c.n for c in answer.citations] == [1]
    assert answer.citations[0].passage is answer.passages[0]
    assert not answer.refused


def test_markers_pointing_at_no_passage_are_removed(answerer, echo_llm):
    echo_llm.reply = "It was 1989 [1][9]."
    text, answer = run(answerer, "When was the GNU General Public License introduced?")
    assert "[9]" not in text and "[9]" not in answer.text
    assert [c.n for c in answer.citations] == [1]


def test_an_answer_without_markers_still_returns_its_passages(answerer, echo_llm):
    echo_llm.reply = "Yes."  # nothing to check, nothing cited
    _, answer = run(answerer, "Was the GNU General Public License introduced by Stallman?")
    assert answer.text == "Yes." and answer.citations == () and answer.passages


def test_an_unrelated_question_is_refused_without_calling_the_model(answerer, echo_llm):
    text, answer = run(answerer, "Who won the football world cup?")
    assert text == NOT_COVERED and answer.refused and answer.passages == ()
    assert echo_llm.calls == []


def test_the_passages_being_read_come_before_the_model_is_called(answerer, echo_llm):
    stream = answerer.stream("Who introduced the GNU General Public License?")
    reading = next(stream)
    assert isinstance(reading, Reading) and echo_llm.calls == []
    *_, answer = stream
    assert reading.passages == answer.passages and len(answer.passages) > 1
    assert reading.summary.startswith(f"Reading {len(answer.passages)} passages: ")


def test_no_passages_are_announced_for_a_question_the_documents_do_not_cover(answerer):
    items = list(answerer.stream("Who won the football world cup?"))
    assert not any(isinstance(i, Reading) for i in items)


def _far_passage(n: int, text: str) -> Passage:
    """A passage below the similarity bar, as the embedder leaves rare names."""
    chunk = Chunk(id=f"a#{n}", doc_id="a", text=text, start=0, end=len(text), heading="")
    return Passage(chunk=chunk, title="Article", score=0.1, similarity=0.1, lexical=1.0)


def test_names_a_question_joins_may_each_be_found_in_a_passage_of_its_own():
    found = [
        _far_passage(0, "Tools like Caffe (2013) lowered the barrier."),
        _far_passage(1, "The rise of Stable Diffusion (2022) democratized image generation."),
    ]
    joined = "How many years passed between the release of Caffe and the rise of Stable Diffusion?"
    assert about_the_question(joined, found, 0.25)
    assert about_the_question("When did Caffe appear?", found[:1], 0.25)
    # A name no passage holds keeps the question out, however the others are spread.
    assert not about_the_question("How many years between Caffe and Keras?", found, 0.25)
    assert not about_the_question("How old is it?", found, 0.25)  # no name, nothing close


def test_a_refusal_quotes_no_sentence_that_only_says_the_question_names():
    """ "What they do say: MIT License [1]." would say nothing: the closest sentence by names is
    the license's heading line, so the refusal stands alone; a real sentence is quoted."""
    text = "MIT License\n\nPermission is hereby granted, free of charge, to any person."
    chunk = Chunk(id="mit#0", doc_id="mit", text=text, start=0, end=len(text), heading="")
    mit = Passage(chunk=chunk, title="MIT License", score=1.0, similarity=0.5, lexical=1.0)
    quoted = _refusal_quoting("In what year was the MIT License first written?", [mit])
    assert quoted.text == NOT_COVERED and quoted.spans == {}
    quoted = _refusal_quoting("Who may the MIT License be granted to?", [mit])
    assert quoted.text == (
        f"{NOT_COVERED} What they do say: "
        "Permission is hereby granted, free of charge, to any person [1]."
    )


def _found(title: str, heading: str) -> Passage:
    chunk = Chunk(id=f"{title}#{heading}", doc_id=title, text="x", start=0, end=1, heading=heading)
    return Passage(chunk=chunk, title=title, score=1.0, similarity=0.5, lexical=1.0)


def test_the_reading_summary_names_each_document_once_with_its_sections():
    reading = Reading(
        (
            _found("The Open-Source Ecosystem", "The Open-Source Ecosystem > History"),
            _found("MIT License", ""),
            _found("The Open-Source Ecosystem", "The Open-Source Ecosystem > AI Frameworks"),
            _found("The Open-Source Ecosystem", "The Open-Source Ecosystem > History"),
        )
    )
    assert reading.summary == (
        "Reading 4 passages: The Open-Source Ecosystem (History, AI Frameworks); MIT License."
    )
    assert Reading((_found("MIT License", ""),)).summary == "Reading 1 passage: MIT License."


def test_a_model_refusal_is_recognised(answerer, echo_llm):
    echo_llm.reply = NOT_COVERED
    _, answer = run(answerer, "How many stars does the GitHub license repository have?")
    assert answer.refused


def test_to_dict_has_the_documented_shape(answerer, echo_llm):
    _, answer = run(answerer, "Who introduced the GNU General Public License?")
    data = answer.to_dict()
    assert {"question", "answer", "citations", "passages"} <= data.keys()
    assert set(data["citations"][0]) == {"n", "document", "chunk_id", "text"}
    assert {"n", "document", "chunk_id", "text", "score"} <= set(data["passages"][0])


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_an_empty_question_is_refused_with_a_clear_error(answerer, question):
    with pytest.raises(QuestionError, match="empty"):
        run(answerer, question)


@pytest.mark.parametrize("question", [None, b"When was GitHub founded?", 42])
def test_a_question_that_is_not_text_says_so(answerer, question):
    with pytest.raises(QuestionError, match=f"must be text .*not {type(question).__name__}"):
        run(answerer, question)


def test_text_that_is_not_valid_unicode_is_one_clear_error(answerer, echo_llm):
    with pytest.raises(QuestionError, match="not valid Unicode"):
        run(answerer, "When was GitHub \udcff founded?")  # how Python keeps invalid UTF-8 bytes
    with pytest.raises(QuestionError, match=r"history\[0\].*not valid Unicode"):
        run(answerer, "And then?", [{"role": "user", "content": "bad \ud800 text"}])
    assert echo_llm.calls == []


def test_a_draft_of_markers_alone_is_a_refusal(answerer, echo_llm):
    echo_llm.reply = "[1][2][3]"
    _, answer = run(answerer, "When was GitHub founded?")
    assert answer.refused and answer.text.startswith(NOT_COVERED) and answer.citations == ()
    assert any("held no sentence" in check for check in answer.checks)


def test_a_10000_character_question_is_refused_before_retrieval(answerer, echo_llm):
    with pytest.raises(QuestionError, match="10,000 characters"):
        run(answerer, "why " * 2500)
    assert echo_llm.calls == []


@pytest.mark.parametrize(
    "history", [[{"role": "robot", "content": "x"}], [{"role": "user"}], ["just a string"]]
)
def test_malformed_history_is_a_clear_error(history):
    with pytest.raises(QuestionError, match="history"):
        validate_history(history)


def test_a_follow_up_is_searched_with_the_previous_question(answerer, echo_llm):
    history = [
        {"role": "user", "content": "Which license did DeepSeek pick for its R1 model?"},
        {"role": "assistant", "content": "The MIT license [1]."},
    ]
    assert retrieval_query("Is it permissive?", validate_history(history)).startswith(
        "Which license"
    )
    run(answerer, "Is it permissive?", history)
    sent = echo_llm.calls[-1]
    assert sent[1] == history[0] and sent[2] == history[1]
    assert "DeepSeek picked the MIT license" in sent[-1]["content"]
    assert "Question: Is it permissive?" in sent[-1]["content"]


def test_an_empty_model_reply_becomes_a_refusal(answerer, echo_llm):
    echo_llm.reply = ""
    text, answer = run(answerer, "When was GitHub founded?")
    assert text == NOT_COVERED == answer.text and answer.refused


def test_citations_are_checked_and_moved_to_the_supporting_passage(answerer, echo_llm):
    question = "When was GitHub founded and who introduced the GNU General Public License?"
    shown = run(answerer, question)[1].passages
    github = next(n for n, p in enumerate(shown, 1) if "GitHub was founded" in p.chunk.text)
    stallman = next(n for n, p in enumerate(shown, 1) if "Richard Stallman" in p.chunk.text)
    wrong = next(n for n in range(1, len(shown) + 1) if n not in (github, stallman))
    echo_llm.reply = (
        f"GitHub was founded in 2008 [{wrong}]. Richard Stallman introduced the GPL [{stallman}]."
    )
    _, answer = run(answerer, question)
    assert (
        answer.text == f"GitHub was founded in 2008 [{github}]. "
        f"Richard Stallman introduced the GPL [{stallman}]."
    )
    assert "Moved one citation to the passage that says it." in answer.checks
    assert answer.notes == (), "nothing the reader needs: the bookkeeping is folded away"
    for citation in answer.citations:
        ((start, end),) = citation.spans
        document_text = answerer.retriever.index.documents[citation.passage.chunk.doc_id].text
        assert citation.passage.chunk.start <= start < end <= citation.passage.chunk.end
        assert ("GitHub" if citation.n == github else "Stallman") in document_text[start:end]


def test_a_draft_no_passage_supports_is_withheld(answerer, echo_llm):
    echo_llm.reply = "The capital of Australia is Canberra [1]."
    _, answer = run(answerer, "What does the license text say about Australia's capital?")
    assert answer.refused and answer.text == NOT_COVERED
    assert "The model's answer was withheld: the documents do not say it." in answer.notes
    assert any("withheld" in check and "Canberra" in check for check in answer.checks)


def test_verification_can_be_switched_off(config, embedder, echo_llm):
    import dataclasses

    off = dataclasses.replace(config, verify_citations=False)
    build_index(load_corpus(off.corpus_dir), embedder, off.index_dir, ChunkingParams(200, 400))
    answerer = Answerer(Retriever(load_index(off.index_dir), embedder), echo_llm, off)
    echo_llm.reply = "The capital of Australia is Canberra [1]."
    _, answer = run(answerer, "What does the license text say about Australia's capital?")
    assert answer.text == "The capital of Australia is Canberra [1]." and not answer.refused


def test_a_refusal_from_the_model_carries_no_verification_notes(answerer, echo_llm):
    echo_llm.reply = "The documents do not cover this."
    _, answer = run(answerer, "How many stars does the GitHub license repository have?")
    assert answer.refused and answer.notes == () and answer.checks == ()


def rewriting(answerer) -> list[dict[str, str]]:
    """Switches follow-up rewriting on; returns a conversation to follow up on."""
    answerer.config = answerer.config.replace(rewrite_follow_ups=True)
    return [
        {"role": "user", "content": "Who introduced the GNU General Public License?"},
        {"role": "assistant", "content": "Richard Stallman [1]."},
    ]


def test_a_follow_up_is_rewritten_by_the_model_to_stand_alone(answerer, echo_llm):
    """The rewrite is searched and answered; the user's wording stays the Answer's question."""
    history = rewriting(answerer)
    replies = iter(["When was GitHub founded?", "GitHub was founded in 2008 [1]."])
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "And when was that platform founded?", history)
    rewrite_request = echo_llm.calls[0][-1]["content"]
    assert "Last question: And when was that platform founded?" in rewrite_request
    assert "Question: When was GitHub founded?" in echo_llm.calls[1][-1]["content"]
    assert "GitHub was founded in 2008" in answer.passages[0].chunk.text
    assert answer.question == "And when was that platform founded?"


def test_a_rewrite_that_is_not_a_question_is_ignored(answerer, echo_llm):
    history = rewriting(answerer)
    replies = iter(["Sure! Here is the rewritten question", "Richard Stallman in 1989 [1]."])
    echo_llm.reply_to = lambda messages: next(replies)
    run(answerer, "In which year?", history)
    assert "Question: In which year?" in echo_llm.calls[1][-1]["content"]


@pytest.mark.parametrize(
    "question, asks",
    [
        ("When was GitHub founded?", True),
        ("In which year was the GPL introduced?", True),
        ("How many years separate them?", True),
        ("How much did it cost?", True),
        ("Who founded DeepSeek?", False),
        ("Over roughly how long a period?", False),
    ],
)
def test_questions_that_ask_for_a_number(question, asks):
    assert asks_for_a_number(question) is asks


def test_an_answer_without_the_number_the_question_asks_for_is_a_refusal(answerer, echo_llm):
    echo_llm.reply = "GitHub hosts code [1]."
    _, answer = run(answerer, "In which year was GitHub founded?")
    assert answer.refused
    assert answer.text == f"{NOT_COVERED} What they do say: GitHub hosts code [1]."
    assert "The question asks for a date or number, and the answer gives none." in answer.notes
    echo_llm.reply = "GitHub was founded in 2008 [1]."
    assert not run(answerer, "In which year was GitHub founded?")[1].refused


def test_an_answer_to_who_that_names_no_one_is_a_refusal(answerer, echo_llm):
    echo_llm.reply = "GitHub was founded in 2008 [1]."  # when, not who
    _, answer = run(answerer, "Who founded GitHub?")
    assert answer.refused
    assert answer.text == f"{NOT_COVERED} What they do say: GitHub was founded in 2008 [1]."
    assert "The question asks who, and the answer names no one." in answer.notes
    echo_llm.reply = "Richard Stallman introduced the GNU General Public License in 1989 [1]."
    assert not run(answerer, "Who introduced the GNU General Public License?")[1].refused


@pytest.mark.parametrize(
    "question, answer, adds",
    [
        ("Who founded GitHub?", "GitHub was founded in 2008 [1].", False),
        ("Who introduced the GPL, and when?", "Stallman introduced the GPL in 1989 [1].", True),
        # A license names who by what they are, not by a name.
        ("Who may obtain a copy of the software?", "Any person obtaining a copy may [1].", True),
    ],
)
def test_what_an_answer_adds_to_the_questions_words(question, answer, adds):
    assert adds_a_word(question, answer) is adds


def test_an_answer_whose_check_kept_nothing_naming_what_the_question_names_is_a_refusal(
    answerer, echo_llm
):
    """ "Under which license did DeepSeek release R1?" answered "… under the Apache License [1].
    The GNU General Public License is a copyleft license [1].": the invented claim goes, and what
    stays is about the GPL, never naming DeepSeek or R1."""
    echo_llm.reply = (
        "DeepSeek released R1 under the Apache License [1]. "
        "The GNU General Public License is a copyleft license [1]."
    )
    _, answer = run(answerer, "Under which license did DeepSeek release R1?")
    assert answer.refused, answer.text
    assert "What the answer kept does not speak to what the question asks." in answer.notes
    echo_llm.reply = "DeepSeek picked the MIT license for R1 [2]. It is short and permissive [2]."
    assert not run(answerer, "Under which license did DeepSeek release R1?")[1].refused


def test_a_why_question_may_be_answered_by_what_another_name_did():
    """ "Why did Hugging Face hold back GPT-2?": the kept sentence names OpenAI, not Hugging Face
    or GPT-2, and is the answer; only a question that takes nothing as given is held to its
    names so."""
    removed = SentenceCheck("Hugging Face held back GPT-2 for safety.", 0.4, 0.1, False)
    checked = Verification(
        text="OpenAI held back full access at first for safety reasons [1].",
        sentences=(removed, SentenceCheck("OpenAI held back full access at first.", 1.0)),
        support={1: 1.0},
        spans={},
        reattributed=0,
        dropped=0,
        added=0,
    )
    assert not kept_off_the_question("Why did Hugging Face hold back GPT-2?", checked)
    assert kept_off_the_question("When did Hugging Face hold back GPT-2?", checked)


def test_an_answer_whose_check_kept_only_what_the_question_did_not_ask_is_a_refusal(
    answerer, echo_llm
):
    """1989 is said of the GPL, never of GitHub: the founding year goes, and the GPL sentence that
    stays gives a year but not of what was asked."""
    echo_llm.reply = (
        "GitHub was founded in 1989 [1]. Richard Stallman introduced the GPL in 1989 [1]."
    )
    _, answer = run(answerer, "In which year was GitHub founded?")
    assert answer.refused
    assert answer.text.startswith(f"{NOT_COVERED} What they do say: Richard Stallman introduced")
    assert "What the answer kept does not speak to what the question asks." in answer.notes
    echo_llm.reply = (
        "GitHub was founded in 2008 [1]. Richard Stallman introduced the GPL in 1989 [1]."
    )
    assert not run(answerer, "In which year was GitHub founded?")[1].refused


def test_a_question_pairing_names_no_passage_pairs_is_corrected_and_a_no_is_not_withheld(
    answerer, echo_llm
):
    echo_llm.reply = "GitHub picked the MIT license because it is permissive [1]."
    _, answer = run(answerer, "Why did GitHub pick the MIT license?")
    assert answer.text.startswith(
        "The question takes for granted what the documents do not back (the documents never name "
        "GitHub and MIT in the same sentence)."
    )
    # A "No" that names who did instead is not held to the question's subject it replaces.
    echo_llm.reply = "No, DeepSeek picked the MIT license for its R1 model [1]."
    _, answer = run(answerer, "Did GitHub pick a license?")
    assert answer.text.startswith("No, DeepSeek picked the MIT license") and not answer.refused


def test_a_caveat_after_an_answer_does_not_make_it_a_refusal(answerer, echo_llm):
    echo_llm.reply = "GitHub was founded in 2008. The article does not mention who founded it."
    _, answer = run(answerer, "When was GitHub founded?")
    assert not answer.refused and answer.text.startswith("GitHub was founded in 2008 [")


def test_yes_no_questions_are_recognised():
    assert is_yes_no_question("Does the MIT license come with a warranty?")
    assert is_yes_no_question("Do I have to accept the GPL?")
    assert not is_yes_no_question("Who introduced the GPL?")
    assert is_yes_no_question("Under GPL version 3, may I charge a price for each copy I convey?")
    assert not is_yes_no_question("In 2008, which platform was founded?")


@pytest.mark.parametrize(
    ("answer", "gives"),
    [
        ("The festival takes place in July [1].", True),
        ("The meeting is on Tuesday [2].", True),
        ("It shipped 2 releases.", True),
        ("Thirty members joined.", True),
        ("Users may copy it [1].", False),
        ("Stallman wrote it [12].", False),
    ],
)
def test_a_date_in_words_counts_as_the_number_a_when_question_asks_for(answer, gives):
    assert gives_a_number(answer) is gives


GPL_TO_GITHUB = (
    "How many years passed between the GNU General Public License and GitHub's founding?"
)
GPL_IN_1989 = "The GNU General Public License was introduced in 1989 [1]."


def test_the_years_between_two_events_are_counted_from_the_years_the_answer_gives(
    answerer, echo_llm
):
    echo_llm.reply = f"{GPL_IN_1989} GitHub was founded in 2008, 20 years later [2]."
    _, answer = run(answerer, GPL_TO_GITHUB)
    assert "19 years later" in answer.text and "20 years" not in answer.text
    assert any("2008 − 1989 = 19" in note for note in answer.notes)


def test_a_count_the_answer_lacks_is_added_after_the_check(answerer, echo_llm):
    echo_llm.reply = f"{GPL_IN_1989} GitHub was founded in 2008 [2]."
    _, answer = run(answerer, GPL_TO_GITHUB)
    assert answer.text.endswith("That is 19 years, from 1989 to 2008.")


def test_talk_about_the_passages_is_left_out_and_an_admission_becomes_a_refusal(answerer, echo_llm):
    echo_llm.reply = (
        "GitHub was founded in 2008 [1]. The passage provides information about GitHub, "
        "but it does not directly answer the question about daily downloads [2]."
    )
    _, answer = run(answerer, "How much code does GitHub host?")
    assert answer.refused
    assert answer.text == f"{NOT_COVERED} What they do say: GitHub was founded in 2008 [1]."
    assert any("Left out talk about the passages" in check for check in answer.checks)


def test_a_closing_remark_about_the_passages_is_left_out_of_a_right_answer(answerer, echo_llm):
    echo_llm.reply = "GitHub was founded in 2008 [1]. The passage provides this information."
    _, answer = run(answerer, "When was GitHub founded?")
    assert not answer.refused
    assert answer.text == "GitHub was founded in 2008 [1]."


GITHUB_EXCHANGE = [
    {"role": "user", "content": "When was GitHub founded?"},
    {"role": "assistant", "content": "GitHub was founded in 2008 [1]."},
]


@pytest.mark.parametrize(
    "answer, repeats",
    [
        ("GitHub was founded in 2008 [1].", True),
        ("In 2008 GitHub was founded [2].", True),
        ("GitHub hosts code [1].", False),  # "hosts code": new
        ("GitHub founds projects in 2009 [1].", False),  # a new number
        ("", False),
    ],
)
def test_an_answer_that_only_repeats_the_earlier_one(answer, repeats):
    assert repeats_earlier_answer(answer, GITHUB_EXCHANGE) is repeats
    assert not repeats_earlier_answer(answer, GITHUB_EXCHANGE[:1])  # nothing answered before


def test_an_answer_that_adds_only_the_question_words_repeats_the_earlier_one():
    exchange = [
        {"role": "user", "content": "What did Google release in 2015?"},
        {"role": "assistant", "content": "Google released TensorFlow in 2015 [1]."},
    ]
    question = "What did it make accessible to the public?"
    echo = "TensorFlow made accessible to the public in 2015 [3]."  # "made" is "make"
    assert repeats_earlier_answer(echo, exchange, question)
    answered = "TensorFlow made enterprise-grade deep learning tools accessible to the public [1]."
    assert not repeats_earlier_answer(answered, exchange, question)


def test_a_follow_up_answered_with_the_earlier_answer_is_asked_again_on_its_own(answerer, echo_llm):
    replies = iter(
        ["GitHub was founded in 2008 [1].", "What does GitHub host?", "GitHub hosts code [1]."]
    )
    echo_llm.reply_to = lambda messages: next(replies)
    text, answer = run(answerer, "What does it host?", GITHUB_EXCHANGE)
    assert text == "GitHub was founded in 2008 [1]."  # the first draft was streamed
    assert answer.text == "GitHub hosts code [1]." and not answer.refused
    assert answer.question == "What does it host?"
    asked_again = echo_llm.calls[2]
    assert "Question: What does GitHub host?" in asked_again[-1]["content"]
    assert [m["role"] for m in asked_again] == ["system", "user"]  # without the conversation
    assert answer.notes[0] == (
        "The first answer repeated the earlier one; the question was asked again on its own, "
        "as “What does GitHub host?”."
    )
    assert "The first answer: GitHub was founded in 2008 [1]." in answer.checks


def test_a_refused_follow_up_is_asked_again_on_its_own(answerer, echo_llm):
    """Read with the conversation, the small model may answer the earlier question instead, and
    the check then refuses ("How much does it charge?" answered with the license)."""
    replies = iter([NOT_COVERED, "What does GitHub host?", "GitHub hosts code [1]."])
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "What does it host?", GITHUB_EXCHANGE)
    assert answer.text == "GitHub hosts code [1]." and not answer.refused
    assert [m["role"] for m in echo_llm.calls[2]] == ["system", "user"]
    assert answer.notes[0] == (
        "The first answer was refused; the question was asked again on its own, "
        "as “What does GitHub host?”."
    )


def test_a_follow_up_refused_twice_keeps_the_first_refusal(answerer, echo_llm):
    replies = iter([NOT_COVERED, "What does GitHub sell?", NOT_COVERED])
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "What does it sell?", GITHUB_EXCHANGE)
    assert answer.refused and answer.text == NOT_COVERED and len(echo_llm.calls) == 3
    assert not any("asked again" in note for note in answer.notes)


def test_a_follow_up_rewritten_already_is_not_rewritten_again(answerer, echo_llm):
    answerer.config = answerer.config.replace(rewrite_follow_ups=True)
    replies = iter(
        ["What does GitHub host?", "GitHub was founded in 2008 [1].", "GitHub hosts code [1]."]
    )
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "What does it host?", GITHUB_EXCHANGE)
    assert answer.text == "GitHub hosts code [1]."
    assert len(echo_llm.calls) == 3  # one rewrite, the answer with the conversation, one without
    assert [m["role"] for m in echo_llm.calls[2]] == ["system", "user"]
    assert "Question: What does GitHub host?" in echo_llm.calls[2][-1]["content"]


def test_a_second_answer_that_repeats_too_leaves_the_first(answerer, echo_llm):
    """No passage sentence holds half of what the rewrite asks: nothing better to show."""
    replies = iter(
        ["GitHub was founded in 2008 [1].", "What does GitHub sell to investors?", "In 2008 [1]."]
    )
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "What does it sell?", GITHUB_EXCHANGE)
    assert answer.text == "GitHub was founded in 2008 [1]." and len(echo_llm.calls) == 3


def test_a_second_answer_that_only_echoes_gives_way_to_the_closest_passage_sentence(
    answerer, echo_llm
):
    """ "TensorFlow made accessible to the public." for "What did it make accessible to the
    public?": the sentence that speaks to the rewritten question is quoted instead."""
    replies = iter(["GitHub was founded in 2008 [1].", "What does GitHub host?", "GitHub hosts."])
    echo_llm.reply_to = lambda messages: next(replies)
    _, answer = run(answerer, "What does it host?", GITHUB_EXCHANGE)
    assert answer.text == "GitHub was founded in 2008 and hosts code [1]." and not answer.refused
    [citation] = answer.citations
    chunk = citation.passage.chunk
    assert [chunk.text[a - chunk.start : b - chunk.start] for a, b in citation.spans] == [
        "GitHub was founded in 2008 and hosts code."
    ]
    assert answer.notes[0].endswith(
        "That answer repeated it too, so the passage sentence closest to it is quoted."
    )
    assert answer.checks == (
        "The first answer: GitHub was founded in 2008 [1].",
        "The second answer: GitHub hosts [1].",
    )


def test_a_follow_up_with_a_new_answer_is_answered_once(answerer, echo_llm):
    echo_llm.reply = "GitHub hosts code [1]."
    _, answer = run(answerer, "What does it host?", GITHUB_EXCHANGE)
    assert answer.text == "GitHub hosts code [1]." and len(echo_llm.calls) == 1


def test_a_question_below_the_similarity_bar_is_answered_when_a_passage_holds_its_names(
    answerer, echo_llm
):
    """The embedder knows rare names poorly: a passage holding every name asked of is on topic."""
    answerer.config = answerer.config.replace(min_similarity=0.99)  # no passage is this similar
    echo_llm.reply = "GitHub was founded in 2008 [1]."
    _, answer = run(answerer, "In which year was GitHub founded?")
    assert answer.text == "GitHub was founded in 2008 [1]." and len(echo_llm.calls) == 1
    for off_topic in ("In which year was Canberra founded?", "In which year was it founded?"):
        _, answer = run(answerer, off_topic)  # a name no passage holds; no name at all
        assert answer.refused and answer.text == NOT_COVERED
    assert len(echo_llm.calls) == 1


def test_a_repeated_sentence_is_left_out_and_the_checks_say_so(answerer, echo_llm):
    echo_llm.reply = "GitHub was founded in 2008 [1]. In 2008, GitHub was founded [1]."
    _, answer = run(answerer, "When was GitHub founded?")
    assert answer.text == "GitHub was founded in 2008 [1]."
    assert answer.checks == (
        "Left out a sentence that says again what one before it said: “In 2008, GitHub was "
        "founded.”",
    )


def test_a_question_in_the_draft_is_left_out_and_the_checks_say_so(answerer, echo_llm):
    echo_llm.reply = "GitHub was founded in 2008 [1]. When was GitHub founded [1]?"
    _, answer = run(answerer, "When was GitHub founded?")
    assert answer.text == "GitHub was founded in 2008 [1]."
    assert answer.checks == ("Left out a question the draft asked: “When was GitHub founded?”",)


def test_a_count_written_in_brackets_is_read_as_a_count(answerer, echo_llm):
    echo_llm.reply = f"{GPL_IN_1989} GitHub was founded in 2008, [20] years later [2]."
    _, answer = run(answerer, GPL_TO_GITHUB)
    assert "2008, 19 years later [2]." in answer.text and "[20]" not in answer.text
    assert [c.n for c in answer.citations] == [1, 2]


def test_an_answer_saying_the_opposite_of_its_passage_shows_the_passage_sentence(
    config, embedder, echo_llm
):
    """ "Yes, … liable" beside "IN NO EVENT SHALL THE AUTHORS … BE LIABLE": every word is in the
    passage, so the check by words keeps it; the negation shows it says the opposite."""
    (config.corpus_dir / "mit.txt").write_text(
        "MIT License\n\nTHE SOFTWARE IS PROVIDED AS IS. IN NO EVENT SHALL THE AUTHORS BE LIABLE "
        "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY ARISING FROM THE SOFTWARE.\n",
        encoding="utf-8",
    )
    build_index(
        load_corpus(config.corpus_dir), embedder, config.index_dir, ChunkingParams(200, 400)
    )
    answerer = Answerer(Retriever(load_index(config.index_dir), embedder), echo_llm, config)
    question = "Does the MIT license make the authors liable for damages arising from the software?"
    echo_llm.reply = "Yes, the authors are liable for damages arising from the software [1]."
    streamed, answer = run(answerer, question)
    assert streamed.startswith("Yes, the authors are liable")  # the draft, streamed
    n = answer.citations[0].n
    assert answer.text == (
        "The documents say: IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR "
        f"OTHER LIABILITY ARISING FROM THE SOFTWARE [{n}]."
    )
    assert not answer.refused and answer.citations[0].passage.title == "MIT License"
    assert any("the opposite of the passage sentence" in note for note in answer.notes)
    assert any("withheld" in check and "Yes, the authors" in check for check in answer.checks)
    # The same words without the turn stand: "No, the authors are not liable".
    echo_llm.reply = "No, the authors are not liable for damages [1]."
    _, answer = run(answerer, question)
    assert answer.text.startswith("No, the authors are not liable for damages")
