"""The chat page: its handlers directly, and its API through gradio_client on a live server."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from chatbot.app import AnswerMemory, history_to_turns, make_respond, save_conversation
from chatbot.pipeline import Chatbot
from tests.conftest import served_page, shown_text


@pytest.fixture
def bot(config, embedder, echo_llm):
    return Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)


def test_respond_streams_then_shows_the_linked_answer_with_sources(bot, echo_llm):
    echo_llm.reply = "Richard Stallman in 1989 [1]."
    updates = list(make_respond(bot)("Who introduced the GNU General Public License?", []))
    assert len(updates) > 2
    assert 'class="reading">Reading ' in updates[0] and "Stallman" not in updates[0]
    assert 'class="reading">Reading ' in updates[1] and "Richard" in updates[1]
    final = updates[-1]
    assert 'class="cite"' in final and "<mark>" in final and "Sources (1)" in final
    assert shown_text(final) == "Richard Stallman in 1989 [1]."


def test_settings_from_the_page_reach_the_answer(bot, echo_llm):
    list(make_respond(bot)("Who introduced the GNU General Public License?", [], 1, 0.0, 64))
    assert ">>>\n[1]" in echo_llm.last_prompt and ">>>\n[2]" not in echo_llm.last_prompt


def test_a_refusal_is_marked(bot):
    final = list(make_respond(bot)("Who won the football world cup?", []))[-1]
    assert "Not in the documents" in final and 'class="sources"' not in final


def test_errors_become_page_errors(bot):
    with pytest.raises(gr.Error, match="empty"):
        list(make_respond(bot)("   ", []))


def test_history_from_the_page_becomes_the_answers_own_text(bot, echo_llm):
    memory = AnswerMemory()
    echo_llm.reply = "DeepSeek picked the MIT license [1]. R1 & co. <b>"
    final = list(make_respond(bot, memory)("Which license did DeepSeek pick for R1?", []))[-1]
    history = [
        {"role": "user", "content": "Which license did DeepSeek pick for R1?"},
        {"role": "assistant", "content": final},
        {"role": "user", "content": [{"type": "text", "text": "And then?"}]},
        {"role": "assistant", "content": '<div class="answer">A stopped, unchecked draft</div>'},
    ]
    answer_text = bot.answer("Which license did DeepSeek pick for R1?").text
    assert "&amp;" not in answer_text and "<b>" in final.replace("&lt;b&gt;", "<b>")
    assert history_to_turns(history, memory) == [
        {"role": "user", "content": "Which license did DeepSeek pick for R1?"},
        {"role": "assistant", "content": answer_text},
        {"role": "user", "content": "And then?"},
    ]


def test_a_conversation_downloads_as_markdown_with_numbered_sources(bot, echo_llm):
    memory = AnswerMemory()
    respond = make_respond(bot, memory)
    echo_llm.reply = "Richard Stallman introduced the GPL in 1989 [1]."
    first = list(respond("Who introduced the GNU GPL?", []))[-1]
    echo_llm.reply = "GitHub was founded in 2008 [1]."
    second = list(respond("When was GitHub founded?", []))[-1]
    echo_llm.reply = "GitHub hosts code <img src=x> [1]."
    third = list(respond("What does GitHub host?", []))[-1]
    history = [
        {"role": "user", "content": "Who introduced the GNU GPL?"},
        {"role": "assistant", "content": first},
        {"role": "user", "content": "When was GitHub founded?"},
        {"role": "assistant", "content": second},
        {"role": "user", "content": "What does GitHub host?"},
        {"role": "assistant", "content": third},
        {"role": "user", "content": "And after a restart?"},
        {"role": "assistant", "content": '<div class="answer" data-answer="' + "0" * 32 + '">x'},
    ]
    path = save_conversation(history, memory)
    assert Path(path).name.startswith("conversation-") and path.endswith(".md")
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("# Conversation with the cited-answers chatbot\n")
    assert (
        "## Who introduced the GNU GPL?\n\nRichard Stallman introduced the GPL in 1989 [1]." in text
    )
    assert "Sources:\n\n1. Open Source in Practice — Licenses (article.md)\n" in text
    assert (
        "   > The GNU General Public License was introduced by Richard Stallman in 1989.\n" in text
    )
    assert "## When was GitHub founded?" in text and "   > GitHub was founded in 2008" in text
    assert "<img" not in text and "GitHub hosts code &lt;img src=x&gt; [1]." in text
    assert "## And after a restart?\n\n_This answer was given before the server" in text
    with pytest.raises(gr.Error, match="Nothing to download yet"):
        save_conversation([], memory)


def test_an_answer_id_from_elsewhere_brings_no_text(bot):
    forged = '<div class="answer" data-answer="' + "0" * 32 + '">Anything</div>'
    history = [{"role": "assistant", "content": forged}]
    assert history_to_turns(history, AnswerMemory()) == []


def test_the_memory_forgets_the_oldest_answers_past_its_size():
    from chatbot.answering import Answer

    memory = AnswerMemory(size=2)
    ids = [memory.remember(Answer(f"q{n}", f"a{n}", (), (), False), {}) for n in range(3)]
    assert [memory.recall(i) for i in ids] == [None, "a1", "a2"]


@pytest.fixture
def live(bot):
    """The page served on 127.0.0.1 for the duration of a test, and a client for its API."""
    from gradio_client import Client

    with served_page(bot) as url:
        yield Client(url, verbose=False), url


def test_the_running_page_streams_answers_with_sources(live, echo_llm):
    client, _ = live
    echo_llm.reply = "GitHub was founded in 2008 [1]."
    job = client.submit("When was GitHub founded?", 4, 0.1, 384, api_name="/chat")
    result = job.result(timeout=60)
    assert shown_text(result) == "GitHub was founded in 2008 [1]."
    assert "GitHub was founded in 2008" in result.split('class="sources"')[1]
    assert len(job.outputs()) > 2, "the answer arrives in several streamed updates"


def test_upload_rebuild_and_ask_about_the_new_document(live, echo_llm, config, tmp_path):
    from gradio_client import handle_file

    client, _ = live
    new = tmp_path / "zebra notes.md"
    new.write_text("# Zebra Facts\n\nThe zebra project released version nine in spring.")
    empty = tmp_path / "empty.md"
    empty.write_text("")
    table, _, status, summary, changes = client.predict(
        [handle_file(new), handle_file(empty)], api_name="/add_documents"
    )
    assert (
        "Added zebra notes.md" in status
        and "empty.md is empty" in status
        and "Index rebuilt" in status
    )
    assert "Zebra Facts" in str(table) and "3 indexed documents" in summary
    stored = list((config.corpus_dir / "uploads").iterdir())
    assert len(stored) == 1 and stored[0].name.startswith("zebra-notes-")

    echo_llm.reply = "Version nine [1]."
    result = client.predict("What did the zebra project release?", 4, 0.1, 384, api_name="/chat")
    assert "Zebra Facts" in result.split('class="sources"')[1]

    source = f"uploads/{stored[0].name}"
    table, _, status, _, changes = client.predict(source, api_name="/remove_document")
    assert "Removed" in status and "Zebra Facts" not in str(table)
    assert [row[1] for row in changes["data"][:2]] == ["remove", "add"]  # newest first
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("../recipes.md", api_name="/remove_document")
    assert (config.corpus_dir / "recipes.md").exists()


def test_errors_shown_on_the_page_carry_no_file_system_paths():
    from chatbot.app import public_message
    from chatbot.errors import ModelError

    exc = ModelError(
        "Model path does not exist: /root/.cache/chatbot/models/x.gguf. Run `chatbot fetch-model`."
    )
    assert public_message(exc) == "Model path does not exist: x.gguf. Run `chatbot fetch-model`."
    assert public_message(ModelError("top_k=0 is out of range.")) == "top_k=0 is out of range."


def test_addresses_in_page_errors_are_shown_as_given():
    from chatbot.app import public_message

    message = "http://169.254.169.254/latest/meta-data/ is a private or local address."
    assert public_message(message) == message
    mixed = "Could not read /srv/corpus/web/a.html from https://example.org/docs/a.html (404)."
    assert public_message(mixed) == (
        "Could not read a.html from https://example.org/docs/a.html (404)."
    )


def test_a_missing_model_reaches_the_page_as_a_message_without_its_path(config, embedder):
    from chatbot.pipeline import make_llm

    bot = Chatbot(config, embedder=embedder, llm=make_llm(config), progress=False)
    with pytest.raises(gr.Error) as raised:
        list(make_respond(bot)("When was GitHub founded?", []))
    assert (
        "no-model.gguf" in raised.value.message
        and str(config.model_path.parent) not in raised.value.message
    )


def test_the_page_refuses_local_urls(live, config):
    client, _ = live
    _, _, status, _, _ = client.predict("http://127.0.0.1:9/secret", api_name="/add_url")
    assert "Not added" in status and "private or local address" in status
    assert not (config.corpus_dir / "web").exists()
