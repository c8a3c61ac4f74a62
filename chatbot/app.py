"""The Gradio chat page: a Chat tab (streamed answers, linked citations, sources with the passage
highlighted in its document) and a Documents tab (list, upload, remove, rebuild with progress).

Only this module knows Gradio. Core errors become gr.Error/gr.Warning messages on the page.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr

from chatbot import change_log
from chatbot.access import Access, AccessDenied, access_for
from chatbot.answering import Answer, Reading
from chatbot.config import PAGE_HOST, PAGE_PORT, RANGES, Config
from chatbot.curation import MAX_UPLOAD_BYTES, add_file, add_url, remove_document
from chatbot.documents import SUPPORTED_SUFFIXES, Document
from chatbot.errors import ChatbotError
from chatbot.index import Manifest
from chatbot.logins import Logins, read_login_file
from chatbot.pipeline import Chatbot
from chatbot.rendering import (
    PAGE_CSS,
    PAGE_HEAD,
    answer_html,
    answer_id_of,
    new_answer_id,
    streaming_html,
)
from chatbot.transcript import answer_markdown, conversation_markdown

TITLE = "Ask the article, with its sources"
# Shown in the empty chat instead of a blank area.
INVITATION = (
    "**Ask a question about the documents named above.** Every answer cites the passages it rests "
    "on as [1], [2] …; click one to read it in its document. When the documents do not say, "
    "the answer says so."
)
EXAMPLES = [
    "Who introduced the GNU GPL, and when?",
    "When was GitHub founded?",
    "What did DeepSeek-R1 cost to train?",
    "What must be kept in all copies of software under the MIT license?",
]
LOGIN_MESSAGE = "This page is private: log in with the user name and password you were given."
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
    """The answers the page has shown, by the id each carries in its HTML: their text, and their
    Markdown with sources for a conversation's download.

    A follow-up's history is built from these, never read back out of the page's markup. The
    oldest are forgotten past `size`; an answer not remembered (the server restarted, or a stream
    was stopped before its check) is left out of the history given to the model.
    """

    def __init__(self, size: int = 2000):
        self.size = size
        self._answers: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, answer: Answer, documents: Mapping[str, Document]) -> str:
        answer_id = new_answer_id()
        with self._lock:
            self._answers[answer_id] = (answer.text, answer_markdown(answer, documents))
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer_id

    def _recall(self, answer_id: str | None) -> tuple[str, str] | None:
        with self._lock:
            return self._answers.get(answer_id) if answer_id else None

    def recall(self, answer_id: str | None) -> str | None:
        """The answer's text."""
        remembered = self._recall(answer_id)
        return remembered[0] if remembered else None

    def recall_markdown(self, answer_id: str | None) -> str | None:
        """The answer with its numbered sources, as Markdown."""
        remembered = self._recall(answer_id)
        return remembered[1] if remembered else None


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


# A web address (kept as it is), or an absolute file path (reduced to its file name).
_ADDRESS_OR_PATH = re.compile(
    r"(?P<address>[A-Za-z][A-Za-z0-9+.-]*://\S+)"
    r"|(?<![\w.])(?:/[^\s/:;,'\"()]+)+/(?P<name>[^\s/:;,'\"()]+)"
)


def public_message(error: Exception | str) -> str:
    """An error's message for visitors of the page: file-system paths reduced to file names, web
    addresses shown as given."""
    return _ADDRESS_OR_PATH.sub(lambda m: m.group("address") or m.group("name"), str(error))


