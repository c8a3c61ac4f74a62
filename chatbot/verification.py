"""Answer text + the passages it was given -> citations checked sentence by sentence.

Each answer sentence's key terms (content words, every number and every name) are looked up in the
passages. A cited passage that holds too few of them is replaced by the passage that does
(re-attributed) or its marker is dropped; an uncited sentence that one passage clearly supports
gets that citation; a sentence no passage supports is reported. Every kept citation carries its
support score and the exact supporting sentence of the passage, as offsets into the document.
Lexical, so it costs microseconds per answer and needs no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.retrieval import Passage

SUPPORTED = 0.5  # share of a sentence's key terms a passage must hold to support it
_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "each",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "according",
        "answer",
        "documents",
        "document",
        "passage",
        "passages",
        "question",
        "stated",
        "states",
        "say",
        "says",
        "mentioned",
        "yes",
    ]
)
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z][A-Za-z'’-]*")
_MARKER = re.compile(r"\[(\d{1,3})\]")
# "It was 1989. [1]." -> "It was 1989 [1]." so the marker stays with its sentence.
_MARKERS_BETWEEN_STOPS = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)\s*[.!?]")
_SENTENCE = re.compile(r".+?(?:[.!?](?:\s*\[\d{1,3}\])*(?=\s|$)|$)", re.DOTALL)


@dataclass(frozen=True)
class SentenceCheck:
    text: str  # the sentence as written, markers removed
    cited: tuple[int, ...]  # passage numbers kept on it after checking
    support: float  # best share of its key terms found in one passage (1.0 when it has none)


@dataclass(frozen=True)
class Verification:
    text: str  # the answer with markers re-attributed, dropped or added
    sentences: tuple[SentenceCheck, ...]
    support: dict[int, float]  # passage number -> best support it gives a sentence citing it
    spans: dict[int, tuple[int, int]]  # passage number -> supporting sentence, document offsets
    reattributed: int
    dropped: int
    added: int

    @property
    def unsupported(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.sentences if s.support < SUPPORTED)

    @property
    def anything_supported(self) -> bool:
        return any(s.support >= SUPPORTED for s in self.sentences)


def key_terms(text: str) -> set[str]:
    """Content words cut to six letters (so 'licenses' meets 'license'), and numbers whole."""
    terms = set()
    for word in _WORD.findall(text):
        word = word.lower().strip("'’-")
        if word[:1].isdigit():
            terms.add(word.rstrip(".,"))
        elif len(word) > 2 and word not in _STOP_WORDS:
            terms.add(word[:6])
    return terms


def name_terms(text: str) -> set[str]:
    """Key terms of the capitalised words after a sentence's first word: names such as
    'Canberra', which a passage must hold for the sentence to rest on it. Acronyms are left out:
    'GPL' stands for words the passage spells out."""
    words = _WORD.findall(text)[1:]
    names = {w.lower()[:6] for w in words if w[:1].isupper() and not w.isupper()}
    return names & key_terms(text)


def _is_number(term: str) -> bool:
    return term[:1].isdigit()


def support(terms: set[str], passage_terms: set[str]) -> float:
    """Share of the sentence's terms in the passage; a number the passage lacks rules it out."""
    if not terms:
        return 1.0
    if any(_is_number(t) and t not in passage_terms for t in terms):
        return 0.0
    return len(terms & passage_terms) / len(terms)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def supporting_span(terms: set[str], passage: Passage) -> tuple[int, int]:
    """Document offsets of the passage sentence sharing most terms with the answer sentence."""
    text = passage.chunk.text
    best, best_overlap = (0, len(text)), -1
    for start, end in sentence_spans(text):
        overlap = len(terms & key_terms(text[start:end]))
        if overlap > best_overlap:
            best, best_overlap = (start, end), overlap
    start, end = best
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    end = start + len(piece.strip())
    return passage.chunk.start + start, passage.chunk.start + end


def verify(answer: str, passages: list[Passage], question: str = "") -> Verification:
    """Check every sentence of the answer against the passages numbered 1..len(passages).

    A name that neither the question nor any passage holds was made up: no passage supports its
    sentence.
    """
    asked = key_terms(question)
    answer = _MARKERS_BETWEEN_STOPS.sub(lambda m: m.group(2) + m.group(1), answer)
    passage_terms = [key_terms(f"{p.where}\n{p.chunk.text}") for p in passages]
    pieces, checks = [], []
    best_support: dict[int, float] = {}
    spans: dict[int, tuple[int, int]] = {}
    reattributed = dropped = added = 0
    position = 0
    for start, end in sentence_spans(answer):
        pieces.append(answer[position:start])
        position = end
        raw = answer[start:end]
        cited = [int(n) for n in _MARKER.findall(raw) if 1 <= int(n) <= len(passages)]
        plain = re.sub(r"\s*\[\d{1,3}\]", "", raw)
        terms = key_terms(plain)
        invented = {n for n in name_terms(plain) - asked if not any(n in t for t in passage_terms)}
        scores = [0.0 if invented else support(terms, t) for t in passage_terms]
        best = max(range(len(scores)), key=scores.__getitem__) if scores else None
        kept: list[int] = []
        if not terms:  # "Yes." or "This is stated in [1]": nothing to check, keep what was cited
            kept = list(dict.fromkeys(cited))
        else:
            for n in dict.fromkeys(cited):
                if scores[n - 1] >= SUPPORTED:
                    kept.append(n)
                elif best is not None and scores[best] >= SUPPORTED and best + 1 not in cited:
                    kept.append(best + 1)
                    reattributed += 1
                else:
                    dropped += 1
            if not cited and best is not None and scores[best] >= SUPPORTED:
                kept.append(best + 1)
                added += 1
        kept = list(dict.fromkeys(kept))
        for n in kept:
            score = scores[n - 1] if terms else 1.0
            if score >= best_support.get(n, -1.0):
                best_support[n] = score
                spans[n] = supporting_span(terms, passages[n - 1])
        sentence_support = max(scores) if terms and scores else 1.0
        checks.append(SentenceCheck(plain.strip(), tuple(kept), sentence_support))
        pieces.append(_with_markers(plain, kept))
    pieces.append(answer[position:])
    return Verification(
        text="".join(pieces).strip(),
        sentences=tuple(checks),
        support=best_support,
        spans=spans,
        reattributed=reattributed,
        dropped=dropped,
        added=added,
    )


def _with_markers(sentence: str, numbers: list[int]) -> str:
    """The sentence with its markers placed before its closing punctuation."""
    if not numbers:
        return sentence
    markers = "".join(f"[{n}]" for n in numbers)
    stripped = sentence.rstrip()
    tail = sentence[len(stripped) :]
    if stripped and stripped[-1] in ".!?":
        return f"{stripped[:-1]} {markers}{stripped[-1]}{tail}"
    return f"{stripped} {markers}{tail}"
