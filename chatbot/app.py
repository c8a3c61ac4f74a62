"""The Gradio chat page: streamed answers with their sources listed under each one.

Only this module knows Gradio's message format. Document text and model output are shown escaped,
so a document cannot inject HTML, scripts or remote images into the page.
"""

from __future__ import annotations

import html
import re
import sys
from typing import Iterator

import gradio as gr

from chatbot.answering import Answer
from chatbot.config import Config
from chatbot.errors import ChatbotError
from chatbot.pipeline import Chatbot

TITLE = "Ask the documents"
EXAMPLES = [
    "What must be kept in all copies of software under the MIT license?",
    "Does the Apache License grant a patent license?",
    "What does the GPL say about conveying the source code?",
]
SOURCES_TITLE = "Sources"
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~:])")


def escape_markdown(text: str) -> str:
    """Show text as typed: HTML's <, > and & become entities, Markdown punctuation is backslash-escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def unescape_markdown(text: str) -> str:
    return html.unescape(_ESCAPED.sub(r"\1", text))


def _text_of(content) -> str:
    """Gradio passes message content as a string or as a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return "".join(_text_of(part) for part in content)
    return ""


def history_to_turns(history: list[dict]) -> list[dict[str, str]]:
    """Chat page history -> answering history: the sources blocks are dropped, text unescaped."""
    turns = []
    for message in history or []:
        if (message.get("metadata") or {}).get("title"):
            continue
        text = _text_of(message.get("content"))
        if message.get("role") in ("user", "assistant") and text:
            turns.append({"role": message["role"], "content": unescape_markdown(text)})
    return turns


def sources_markdown(answer: Answer) -> str:
    """The cited passages (or, when none is cited, the passages the model was shown), escaped."""
    shown = [(c.n, c.passage) for c in answer.citations] or list(enumerate(answer.passages, start=1))
    blocks = []
    for n, passage in shown:
        where = passage.title + (f" — {passage.chunk.heading}" if passage.chunk.heading else "")
        quoted = "\n".join(f"> {escape_markdown(line)}" for line in passage.chunk.text.strip().splitlines())
        blocks.append(f"**\\[{n}\\] {escape_markdown(where)}**\n\n{quoted}")
    if not answer.citations and blocks:
        blocks.insert(0, "_The answer cites none of these passages; they are what it was given._")
    return "\n\n".join(blocks)


def make_respond(bot: Chatbot):
    def respond(message: str, history: list[dict]) -> Iterator[list[gr.ChatMessage]]:
        text = ""
        answer = None
        try:
            for item in bot.stream(message, history_to_turns(history)):
                if isinstance(item, Answer):
                    answer = item
                else:
                    text += item
                    yield [gr.ChatMessage(content=escape_markdown(text))]
        except ChatbotError as exc:
            raise gr.Error(str(exc)) from None
        reply = [gr.ChatMessage(content=escape_markdown(answer.text))]
        if answer.passages:
            title = f"{SOURCES_TITLE} ({len(answer.citations) or len(answer.passages)})"
            reply.append(gr.ChatMessage(content=sources_markdown(answer), metadata={"title": title, "status": "done"}))
        yield reply

    return respond


def build_app(bot: Chatbot) -> gr.Blocks:
    index = bot.index
    description = (
        f"Answers come only from the {index.manifest['counts']['documents']} indexed documents "
        f"({index.manifest['counts']['chunks']} passages), with the passages they rest on listed below each answer. "
        f"Model: {bot.llm.name}."
    )
    return gr.ChatInterface(
        make_respond(bot),
        title=TITLE,
        description=description,
        examples=EXAMPLES,
        chatbot=gr.Chatbot(label="Answers", sanitize_html=True, buttons=["copy"]),
        textbox=gr.Textbox(placeholder="Ask a question about the documents", max_length=bot.config.max_question_chars),
        flagging_mode="never",
        api_name="chat",
    )


def serve(config: Config, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Load everything before the first visitor arrives, then serve the page until interrupted."""
    bot = Chatbot(config)
    bot.index  # builds or refreshes the index if the corpus changed
    load = getattr(bot.llm, "load", None)
    if load:
        load()
    print(f"Serving the chat page on http://{host}:{port}", file=sys.stderr)
    build_app(bot).queue(default_concurrency_limit=1).launch(
        server_name=host, server_port=port, share=False, show_error=True, max_file_size="10mb"
    )
