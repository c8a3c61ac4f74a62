"""Answer -> the HTML the chat page shows: escaped text, [n] markers linked to their sources, and
each
source's passage highlighted inside a little of its surrounding document.

Every piece of document text and model output is HTML-escaped, and the result holds no blank line,
so Markdown never gets to interpret any of it: a document cannot inject markup, scripts or images.
"""

from __future__ import annotations

import html
import itertools
import re
import uuid

from chatbot.answering import Answer, Reading
from chatbot.documents import Document
from chatbot.retrieval import Passage
from chatbot.sentences import MARKER

CONTEXT_CHARS = 240  # document text shown on each side of a cited passage
_SOURCES_START = '<div class="sources">'
# Each finished answer carries an unguessable id; the page keeps the answer's text under it.
_ANSWER_ID = re.compile(r'<div class="answer[^"]*" data-answer="([0-9a-f]{32})"')


def _text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def streaming_html(text: str, reading: Reading | None = None) -> str:
    """The answer while it is still being written: what is being read, then the text so far,
    plain and escaped."""
    shown = f'<p class="reading">{_text(reading.summary)}</p>' if reading else ""
    return f'<div class="answer">{shown}{_text(text)}</div>'


def _context(passage: Passage, documents: dict[str, Document]) -> tuple[str, str]:
    doc = documents.get(passage.chunk.doc_id)
    chunk = passage.chunk
    if doc is None or doc.text[chunk.start : chunk.end] != chunk.text:
        return "", ""  # the index changed since this answer; show the passage alone
    before = doc.text[max(0, chunk.start - CONTEXT_CHARS) : chunk.start]
    after = doc.text[chunk.end : chunk.end + CONTEXT_CHARS]
    before = ("…" + before.split(" ", 1)[-1]) if chunk.start > CONTEXT_CHARS else before
    after = (after.rsplit(" ", 1)[0] + "…") if chunk.end + CONTEXT_CHARS < len(doc.text) else after
    return before, after


def _marked(text: str, offset: int, spans: tuple[tuple[int, int], ...]) -> str:
    """The chunk's text escaped, each supporting span (document offsets) inside <mark>; the whole
    chunk when there are none or they do not fit it (the index changed since)."""
    inside = [(a - offset, b - offset) for a, b in sorted(spans)]
    fits = all(0 <= a < b <= len(text) for a, b in inside) and all(
        first[1] <= second[0] for first, second in itertools.pairwise(inside)
    )
    if not inside or not fits:
        inside = [(0, len(text))]
    pieces, position = [], 0
    for a, b in inside:
        pieces.append(f"{_text(text[position:a])}<mark>{_text(text[a:b])}</mark>")
        position = b
    pieces.append(_text(text[position:]))
    return "".join(pieces)


def _source_html(
    answer_id: str,
    n: int,
    passage: Passage,
    documents: dict[str, Document],
    spans: tuple[tuple[int, int], ...],
) -> str:
    """The passage inside its context; the supporting sentences (or, unchecked, the whole
    passage) marked."""
    before, after = _context(passage, documents)
    return (
        f'<details class="source" id="src-{answer_id}-{n}">'
        f"<summary><b>[{n}]</b> {html.escape(passage.where)}</summary>"
        f'<div class="passage"><span class="context">{_text(before)}</span>'
        f"{_marked(passage.chunk.text, passage.chunk.start, spans)}"
        f'<span class="context">{_text(after)}</span></div></details>'
    )


def new_answer_id() -> str:
    return uuid.uuid4().hex


def answer_id_of(content: str) -> str | None:
    """The id answer_html gave a finished answer; None for anything else (a stopped stream)."""
    found = _ANSWER_ID.match(content)
    return found.group(1) if found else None


def answer_html(answer: Answer, documents: dict[str, Document], answer_id: str = "") -> str:
    """The finished answer: linked markers, a refusal badge when it is one, then its sources."""
    answer_id = answer_id or new_answer_id()
    valid = {c.n for c in answer.citations}

    def link(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in valid:
            return match.group(0)
        return f'<a class="cite" href="#src-{answer_id}-{n}" title="Show source {n}">[{n}]</a>'

    body = MARKER.sub(link, _text(answer.text))
    parts = []
    if answer.refused:
        parts.append(
            f'<div class="answer refusal" data-answer="{answer_id}">'
            f'<span class="badge">Not in the documents</span> {body}</div>'
        )
    else:
        parts.append(f'<div class="answer" data-answer="{answer_id}">{body}</div>')
    notes, checks = list(answer.notes), list(answer.checks)
    if answer.removed_markers:
        n = answer.removed_markers
        checks.append(
            f"Removed {n} citation marker{'s' if n > 1 else ''} that pointed at no passage."
        )
    shown = [(c.n, c.passage, c.spans) for c in answer.citations]
    if not shown and answer.passages:
        shown = [(n, p, ()) for n, p in enumerate(answer.passages, start=1)]
        if not answer.refused:
            notes.append("The answer cites none of these passages; they are what it was given.")
    if not shown and not notes and not checks:
        return "".join(parts)
    parts.append(_SOURCES_START)
    if shown:
        parts.append(f'<div class="sources-title">Sources ({len(shown)})</div>')
    parts.extend(f'<p class="note">{html.escape(note)}</p>' for note in notes)
    if checks:  # bookkeeping: folded away, for whoever wants to see how the answer was checked
        parts.append(
            f'<details class="checks"><summary>How this answer was checked ({len(checks)})'
            "</summary>"
        )
        parts.extend(f'<p class="note">{html.escape(check)}</p>' for check in checks)
        parts.append("</details>")
    parts.extend(
        _source_html(answer_id, n, passage, documents, spans) for n, passage, spans in shown
    )
    parts.append("</div>")
    return "".join(parts)


PAGE_CSS = """
.answer.refusal { border-left: 4px solid #d97706; padding-left: 8px; }
.answer .reading { color: #6b7280; font-style: italic; margin: 0 0 0.4em; }
.answer .badge { background: #fef3c7; color: #92400e; border-radius: 4px; padding: 0 6px;
  font-size: 0.85em; }
a.cite { font-weight: 600; text-decoration: none; padding: 0 1px; }
a.cite:focus, a.cite:hover { text-decoration: underline; }
.sources { margin-top: 0.75em; border-top: 1px solid #d1d5db; padding-top: 0.5em;
  font-size: 0.92em; }
.sources-title { font-weight: 600; margin-bottom: 0.25em; }
.sources .note { color: #6b7280; font-style: italic; margin: 0.25em 0; }
details.checks summary { cursor: pointer; color: #6b7280; font-size: 0.9em; }
details.source { margin: 0.25em 0; }
details.source summary { cursor: pointer; }
details.source .passage { margin: 0.4em 0 0.6em 1em; line-height: 1.45; }
details.source .context { color: #6b7280; }
details.source mark { background: #fde68a; color: inherit; padding: 0 1px; }
details.source.flash { outline: 2px solid #f59e0b; border-radius: 4px; }
"""

# Clicking (or pressing Enter on) a [n] marker opens its source and brings it into view.
PAGE_HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  target.open = true;
  target.classList.add("flash");
  setTimeout(function () { target.classList.remove("flash"); }, 1500);
  target.scrollIntoView({block: "nearest"});
  var summary = target.querySelector("summary");
  if (summary) summary.focus();
}, true);
</script>
"""
