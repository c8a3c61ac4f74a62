"""The Gradio chat page: a Chat tab (streamed answers, linked citations, sources with the passage
highlighted in its document) and a Documents tab (list, upload, remove, rebuild with progress).

Only this module knows Gradio. Core errors become gr.Error/gr.Warning messages on the page.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from chatbot.answering import Answer
from chatbot.config import PAGE_HOST, PAGE_PORT, RANGES, Config
from chatbot.curation import MAX_UPLOAD_BYTES, add_file, add_url, remove_document
from chatbot.documents import SUPPORTED_SUFFIXES
from chatbot.errors import ChatbotError
from chatbot.index import Manifest
from chatbot.pipeline import Chatbot
from chatbot.rendering import (
    PAGE_CSS,
    PAGE_HEAD,
    answer_html,
    answer_id_of,
    new_answer_id,
    streaming_html,
)

TITLE = "Ask the documents"
EXAMPLES = [
    "Who introduced the GNU GPL, and when?",
    "When was GitHub founded?",
    "What did DeepSeek-R1 cost to train?",
    "What must be kept in all copies of software under the MIT license?",
]
# The model answers one question at a time; waiting visitors see their place in the queue, and
# past this many the page says the queue is full instead of piling up requests.
QUEUE_SIZE = 32
LAUNCH_OPTIONS = {
    "css": PAGE_CSS,
    "head": PAGE_HEAD,
    "max_file_size": MAX_UPLOAD_BYTES,
    "share": False,
}


def _text_of(content) -> str:
    """Gradio passes message content as a string or as a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return "".join(_text_of(part) for part in content)
    return ""


class AnswerMemory:
    """The text of the answers the page has shown, by the id each carries in its HTML.

    A follow-up's history is built from these, never read back out of the page's markup. The
    oldest are forgotten past `size`; an answer not remembered (the server restarted, or a stream
    was stopped before its check) is left out of the history given to the model.
    """

    def __init__(self, size: int = 2000):
        self.size = size
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, answer: Answer) -> str:
        answer_id = new_answer_id()
        with self._lock:
            self._texts[answer_id] = answer.text
            while len(self._texts) > self.size:
                self._texts.popitem(last=False)
        return answer_id

    def recall(self, answer_id: str | None) -> str | None:
        with self._lock:
            return self._texts.get(answer_id) if answer_id else None


def history_to_turns(history: list[dict], memory: AnswerMemory) -> list[dict[str, str]]:
    """Chat page history -> answering history: the user's words, and the answers' own text."""
    turns = []
    for message in history or []:
        role = message.get("role")
        text = _text_of(message.get("content"))
        if role == "assistant":
            text = memory.recall(answer_id_of(text))
        if role in ("user", "assistant") and text:
            turns.append({"role": role, "content": text})
    return turns


_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:/[^\s/:;,'\"()]+)+/([^\s/:;,'\"()]+)")


def public_message(error: Exception | str) -> str:
    """An error's message for visitors of the page: file-system paths reduced to file names."""
    return _ABSOLUTE_PATH.sub(r"\1", str(error))


