"""Passages read ahead with the real models: a stitched prompt answers as the fully read one."""

from __future__ import annotations

import logging
import shutil

import pytest

from chatbot.chunking import Chunk
from chatbot.config import Config
from chatbot.llm import LlamaCppLLM
from chatbot.models import DEFAULT_MODEL, default_model_path, tiny_model_path
from chatbot.pipeline import Chatbot
from chatbot.prompting import build_prompt, reading_prompt
from chatbot.retrieval import Passage
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.slow

FACTS = [
    "The Zephyr Library was opened in 1931 by the mayor, Ilse Brandt. It holds 40,000 maps.",
    "In 1987 the library's map room was moved to the old railway station beside the river.",
]


def passage(i: int, text: str) -> Passage:
    chunk = Chunk(id=f"town#{i}", doc_id="town", text=text, start=0, end=len(text), heading="")
    return Passage(chunk=chunk, title="Town history", score=1.0, similarity=0.5, lexical=1.0)


def read_by(llm, call) -> int:
    """Prompt tokens the model read for one call."""
    before = llm.tokens_read
    call()
    return llm.tokens_read - before


def ask(llm, question: str, count: int) -> tuple[str, list[dict]]:
    prompt = build_prompt(
        question, [passage(i, t) for i, t in enumerate(FACTS[:count])], [], llm.count_tokens, 1500
    )
    return "".join(llm.stream_chat(prompt.messages, 40, 0.0)), prompt


def ask_first(llm, question: str) -> tuple[str, list[dict]]:
    """One passage asked about with nothing before it but the words every passage is read
    after: the prompt its state was made in, token for token."""
    messages = reading_prompt(passage(0, FACTS[0]))
    messages[-1] = {**messages[-1], "content": messages[-1]["content"] + f"Question: {question}"}
    return "".join(llm.stream_chat(messages, 40, 0.0)), messages


def something_else(llm) -> None:
    """Another prompt in between, so nothing of the last one is still in the KV cache."""
    "".join(llm.stream_chat([{"role": "user", "content": "Say hi."}], 3, 0.0))


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory):
    states = tmp_path_factory.mktemp("states")
    stitched = LlamaCppLLM(tiny_model_path(), n_ctx=2048, n_threads=2, states=states)
    read_in_full = LlamaCppLLM(tiny_model_path(), n_ctx=2048, n_threads=2)
    return stitched, read_in_full


def test_one_stitched_passage_answers_token_for_token_as_read_in_full(tiny_pair):
    stitched, read_in_full = tiny_pair
    question = "When was the Zephyr Library opened?"
    answers = {}
    full = read_by(
        read_in_full, lambda: answers.setdefault("full", ask_first(read_in_full, question))
    )
    read_by(stitched, lambda: answers.setdefault("made", ask_first(stitched, question)))
    something_else(stitched)
    loaded = read_by(stitched, lambda: answers.setdefault("loaded", ask_first(stitched, question)))
    assert answers["made"][0] == answers["full"][0] == answers["loaded"][0]
    quoted = answers["loaded"][1][-1]["passages"][0]
    assert loaded <= full - stitched.count_tokens(quoted)  # the passage is not read again


def test_a_passage_s_end_read_again_answers_as_read_in_full_too(tiny_pair, tmp_path):
    stitched, read_in_full = tiny_pair
    rereading = LlamaCppLLM(tiny_model_path(), n_ctx=2048, n_threads=2, states=tmp_path, reread=8)
    question = "How many maps does the Zephyr Library hold?"
    counts, answers = {}, {}
    for name, llm in (("whole", stitched), ("end again", rereading)):
        ask_first(llm, question)  # the state is made
        something_else(llm)
        counts[name] = read_by(
            llm, lambda llm=llm, n=name: answers.setdefault(n, ask_first(llm, question))
        )
    assert answers["end again"][0] == answers["whole"][0] == ask_first(read_in_full, question)[0]
    assert counts["end again"] == counts["whole"] + 8  # only its last 8 tokens read again


def test_a_later_call_on_the_prompt_reads_only_its_own_words(tiny_pair):
    stitched, _ = tiny_pair
    _, prompt = ask(stitched, "When was the Zephyr Library opened?", 2)
    request = prompt.asking("Is 1931 right? Answer Yes or No.")
    judged = {}
    read = read_by(stitched, lambda: judged.setdefault("yes", stitched.yes_probability(request)))
    assert read < 40 and 0.0 <= judged["yes"] <= 1.0


def test_a_damaged_state_is_read_normally_with_a_warning(tiny_pair, caplog):
    stitched, read_in_full = tiny_pair
    question = "Who opened the Zephyr Library?"
    ask_first(stitched, question)
    store = stitched.state_store
    for key in store.keys():
        path = store._path(key)
        path.write_bytes(path.read_bytes()[:-100])  # truncated on disk
    something_else(stitched)
    with caplog.at_level(logging.WARNING):
        answer, _ = ask_first(stitched, question)
    assert answer == ask_first(read_in_full, question)[0]
    assert "damaged" in caplog.text
    assert store.keys()  # made again


@pytest.fixture(scope="module")
def default_llm(tmp_path_factory):
    path = default_model_path(Config().model_cache_dir)  # before any test's own cache folder
    if not path.is_file():
        pytest.fail(f"The default model is not assembled at {path}: run `chatbot fetch-model`.")
    states = tmp_path_factory.mktemp("default-states")
    return LlamaCppLLM(
        path, n_ctx=2048, n_threads=2, states=states, fingerprint=DEFAULT_MODEL.sha256
    )


def test_two_stitched_passages_give_a_cited_answer(default_llm):
    llm = default_llm
    question = "Where was the map room of the Zephyr Library moved in 1987?"
    ask(llm, question, 2)
    something_else(llm)
    answer, _ = ask(llm, question, 2)  # both passages from their states
    assert "railway station" in answer and "[2]" in answer


def test_the_index_s_passages_are_read_ahead_and_a_removed_one_s_state_dropped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "town.md").write_text("# Town\n\n" + "\n\n".join(FACTS) + "\n")
    (corpus / "river.md").write_text("# River\n\nThe river floods every spring.\n")
    config = Config(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        n_ctx=2048,
        model_cache_dir=tmp_path / "cache",
        read_ahead=True,
    )
    llm = LlamaCppLLM(tiny_model_path(), n_ctx=2048, n_threads=2, states=tmp_path / "states")
    bot = Chatbot(config, embedder=FakeEmbedder(), llm=llm, progress=False)
    made = bot.read_ahead()
    assert made == len(bot.index.chunks) and len(llm.state_store.keys()) == made
    (corpus / "river.md").unlink()
    bot.rebuild()
    assert bot.read_ahead() == len(bot.index.chunks) == made - 1
    assert len(llm.state_store.keys()) == made - 1
    shutil.rmtree(tmp_path / "states")  # states gone: answers go on, read in full
    assert bot.answer("When was the Zephyr Library opened?").passages