def make_respond(bot: Chatbot, memory: AnswerMemory | None = None):
    memory = memory or AnswerMemory()

    def respond(
        message: str,
        history: list[dict],
        top_k: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> Iterator[str]:
        text, reading = "", None
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
                    documents = bot.loaded_index.documents
                    yield answer_html(item, documents, memory.remember(item, documents))
                elif isinstance(item, Reading):
                    reading = item
                    yield streaming_html(text, reading)
                else:
                    text += item
                    yield streaming_html(text, reading)
        except ChatbotError as exc:
            raise gr.Error(public_message(exc)) from None

    return respond


def _documents_table(manifest: Manifest) -> list[list]:
    return [[d.title, d.source, d.chunks, manifest.built_at] for d in manifest.documents]


def _what_is_indexed(manifest: Manifest, shown: int = 4) -> str:
    """The indexed documents' titles, the first few by name: what the page answers from."""
    titles = [f"*{d.title}*" for d in manifest.documents]
    if len(titles) > shown:
        titles = [*titles[:shown], f"{len(titles) - shown} more"]
    return ", ".join(titles[:-1]) + (" and " if len(titles) > 1 else "") + titles[-1]


def _summary(manifest: Manifest, model_name: str) -> str:
    return (
        f"Answers come only from the **{len(manifest.documents)} indexed documents** "
        f"({manifest.chunk_count} passages): {_what_is_indexed(manifest)}. "
        f"Model: `{model_name}`."
    )


def _client(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


class DocumentActions:
    """What the Documents tab does: list, add (files or a URL), remove and rebuild, each followed
    by a rebuild and a refreshed panel (table, removal choices, status, summary, recent changes).

    Every change is authorised here, on the server, whatever the page showed or a client sent
    before it, and recorded in the change log beside the index.
    """

    def __init__(self, bot: Chatbot, access: Access):
        self.bot = bot
        self.access = access
        self.corpus_dir = bot.config.corpus_dir

    def refresh(self, status: str = ""):
        manifest = self.bot.index.manifest  # one freshness check for the whole panel
        return (
            _documents_table(manifest),
            gr.update(choices=[d.source for d in manifest.documents], value=None),
            status,
            _summary(manifest, self.bot.llm.name),
            _changes_table(self.bot.config.index_dir),
        )

    def _refused(self, password: str | None) -> str | None:
        """Why this change may not happen, or None when it may."""
        try:
            self.access.check_change(password)
        except AccessDenied as exc:
            gr.Warning(str(exc))
            return f"Not changed: {exc}"
        return None

    def _record(self, action: str, what: str, request: gr.Request | None) -> None:
        change_log.record(self.bot.config.index_dir, action, what, _client(request))

    def _rebuild(self, status_lines: list[str], progress: gr.Progress, wait: bool = True):
        progress(0, desc="Embedding chunks")
        try:
            report = self.bot.rebuild(
                on_progress=lambda done, total: progress(done / total, desc="Embedding chunks"),
                wait=wait,
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

    def add_files(self, files, password="", request: gr.Request = None, progress=gr.Progress()):  # noqa: B008
        if refused := self._refused(password):
            return self.refresh(refused)
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
                self._record("add", stored.source, request)
                lines.append(f"Added {path.name} as `{stored.source}`.")
        if not added:
            return self.refresh("\n\n".join(lines or ["Choose one or more documents first."]))
        return self._rebuild(lines, progress)

    def add_link(self, url: str, password="", request: gr.Request = None, progress=gr.Progress()):  # noqa: B008
        if refused := self._refused(password):
            return self.refresh(refused)
        url = (url or "").strip()
        if not url:
            return self.refresh("Type an http(s) address first.")
        try:  # private and local addresses are always refused from the page
            stored = add_url(self.corpus_dir, url)
        except ChatbotError as exc:
            gr.Warning(public_message(exc))
            return self.refresh(f"Not added: {public_message(exc)}")
        self._record("add", f"{stored.source} from {url}", request)
        return self._rebuild([f"Added {url} as `{stored.source}`."], progress)

    def remove(self, source, password="", request: gr.Request = None, progress=gr.Progress()):  # noqa: B008
        if refused := self._refused(password):
            return self.refresh(refused)
        if not source:
            return self.refresh("Choose a document to remove first.")
        try:
            remove_document(self.corpus_dir, source)
        except ChatbotError as exc:
            gr.Warning(public_message(exc))
            return self.refresh(f"Not removed: {public_message(exc)}")
        self._record("remove", source, request)
        return self._rebuild([f"Removed `{source}`."], progress)

    def rebuild(self, password="", request: gr.Request = None, progress=gr.Progress()):  # noqa: B008
        if refused := self._refused(password):
            return self.refresh(refused)
        self._record("rebuild", "", request)
        return self._rebuild([], progress, wait=False)


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
    memory = AnswerMemory()
    answers = gr.Chatbot(
        label="Answers",
        sanitize_html=True,
        buttons=["copy", "copy_all"],
        placeholder=INVITATION,
        height=560,
        render=False,
    )
    gr.ChatInterface(
        make_respond(bot, memory),
        chatbot=answers,
        save_history=True,  # conversations stay in this browser, listed beside the chat
        textbox=question,
        additional_inputs=settings,
        additional_inputs_accordion=gr.Accordion(label="Advanced", open=False, render=False),
        flagging_mode="never",
        api_name="chat",
        fill_height=True,
    )
    # Outside ChatInterface: its own examples would show a column per advanced setting.
    gr.Examples(EXAMPLES, inputs=question, label="Try")
    with gr.Row():
        download = gr.Button("Download as Markdown", size="sm", scale=0, min_width=200)
        saved = gr.File(label="Conversation", visible=False, elem_id="conversation-file")
    download.click(
        lambda history: gr.File(value=save_conversation(history, memory), visible=True),
        inputs=answers,
        outputs=saved,
        api_name="download_conversation",
    ).success(None, js=_CLICK_DOWNLOAD_LINK)


# Once the file is ready, the browser downloads it as if its link had been clicked.
_CLICK_DOWNLOAD_LINK = """() => {
  const link = document.querySelector("#conversation-file a[download]");
  if (link) link.click();
}"""
_CONVERSATIONS = Path(tempfile.gettempdir()) / "chatbot-conversations"
_CONVERSATION_HOURS = 1  # downloads older than this are deleted when the next one is written


def conversation_turns(history: list[dict], memory: AnswerMemory) -> list[tuple[str, str | None]]:
    """(question, the answer's Markdown or None when it is no longer kept), from the chat's
    history; the answers come from memory by their id, never from the page's markup."""
    turns: list[tuple[str, str | None]] = []
    for message in history or []:
        text = _text_of(message.get("content"))
        if message.get("role") == "user":
            turns.append((text, None))
        elif message.get("role") == "assistant" and turns and turns[-1][1] is None:
            turns[-1] = (turns[-1][0], memory.recall_markdown(answer_id_of(text)))
    return turns


def save_conversation(history: list[dict], memory: AnswerMemory) -> str:
    """Write the conversation as Markdown to a file of its own; returns its path."""
    turns = conversation_turns(history, memory)
    if not turns:
        raise gr.Error("Nothing to download yet: ask a question first.")
    _CONVERSATIONS.mkdir(parents=True, exist_ok=True)
    too_old = time.time() - _CONVERSATION_HOURS * 3600
    for old in _CONVERSATIONS.glob("conversation-*.md"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < too_old:
                old.unlink()
    name = f"conversation-{datetime.now(UTC):%Y-%m-%d-%H%M%S}-{secrets.token_hex(4)}.md"
    path = _CONVERSATIONS / name
    path.write_text(conversation_markdown(turns), encoding="utf-8")
    return str(path)


def _changes_table(index_dir: Path) -> list[list]:
    return [[c["at"], c["action"], c["what"], c["client"]] for c in change_log.recent(index_dir)]


def _read_only_table(rows: list[list], headers: list[str], label: str) -> gr.Dataframe:
    return gr.Dataframe(value=rows, headers=headers, interactive=False, wrap=True, label=label)


def _documents_tab(bot: Chatbot, access: Access, summary: gr.Markdown):
    """The panel with its buttons wired to DocumentActions; returns them and the panel's parts."""
    actions = DocumentActions(bot, access)
    table = _read_only_table(
        _documents_table(bot.index.manifest),
        ["Title", "Source", "Passages", "Indexed"],
        "Indexed documents",
    )
    if access.read_only:
        gr.Markdown(
            "Changes are off: this page is shared on the network without an admin password. "
            "Reading and asking work as usual."
        )
    changeable = not access.read_only
    with gr.Row():
        files = gr.File(
            label=f"Add documents ({', '.join(SUPPORTED_SUFFIXES)}, "
            f"up to {MAX_UPLOAD_BYTES // 2**20} MB each)",
            file_count="multiple",
            file_types=list(SUPPORTED_SUFFIXES),
            type="filepath",
            interactive=changeable,
        )
        with gr.Column():
            password = gr.Textbox(
                label="Admin password (needed for changes on a shared page)",
                type="password",
                value="",  # so API clients of a page on loopback may leave it out
                visible=access.changes_need_password,
            )
            add_button = gr.Button("Add and rebuild", variant="primary", interactive=changeable)
            link = gr.Textbox(
                label="Or add a web page or PDF by its address",
                placeholder="https://…",
                interactive=changeable,
            )
            link_button = gr.Button("Fetch, add and rebuild", interactive=changeable)
            choice = gr.Dropdown(label="Document to remove", choices=[], value=None)
            remove_button = gr.Button("Remove and rebuild", variant="stop", interactive=changeable)
            rebuild_button = gr.Button("Rebuild index", interactive=changeable)
    status = gr.Markdown()
    changes = _read_only_table(
        _changes_table(bot.config.index_dir),
        ["When (UTC)", "Change", "What", "From"],
        "Recent changes",
    )
    outputs = [table, choice, status, summary, changes]
    add_button.click(
        actions.add_files, inputs=[files, password], outputs=outputs, api_name="add_documents"
    )
    link_button.click(
        actions.add_link, inputs=[link, password], outputs=outputs, api_name="add_url"
    )
    remove_button.click(
        actions.remove, inputs=[choice, password], outputs=outputs, api_name="remove_document"
    )
    rebuild_button.click(actions.rebuild, inputs=password, outputs=outputs, api_name="rebuild")
    return actions, outputs


def build_app(bot: Chatbot, access: Access | None = None) -> gr.Blocks:
    """The page; `access` says who may change the documents (everyone, by default: loopback)."""
    access = access or Access(local_only=True)
    with gr.Blocks(title=TITLE, fill_height=True) as demo:
        gr.Markdown(f"# {TITLE}")
        summary = gr.Markdown(_summary(bot.index.manifest, bot.llm.name))
        with gr.Tab("Chat"):
            _chat_tab(bot)
        with gr.Tab("Documents"):
            actions, outputs = _documents_tab(bot, access, summary)
        demo.load(actions.refresh, outputs=outputs, api_visibility="private")
    return demo


def launch_page(
    bot: Chatbot,
    host: str = PAGE_HOST,
    port: int = PAGE_PORT,
    queue_size: int = QUEUE_SIZE,
    block: bool = True,
    access: Access | None = None,
    logins: Logins | None = None,
) -> gr.Blocks:
    """Serve the page. Each event runs one at a time (the model answers one question at a time);
    errors other than our own messages are not shown to visitors (no tracebacks, no paths).
    Without `access`, the rules follow the host: everything on loopback, no changes elsewhere.
    With `logins`, the whole page (and its API) is behind a login."""
    app = build_app(bot, access or access_for(host, env={}))
    app.queue(default_concurrency_limit=1, max_size=queue_size).launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=not block,
        show_error=False,
        auth=logins.check if logins else None,
        auth_message=LOGIN_MESSAGE,
        **LAUNCH_OPTIONS,
    )
    return app


def serve(
    config: Config,
    host: str = PAGE_HOST,
    port: int = PAGE_PORT,
    admin_password_file: Path | None = None,
    login_file: Path | None = None,
) -> None:
    """Load everything before the first visitor arrives, then serve the page until interrupted."""
    access = access_for(host, admin_password_file)
    logins = read_login_file(login_file) if login_file else None
    bot = Chatbot(config)
    bot.warm_up()  # also builds or refreshes the index if the corpus changed
    print(f"Serving the chat page on http://{host}:{port}", file=sys.stderr)
    if access.read_only:
        print(
            "Changes to the documents are off on this address; to allow them, give an admin "
            "password with --admin-password-file or CHATBOT_ADMIN_PASSWORD.",
            file=sys.stderr,
        )
    if logins:
        print(f"The page asks for one of the {len(logins.passwords)} login(s).", file=sys.stderr)
    launch_page(bot, host, port, access=access, logins=logins)