def make_respond(bot: Chatbot, memory: AnswerMemory | None = None):
    memory = memory or AnswerMemory()

    def respond(
        message: str,
        history: list[dict],
        top_k: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> Iterator[str]:
        text = ""
        try:
            stream = bot.stream(
                message,
                history_to_turns(history, memory),
                top_k=None if top_k is None else int(top_k),
                temperature=None if temperature is None else float(temperature),
                max_tokens=None if max_tokens is None else int(max_tokens),
            )
            for item in stream:
                if isinstance(item, Answer):
                    yield answer_html(item, bot.loaded_index.documents, memory.remember(item))
                else:
                    text += item
                    yield streaming_html(text)
        except ChatbotError as exc:
            raise gr.Error(public_message(exc)) from None

    return respond


def _documents_table(manifest: Manifest) -> list[list]:
    return [[d.title, d.source, d.chunks, manifest.built_at] for d in manifest.documents]


def _summary(manifest: Manifest, model_name: str) -> str:
    return (
        f"Answers come only from the **{len(manifest.documents)} indexed documents** "
        f"({manifest.chunk_count} passages). "
        f"Click a citation like [1] to read its passage in context. Model: `{model_name}`."
    )


class DocumentActions:
    """What the Documents tab does: list, add (files or a URL), remove and rebuild, each followed
    by a rebuild and a refreshed panel (table, removal choices, status, summary)."""

    def __init__(self, bot: Chatbot):
        self.bot = bot
        self.corpus_dir = bot.config.corpus_dir

    def refresh(self, status: str = ""):
        manifest = self.bot.index.manifest  # one freshness check for the whole panel
        return (
            _documents_table(manifest),
            gr.update(choices=[d.source for d in manifest.documents], value=None),
            status,
            _summary(manifest, self.bot.llm.name),
        )

    def _rebuild(self, status_lines: list[str], progress: gr.Progress):
        progress(0, desc="Embedding chunks")
        try:
            report = self.bot.rebuild(
                on_progress=lambda done, total: progress(done / total, desc="Embedding chunks")
            )
        except ChatbotError as exc:
            message = public_message(exc)
            gr.Warning(f"Rebuild failed; the previous index keeps answering. {message}")
            status_lines.append(f"Rebuild failed: {message} The previous index keeps answering.")
        else:
            status_lines.append(
                f"Index rebuilt: {report.documents} documents, {report.chunks} passages "
                f"in {report.seconds:.1f} s."
            )
            status_lines.extend(
                f"Skipped `{source}`: {public_message(reason)}"
                for source, reason in report.unreadable
            )
        return self.refresh("\n\n".join(status_lines))

    def add_files(self, files, progress=gr.Progress()):  # noqa: B008 - Gradio injects the tracker
        lines, added = [], 0
        for name in files or []:
            path = Path(name)
            try:
                stored = add_file(self.corpus_dir, path.read_bytes(), path.name)
            except ChatbotError as exc:
                gr.Warning(public_message(exc))
                lines.append(f"Skipped: {public_message(exc)}")
            else:
                added += 1
                lines.append(f"Added {path.name} as `{stored.source}`.")
        if not added:
            return self.refresh("\n\n".join(lines or ["Choose one or more documents first."]))
        return self._rebuild(lines, progress)

    def add_link(self, url: str, progress=gr.Progress()):  # noqa: B008 - Gradio injects it
        url = (url or "").strip()
        if not url:
            return self.refresh("Type an http(s) address first.")
        try:  # private and local addresses are always refused from the page
            stored = add_url(self.corpus_dir, url)
        except ChatbotError as exc:
            gr.Warning(public_message(exc))
            return self.refresh(f"Not added: {public_message(exc)}")
        return self._rebuild([f"Added {url} as `{stored.source}`."], progress)

    def remove(self, source, progress=gr.Progress()):  # noqa: B008 - Gradio injects the tracker
        if not source:
            return self.refresh("Choose a document to remove first.")
        try:
            remove_document(self.corpus_dir, source)
        except ChatbotError as exc:
            gr.Warning(public_message(exc))
            return self.refresh(f"Not removed: {public_message(exc)}")
        return self._rebuild([f"Removed `{source}`."], progress)

    def rebuild(self, progress=gr.Progress()):  # noqa: B008 - Gradio injects the tracker
        return self._rebuild([], progress)


def _chat_tab(bot: Chatbot) -> None:
    config = bot.config
    settings = [
        gr.Slider(
            *RANGES["top_k"],
            value=config.top_k,
            step=1,
            label="Passages per answer (top-k)",
            render=False,
        ),
        gr.Slider(
            *RANGES["temperature"],
            value=config.temperature,
            step=0.05,
            label="Temperature",
            render=False,
        ),
        gr.Slider(
            RANGES["max_answer_tokens"][0],
            config.n_ctx // 2 - 1,  # the passages need the other half of the context
            value=config.max_answer_tokens,
            step=16,
            label="Max answer length (tokens)",
            render=False,
        ),
    ]
    question = gr.Textbox(
        placeholder="Ask a question about the documents",
        max_length=config.max_question_chars,
        autofocus=True,
        submit_btn=True,
        stop_btn=True,  # shown while an answer streams
        render=False,
    )
    gr.ChatInterface(
        make_respond(bot),
        chatbot=gr.Chatbot(label="Answers", sanitize_html=True, buttons=["copy"], height=560),
        textbox=question,
        additional_inputs=settings,
        additional_inputs_accordion=gr.Accordion(label="Advanced", open=False, render=False),
        flagging_mode="never",
        api_name="chat",
        fill_height=True,
    )
    # Outside ChatInterface: its own examples would show a column per advanced setting.
    gr.Examples(EXAMPLES, inputs=question, label="Try")


def _documents_tab(bot: Chatbot, summary: gr.Markdown) -> tuple[DocumentActions, list]:
    """The panel with its buttons wired to DocumentActions; returns them and the panel's parts."""
    actions = DocumentActions(bot)
    table = gr.Dataframe(
        value=_documents_table(bot.index.manifest),
        headers=["Title", "Source", "Passages", "Indexed"],
        interactive=False,
        wrap=True,
        label="Indexed documents",
    )
    with gr.Row():
        files = gr.File(
            label=f"Add documents ({', '.join(SUPPORTED_SUFFIXES)}, "
            f"up to {MAX_UPLOAD_BYTES // 2**20} MB each)",
            file_count="multiple",
            file_types=list(SUPPORTED_SUFFIXES),
            type="filepath",
        )
        with gr.Column():
            add_button = gr.Button("Add and rebuild", variant="primary")
            link = gr.Textbox(
                label="Or add a web page or PDF by its address", placeholder="https://…"
            )
            link_button = gr.Button("Fetch, add and rebuild")
            choice = gr.Dropdown(label="Document to remove", choices=[], value=None)
            remove_button = gr.Button("Remove and rebuild", variant="stop")
            rebuild_button = gr.Button("Rebuild index")
    status = gr.Markdown()
    outputs = [table, choice, status, summary]
    add_button.click(actions.add_files, inputs=files, outputs=outputs, api_name="add_documents")
    link_button.click(actions.add_link, inputs=link, outputs=outputs, api_name="add_url")
    remove_button.click(actions.remove, inputs=choice, outputs=outputs, api_name="remove_document")
    rebuild_button.click(actions.rebuild, outputs=outputs, api_name="rebuild")
    return actions, outputs


def build_app(bot: Chatbot) -> gr.Blocks:
    with gr.Blocks(title=TITLE, fill_height=True) as demo:
        gr.Markdown(f"# {TITLE}")
        summary = gr.Markdown(_summary(bot.index.manifest, bot.llm.name))
        with gr.Tab("Chat"):
            _chat_tab(bot)
        with gr.Tab("Documents"):
            actions, outputs = _documents_tab(bot, summary)
        demo.load(actions.refresh, outputs=outputs, api_visibility="private")
    return demo


def launch_page(
    bot: Chatbot,
    host: str = PAGE_HOST,
    port: int = PAGE_PORT,
    queue_size: int = QUEUE_SIZE,
    block: bool = True,
) -> gr.Blocks:
    """Serve the page. Each event runs one at a time (the model answers one question at a time);
    errors other than our own messages are not shown to visitors (no tracebacks, no paths)."""
    app = build_app(bot)
    app.queue(default_concurrency_limit=1, max_size=queue_size).launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=not block,
        show_error=False,
        **LAUNCH_OPTIONS,
    )
    return app


def serve(config: Config, host: str = PAGE_HOST, port: int = PAGE_PORT) -> None:
    """Load everything before the first visitor arrives, then serve the page until interrupted."""
    bot = Chatbot(config)
    bot.warm_up()  # also builds or refreshes the index if the corpus changed
    print(f"Serving the chat page on http://{host}:{port}", file=sys.stderr)
    launch_page(bot, host, port)
