"""Questions that name a thing by another fact about it -> the fact to look up, and the question
with the thing's name in its place.

"Which company launched the framework that eventually surpassed TensorFlow?" takes two steps: which
framework surpassed TensorFlow (PyTorch), then which company launched PyTorch. The small model
tends to answer the first step and stop, or to guess the second from the name it was given
(TensorFlow → Google). Here the described thing is found in the question's words; the model is
asked for its name alone (chatbot.judging), the name is kept only where a passage sentence says
the fact of it (chatbot.verification), and the question is answered with the name in its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "the framework that surpassed …", "the person who introduced …", "the team behind DeepSeek":
# one to three words after "the", then the relative word.
_DESCRIBED = re.compile(
    r"\b(?P<the>the) (?P<noun>(?:[a-z][\w'-]* ){0,2}[a-z][\w-]*) "
    r"(?P<rel>that|which|who|behind) (?P<fact>[^?,:;]+)",
    re.IGNORECASE,
)
# "What are the foundations that …?": the described thing is what is asked for, not a step.
_ASKED_FOR = re.compile(r"\b(?:what|which|who)\s+(?:is|are|was|were)\s+$", re.IGNORECASE)
# Never a step: the document itself ("the article argues that …"), what "that" opens a statement
# after ("the claim that …"), and a preposition before an asking "which" ("the style of which
# series …").
_NOT_A_THING = frozenset(
    "article articles passage passages document documents text author authors question "
    "fact claim idea view notion belief argument assumption reason way extent "
    "of in on for to with by from at".split()
)
# Where a relative clause gives way to the main clause: "The person who introduced the GPL is
# pictured …" -> "introduced the GPL".
_MAIN_VERB = re.compile(r"\s+(?:is|are|was|were|has|have|had)\s+")
# "The article names one rapidly emerging newcomer among open-source forces. With what pursuit does
# it say that newcomer's advocacy aligns?": a thing brought in by a sentence of its own, then asked
# about as "that newcomer".
_INTRODUCED = re.compile(
    r"^(?P<source>the (?:article|author|authors|text|document|documents)) (?P<verb>[a-z]+)s "
    r"(?P<determiner>one|a|an) (?P<description>[^.?!:;]+)[.:;]\s+(?P<asked>.+)$",
    re.IGNORECASE,
)
# Where a description's head noun ends: "rapidly emerging newcomer | among open-source forces".
_AFTER_HEAD = re.compile(r"\s+(?:among|of|in|from|with|for|on|at|by|to|that|which|who)\s")
# "In which year did the company that launched PyTorch release LLaMA?": a described thing after
# "did" is the subject, and the question's own verb follows its clause, which then ends after the
# name its verb takes ("launched PyTorch").
_DO_BEFORE = re.compile(r"\b(?:did|does|do)\s+$", re.IGNORECASE)
_VERB_AND_NAME = re.compile(r"[a-z]+\s+(?:the\s+)?[A-Z0-9][\w.'-]*(?:\s+[A-Z0-9][\w.'-]*)*")
# "behind DeepSeek-v3 and DeepSeek-R1 adopt": a name (capitalised words, joined by "and").
_NAMES = re.compile(r"[A-Z0-9][\w.'-]*(?:(?:\s+|\s+and\s+|\s*,\s*)[A-Z0-9][\w.'-]*)*")


@dataclass(frozen=True)
class Described:
    """A thing the question names by a fact about it."""

    phrase: str  # as the question words it: "the framework that eventually surpassed TensorFlow"
    fact: str  # what is said of it: "eventually surpassed TensorFlow"
    lookup: str  # the question that names it: "Which framework eventually surpassed TensorFlow?"
    # For a thing brought in by a sentence of its own: the sentence that asks, and the words in it
    # that refer back to the thing ("that newcomer").
    asked: str = ""
    refers: str = ""

    def named(self, question: str, name: str) -> str:
        """The question with the name in the phrase's place; for a thing brought in by a sentence
        of its own, the asking sentence with the name in place of the words that refer to it."""
        if self.refers:
            return self.asked.replace(self.refers, name, 1)
        return question.replace(self.phrase, name, 1)


def _fact(rel: str, words: str) -> str:
    words = words.strip()
    if rel.lower() == "behind":
        names = _NAMES.match(words)
        return names.group(0) if names else words
    verb = _MAIN_VERB.search(words)
    # "that was founded in 2015": a verb at the start belongs to the clause itself.
    return words[: verb.start()] if verb and len(words[: verb.start()].split()) >= 2 else words


def _introduced(question: str) -> Described | None:
    """A thing a first sentence brings in ("The article names one … newcomer …") and the next asks
    about as "that newcomer", or None."""
    found = _INTRODUCED.match(question.strip())
    if not found:
        return None
    description = found.group("description").strip()
    head = _AFTER_HEAD.split(f" {description} ", maxsplit=1)[0].split()
    if not head:
        return None
    refers = re.search(rf"\b(?:that|this|the) {re.escape(head[-1])}\b", found.group("asked"), re.I)
    if not refers:
        return None
    source, verb = found.group("source").lower(), found.group("verb").lower()
    return Described(
        phrase=f"{found.group('determiner')} {description}",
        fact=description,
        lookup=f"Which {description} does {source} {verb}?",
        asked=found.group("asked"),
        refers=refers.group(0),
    )


def described_thing(question: str) -> Described | None:
    """The first thing the question names by a fact about it, with the question that looks it up;
    None when there is none, or when it is what the question asks for."""
    introduced = _introduced(question)
    if introduced:
        return introduced
    for found in _DESCRIBED.finditer(question):
        noun, rel = found.group("noun"), found.group("rel")
        if _NOT_A_THING & set(noun.lower().split()):
            continue
        if _ASKED_FOR.search(question[: found.start()]):
            continue
        fact = _fact(rel, found.group("fact"))
        if rel.lower() != "behind" and _DO_BEFORE.search(question[: found.start()]):
            verb_and_name = _VERB_AND_NAME.match(fact)
            fact = verb_and_name.group(0) if verb_and_name else ""
        if not fact:
            continue
        phrase = question[found.start() : found.start("fact")] + fact
        if rel.lower() == "who":
            lookup = f"Who {fact}?"
        elif rel.lower() == "behind":
            lookup = f"Which {noun} is behind {fact}?"
        else:
            lookup = f"Which {noun} {fact}?"
        return Described(phrase=phrase, fact=fact, lookup=lookup)
    return None


@dataclass(frozen=True)
class Named:
    """A described thing, the name the model gave it, and the passage sentence that says so."""

    described: Described
    name: str
    passage: int  # [n] of the sentence that says the fact of the name
    start: int  # the sentence's offsets in its passage's chunk
    end: int
    question: str  # the question with the name in place of the description
