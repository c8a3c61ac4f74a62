"""Document -> Chunk(id, doc_id, text, start, end, heading): paragraph-aligned, never across a
heading.

Every chunk's text is exactly document.text[start:end], so a citation can point at an exact span.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from chatbot.documents import Document
from chatbot.sentences import likely_sentence_ends

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.?\s+\S.{0,60}$")
# Bump when the splitting rules or the embedded text change: indexes built otherwise become stale.
CHUNKER_VERSION = 2
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*#*$")


@dataclass(frozen=True)
class Chunk:
    id: str  # "<doc_id>#<n>"
    doc_id: str
    text: str
    start: int  # character offsets into Document.text
    end: int
    heading: str  # section path, e.g. "What is Open Source? > Licenses"; "" before any heading


@dataclass(frozen=True)
class ChunkingParams:
    # Defaults live in Config (chunk_chars, chunk_max_chars); Config.chunking makes these.
    chunk_chars: int  # a chunk grows paragraph by paragraph up to about this size
    chunk_max_chars: int  # a paragraph longer than this is split at sentence ends

    def as_dict(self) -> dict[str, int]:
        return {
            "chunker": CHUNKER_VERSION,
            "chunk_chars": self.chunk_chars,
            "chunk_max_chars": self.chunk_max_chars,
        }


def section_name(title: str, heading: str) -> str:
    """'Section > Subsection' below the document's title; '' for a chunk under the title itself."""
    if heading == title or not heading:
        return ""
    if heading.startswith(title + " > "):
        heading = heading[len(title) + 3 :]
    return heading


def section_label(title: str, heading: str) -> str:
    """'Title — Section > Subsection', without repeating a title that opens the heading path."""
    section = section_name(title, heading)
    return f"{title} — {section}" if section else title


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, surrounding whitespace trimmed."""
    spans, pos = [], 0
    for match in itertools.chain(_BLANK_LINES.finditer(text), [None]):
        end = match.start() if match else len(text)
        piece = text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((pos + lead, pos + len(piece.rstrip())))
        pos = match.end() if match else len(text)
    return spans


def _heading(block: str) -> tuple[int, str] | None:
    """(level, title) when the paragraph is a heading line; Markdown levels 1-6, plain text level
    7."""
    if "\n" in block:
        return None
    line = block.strip()
    md = _MARKDOWN_HEADING.match(line)
    if md:
        return len(md.group(1)), md.group(2).strip()
    if len(line) > 80 or len(line) < 3:
        return None
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and not line.endswith((",", ";")):
        return 7, line
    if _NUMBERED_HEADING.match(line) and len(line.split()) <= 8:
        return 7, line
    return None


def _split_long(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """Split one over-long paragraph at sentence ends (or hard, if a sentence is itself too
    long)."""
    pieces, piece_start = [], start
    cuts = [*likely_sentence_ends(text, start, end), end]
    last_cut = start
    for cut in cuts:
        if cut - piece_start > limit and last_cut > piece_start:
            pieces.append((piece_start, last_cut))
            piece_start = last_cut
        last_cut = cut
    pieces.append((piece_start, end))
    result = []
    for s, e in pieces:  # a single sentence longer than the limit: cut it hard
        while e - s > limit:
            result.append((s, s + limit))
            s += limit
        result.append((s, e))
    trimmed = []
    for s, e in result:
        piece = text[s:e]
        if piece.strip():
            trimmed.append((s + len(piece) - len(piece.lstrip()), s + len(piece.rstrip())))
    return trimmed


def chunk_document(doc: Document, params: ChunkingParams) -> list[Chunk]:
    """Split a document into chunks that follow its paragraphs and sections."""
    text = doc.text
    path: list[tuple[int, str]] = []  # open headings, outermost first
    groups: list[tuple[str, list[tuple[int, int]]]] = []  # (heading path, paragraph spans)
    for start, end in _blocks(text):
        heading = _heading(text[start:end])
        if heading:
            level = heading[0]
            path = [h for h in path if h[0] < level] + [heading]
            groups.append((" > ".join(t for _, t in path), [(start, end)]))
            continue
        spans = _split_long(start, end, text, params.chunk_max_chars)
        if not groups:
            groups.append(("", []))
        groups[-1][1].extend(spans)

    chunks: list[Chunk] = []
    for number, (heading, spans) in enumerate(groups):
        if (
            len(spans) == 1
            and number + 1 < len(groups)
            and _heading(text[spans[0][0] : spans[0][1]])
        ):
            # a heading with no text of its own lives on in the path of the section after it
            continue
        packed: list[list[int]] = []
        for start, end in spans:
            heading_alone = (
                len(packed) == 1 and _heading(text[packed[0][0] : packed[0][1]]) is not None
            )
            limit = params.chunk_max_chars if heading_alone else params.chunk_chars
            if packed and end - packed[-1][0] <= limit:
                packed[-1][1] = end
            else:
                packed.append([start, end])
        # A small tail joins the chunk before it when the result stays within the maximum.
        small_tail = len(packed) > 1 and packed[-1][1] - packed[-1][0] < params.chunk_chars // 4
        if small_tail and packed[-1][1] - packed[-2][0] <= params.chunk_max_chars:
            tail = packed.pop()
            packed[-1][1] = tail[1]
        for start, end in packed:
            chunks.append(
                Chunk(
                    id=f"{doc.id}#{len(chunks)}",
                    doc_id=doc.id,
                    text=text[start:end],
                    start=start,
                    end=end,
                    heading=heading,
                )
            )
    return chunks
