"""Text -> sentence spans, with citation markers kept on the sentence they close.

Splitting is pysbd's rule-based segmenter (abbreviations such as "U.S.", decimals, quotes), so a
marker is never put inside "U.S." and "$5.6 million" stays one sentence. The [n] marker syntax
lives here too: every module that reads or writes markers takes it from this one.

Chunking cuts over-long paragraphs with a plain pattern instead (likely_sentence_ends): pysbd reads
about 90 KB/s here, ~370 times slower, which a 50 MB document without paragraph breaks cannot
afford; a cut in a slightly wrong place only moves a chunk boundary.
"""

from __future__ import annotations

import functools
import re

MARKER = re.compile(r"\[(\d{1,3})\]")
# What may be the start of a marker at the end of a streamed piece ("[", "[1"), or a marker whose
# next word may make it a count ("[2] ye" of "[2] years"): held back until the next piece.
PARTIAL_MARKER = re.compile(r"\[\d{0,3}(?:\](?:[ -][A-Za-z]{0,8})?)?$")
_LIKELY_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
MARKERS_WITH_SPACE = re.compile(r"\s*\[\d{1,3}\]")
# "It was 1989. [1]." -> "It was 1989 [1]." so the marker stays with its sentence.
_MARKERS_BETWEEN_STOPS = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)(?:\s*[.!?])?")
# "…applications., ," once markers are gone: separators before a stop, or after it at the end.
_STRAY_SEPARATORS = re.compile(r"(?:\s*[,;])+(?=\s*[.!?]|\s*$)|(?<=[.!?])(?:\s*[,;])+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,;.!?])")
_ENDS_IN_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}$")
# Words that point back to something said before: a sentence or an event opening with one ("Its
# training cost …", "before TensorFlow did it appear") cannot be read on its own.
REFERS_BACK = frozenset("it its they their them this that these those he his she her".split())
# "It was [2] years before …": a count the model wrote in a marker's brackets, not a citation.
_COUNT_IN_BRACKETS = re.compile(
    r"\[(\d{1,3})\](?=[ -](?:years?|months?|weeks?|days?|times|percent|per cent|million|"
    r"billion|thousand)\b)",
    re.IGNORECASE,
)
# A line break inside a hard-wrapped sentence (the license files): after a line that does not end
# a sentence or clause, before one that is no list item or heading. The splitter would take it
# for a sentence end; it is read as a space (one character for one, so offsets stay).
_WRAPPED_LINE_BREAK = re.compile(
    r"(?<=[^\s.!?:;])[ \t]*\n(?![ \t]*(?:[-*+#>|]|\d{1,3}[.)]|\(\w\))\s)(?=[ \t]*[\w(\"'“‘])"
)
# Markers (and the commas between them) left on their own: "[2], [3], [4]" after a full stop.
_ONLY_MARKERS = re.compile(r"^[\s,;.]*(?:\[\d{1,3}\][\s,;]*)+[.!?]?\s*$")


@functools.cache
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text, whitespace trimmed; markers after a full stop
    ("… 1989. [1]") belong to the sentence before them, and a hard-wrapped sentence is one."""
    spans: list[tuple[int, int]] = []
    position = 0
    text = _WRAPPED_LINE_BREAK.sub(lambda wrap: " " * len(wrap.group(0)), text)
    for segment in _segmenter().segment(text):
        piece = segment.strip()
        if not piece:
            continue
        start = text.find(piece, position)
        if start < 0:  # the segmenter changed the text: fall back to the rest as one sentence
            break
        end = start + len(piece)
        position = end
        if spans and _ONLY_MARKERS.match(piece):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if position < len(text.rstrip()):
        rest = text[position:]
        lead = len(rest) - len(rest.lstrip())
        if rest.strip():
            spans.append((position + lead, position + len(rest.rstrip())))
    return spans


def likely_sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets in text[start:end] just after a full stop and its closing quotes and spaces: fast
    cut points for chunking (see the module's note), not the answer's sentences."""
    return [m.end() for m in _LIKELY_SENTENCE_END.finditer(text, start, end)]


def split_sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def markers_before_stop(text: str) -> str:
    """Markers written after a sentence's full stop are moved before it: "1989. [1]" -> "1989
    [1]."."""
    return _MARKERS_BETWEEN_STOPS.sub(lambda m: m.group(2) + m.group(1), text)


def cited_numbers(text: str) -> list[int]:
    """The passage numbers of the [n] markers in text, in order, each once."""
    return list(dict.fromkeys(int(n) for n in MARKER.findall(text)))


def counts_out_of_brackets(text: str) -> str:
    """ "[2] years" -> "2 years": a number in brackets followed by a unit is a count."""
    return _COUNT_IN_BRACKETS.sub(r"\1", text)


def without_markers(text: str) -> str:
    """The text without [n] markers, and without the commas and spaces they leave behind."""
    text = MARKERS_WITH_SPACE.sub("", text)
    text = _STRAY_SEPARATORS.sub("", text)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text).rstrip(" ,;")


def with_markers(sentence: str, numbers: list[int]) -> str:
    """The sentence (without markers) with [n] markers placed before its closing punctuation."""
    if not numbers:
        return sentence
    markers = "".join(f"[{n}]" for n in numbers)
    stripped = sentence.rstrip()
    tail = sentence[len(stripped) :]
    closing = ""
    while stripped and stripped[-1] in '.!?"”’':  # a closing parenthesis stays before the markers
        closing = stripped[-1] + closing
        stripped = stripped[:-1]
    # No full stop, or one that ends an abbreviation ("U.S."): markers go at the very end.
    if not any(c in ".!?" for c in closing) or _ENDS_IN_ABBREVIATION.search(sentence.rstrip()):
        return f"{stripped}{closing} {markers}{tail}"
    return f"{stripped} {markers}{closing}{tail}"
