"""A conversation as Markdown, for people to keep: each question, its answer with its [n] markers,
and the numbered sources each answer cites with the sentences that support it quoted.

Document and model text can hold anything, so it is neutralised for Markdown viewers: no HTML
(`<` and `>` become entities), no links or images (`](` is escaped), no headings or quotes of its
own at the start of a line. The [n] markers stay readable as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from chatbot.answering import Answer, Citation
from chatbot.documents import Document

TITLE = "Conversation with the cited-answers chatbot"
FORGOTTEN = (
    "_This answer was given before the server last restarted; its text and sources are no "
    "longer kept._"
)
# Marks that make a line a heading, list or table get a backslash: \# Title, 1\. item.
_LINE_START = re.compile(r"^(\s*|\s*\d+)([#=|+*.)-])", re.MULTILINE)


def _plain(text: str) -> str:
    """Text that a Markdown viewer shows as written, not as markup, links or images."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("](", "]\\(").replace("![", "!\\[")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _quoted(citation: Citation) -> str:
    """The supporting sentences of the cited passage (the whole passage when unchecked)."""
    chunk = citation.passage.chunk
    pieces = [
        chunk.text[a - chunk.start : b - chunk.start]
        for a, b in citation.spans
        if chunk.start <= a < b <= chunk.end
    ] or [chunk.text]
    return " … ".join(" ".join(piece.split()) for piece in pieces)


def answer_markdown(answer: Answer, documents: Mapping[str, Document]) -> str:
    """One answer: its text, then its numbered sources (title, section, file or address, quote)."""
    lines = []
    badge = "**Not in the documents.** " if answer.refused else ""
    lines.append(badge + _plain(answer.text))
    notes = [note for note in answer.notes if note]
    if notes:
        lines.append("")
        lines.extend(f"_Note: {_plain(note)}_" for note in notes)
    if answer.citations:
        lines += ["", "Sources:", ""]
        for citation in answer.citations:
            document = documents.get(citation.passage.chunk.doc_id)
            source = f" ({_plain(document.source)})" if document else ""
            lines.append(f"{citation.n}. {_plain(citation.passage.where)}{source}")
            lines.append(f"   > {_plain(_quoted(citation))}")
    return "\n".join(lines)


def conversation_markdown(turns: Sequence[tuple[str, str | None]], now: datetime | None = None):
    """The whole conversation: (question, answer_markdown or None when no longer kept) pairs."""
    now = now or datetime.now(UTC)
    parts = [f"# {TITLE}", "", f"Saved {now:%Y-%m-%d %H:%M} UTC. Sources are numbered per answer."]
    for question, answer in turns:
        heading = " ".join(_plain(question).split()) or "(no question)"
        parts += ["", f"## {heading}", "", answer if answer is not None else FORGOTTEN]
    return "\n".join(parts) + "\n"
