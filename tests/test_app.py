"""The chat page: its message handling directly, and its API through gradio_client on a live server."""

from __future__ import annotations

import socket

import gradio as gr
import pytest

from chatbot.app import build_app, escape_markdown, history_to_turns, make_respond, sources_markdown, unescape_markdown
from chatbot.pipeline import Chatbot


@pytest.fixture
def bot(config, embedder, echo_llm):
    return Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)


def test_escaping_shows_markup_as_text_and_round_trips():
    hostile = '<script>alert(1)</script> ![x](http://evil.example/p.png) [a](javascript:alert(1)) **b**'
    escaped = escape_markdown(hostile)
    assert "<script>" not in escaped and "![x](" not in escaped and "](javascript" not in escaped
    assert unescape_markdown(escaped) == hostile


def test_respond_streams_then_adds_the_sources(bot, echo_llm):
    echo_llm.reply = "Richard Stallman in 1989 [1]."
    updates = list(make_respond(bot)("Who introduced the GNU General Public License?", []))
    assert len(updates) > 2
    final = updates[-1]
    assert unescape_markdown(final[0].content) == "Richard Stallman in 1989 [1]."
    assert final[1].metadata["title"] == "Sources (1)"
    assert "Richard Stallman in 1989" in unescape_markdown(final[1].content)


def test_a_refusal_has_no_sources_block(bot):
    final = list(make_respond(bot)("Who won the football world cup?", []))[-1]
    assert len(final) == 1 and "do not cover" in final[0].content


def test_errors_become_page_errors(bot):
    with pytest.raises(gr.Error, match="empty"):
        list(make_respond(bot)("   ", []))


def test_history_from_the_page_drops_sources_and_unescapes():
    history = [
        {"role": "user", "content": "Which license?"},
        {"role": "assistant", "content": escape_markdown("MIT [1].")},
        {"role": "assistant", "content": "passages", "metadata": {"title": "Sources (1)"}},
        {"role": "user", "content": [{"type": "text", "text": "And then?"}]},
    ]
    assert history_to_turns(history) == [
        {"role": "user", "content": "Which license?"},
        {"role": "assistant", "content": "MIT [1]."},
        {"role": "user", "content": "And then?"},
    ]


def test_hostile_document_text_is_escaped_in_the_sources(config, embedder, echo_llm):
    (config.corpus_dir / "evil.md").write_text(
        "# Evil\n\nThe GNU license <img src=x onerror=alert(1)> ![t](http://evil.example/t.png)"
    )
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    answer = bot.answer("GNU license evil")
    shown = sources_markdown(answer)
    assert "<img" not in shown and "![t](" not in shown


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_running_page_answers_through_its_api(bot, echo_llm):
    from gradio_client import Client

    echo_llm.reply = "GitHub was founded in 2008 [1]."
    app = build_app(bot)
    port = _free_port()
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        job = client.submit("When was GitHub founded?", api_name="/chat")
        result = job.result(timeout=60)
        text = str(result)
        assert "GitHub was founded in 2008" in unescape_markdown(text)
        assert "Sources" in text
        assert len(job.outputs()) > 2, "the answer arrives in several streamed updates"
    finally:
        app.close()
