"""Question (+ history) -> streamed text, then Answer(text, citations, passages).

Retrieves, refuses without calling the model when nothing relevant is found, prompts with numbered
passages, streams the model's words while removing [n] markers that point at no passage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

from chatbot.arithmetic import Dated, count_years, counted_from, two_events, years_given
from chatbot.chunking import section_name
from chatbot.config import Config
from chatbot.errors import QuestionError
from chatbot.hops import Named, described_thing
from chatbot.judging import Judge
from chatbot.llm import LLM
from chatbot.opposites import forms_of, words_of
from chatbot.polarity import said_the_other_way
from chatbot.prompting import NOT_COVERED, Prompt, asked_instead, build_prompt, rewrite_prompt
from chatbot.retrieval import Passage, Retriever
from chatbot.sentences import (
    MARKER,
    PARTIAL_MARKER,
    cited_numbers,
    counts_out_of_brackets,
    split_sentences,
    with_markers,
    without_markers,
)
from chatbot.verification import (
    SUPPORTED,
    Doubt,
    Verification,
    capitalised_terms,
    closest_span,
    correction,
    dating_sentence,
    key_terms,
    name_terms,
    passage_dating,
    passage_naming,
    passages_as_documents,
    premise_doubts,
    presupposes,
    quoting,
    restates,
    stating_sentence,
    support,
    verify,
)

_ASKS_FOR_A_NUMBER = re.compile(
    r"^\s*when\b|\b(?:what|which) year\b|\bhow (?:many|much)\b", re.IGNORECASE
)
# The kind of thing a question asks for: "Under which license …?", "What price …?".
_ASKED_KIND = re.compile(
    r"\b(?:which|what)\s+(?!(?:do|does|did|is|are|was|were|has|have|had|can|could|will|would|"
    r"should|may|must|kind|kinds|sort|type|types)\b)([a-z]+)\b",
    re.IGNORECASE,
)
# Who …? By whom …?: asks for someone the question does not name.
_ASKS_WHO = re.compile(r"^\s*who\b|\bby whom\b", re.IGNORECASE)
# A short opening phrase may come first: "Under GPL version 3, may I charge for copies?"
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:[^,?]{1,60},\s*)?"
    r"(?:does|do|did|is|are|was|were|can|could|may|must|will|would|should|has|have|had)\b",
    re.IGNORECASE,
)
# A number, or a date in words ("in July", "on Tuesday"; not "may", mostly a verb): what a
# When…? answer holds.
_NUMBER = re.compile(
    r"(?<!\[)\b\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundreds?|thousands?|millions?|billions?|"
    r"decades?|dozens?|january|february|march|april|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
PROMPT_MARGIN = 32  # tokens kept free for the chat template's own markup
# Below this probability (the model's own yes/no judgement, chatbot.judging) the passages are taken
# not to answer the question, whatever the draft says; chosen on the dev sets (docs/evaluation.md).
ANSWERED_THRESHOLD = 0.6
_REFUSAL_HINTS = (
    "do not cover",
    "don't cover",
    "does not cover",
    "doesn't cover",
    "do not say",
    "does not say",
    "doesn't say",
    "not mentioned",
    "does not mention",
    "doesn't mention",
    "not specified",
    "does not specify",
    "does not state",
    "doesn't state",
    "not explicitly",
    "doesn't specify",
    "no information",
)


@dataclass(frozen=True)
class Citation:
    n: int  # the marker's number: [n] in the answer text
    passage: Passage
    support: float = 1.0  # share of the citing sentence's key terms the passage holds
    # the sentences that support what cites it, as offsets into the document (none: unchecked)
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Reading:
    """What a stream yields once the passages are found, before the model reads them: on a slow
    CPU reading them takes most of the wait, so the page and the CLI say what is being read."""

    passages: tuple[Passage, ...]  # as the prompt numbers them, from 1

    @property
    def summary(self) -> str:
        """What is being read, for people: "Reading 4 passages: <title> (<section>); <title>."."""
        sections: dict[str, list[str]] = {}
        for passage in self.passages:
            section = section_name(passage.title, passage.chunk.heading)
            named = sections.setdefault(passage.title, [])
            if section and section not in named:
                named.append(section)
        documents = "; ".join(
            f"{title} ({', '.join(named)})" if named else title for title, named in sections.items()
        )
        count = len(self.passages)
        return f"Reading {count} passage{'s' if count != 1 else ''}: {documents}."


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]  # passages the answer cites, in order of first mention
    passages: tuple[Passage, ...]  # everything the model was shown, numbered from 1
    refused: bool  # the documents do not cover the question
    prompt_tokens: int = 0  # size of the prompt the model read (0 when it was not called)
    removed_markers: int = 0  # [n] markers the model wrote that pointed at no passage
    notes: tuple[str, ...] = ()  # for the reader: what was removed or left out, why it refused
    checks: tuple[str, ...] = ()  # bookkeeping of the check (citations moved, drafts withheld)

    def to_dict(self) -> dict:
        """The JSON shape of `chatbot ask --json`."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "notes": list(self.notes),
            "checks": list(self.checks),
            "citations": [
                {
                    "n": c.n,
                    "document": c.passage.title,
                    "chunk_id": c.passage.chunk.id,
                    "text": c.passage.chunk.text,
                }
                for c in self.citations
            ],
            "passages": [
                {
                    "n": n,
                    "document": p.title,
                    "heading": p.chunk.heading,
                    "chunk_id": p.chunk.id,
                    "start": p.chunk.start,
                    "end": p.chunk.end,
                    "text": p.chunk.text,
                    "score": round(p.score, 6),
                    "similarity": round(p.similarity, 4),
                }
                for n, p in enumerate(self.passages, start=1)
            ],
        }


class CitationFilter:
    """Drops [n] markers whose n is not a passage number, on a stream of text pieces.

    A piece ending in what may be the start of a marker ("[", "[1"), or in a marker the next word
    may show to be a count ("[2] ye…" of "[2] years"), is held back until the next piece.
    """

    def __init__(self, passage_count: int):
        self.valid = set(range(1, passage_count + 1))
        self._pending = ""
        self.cited: list[int] = []
        self.removed = 0

    def _clean(self, text: str) -> str:
        def keep(match: re.Match) -> str:
            n = int(match.group(1))
            if n in self.valid:
                if n not in self.cited:
                    self.cited.append(n)
                return match.group(0)
            self.removed += 1
            return ""

        return MARKER.sub(keep, counts_out_of_brackets(text))

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        partial = PARTIAL_MARKER.search(text)
        self._pending = partial.group(0) if partial else ""
        return self._clean(text[: partial.start()] if partial else text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._clean(text)


_WHAT_THEY_SAY = "What they do say:"
_THE_DOCUMENTS_SAY = "The documents say:"


def _refusal_showing(checked: Verification) -> str:
    """The refusal, followed by what the passages do say (the checked sentences)."""
    return f"{NOT_COVERED} {_WHAT_THEY_SAY} {checked.text}"


def _refusal_quoting(question: str, passages: list[Passage]) -> Verification:
    """The refusal, followed by the passage sentence closest to the question, quoted and cited
    ("… Mistral launched Mistral 7B …" for its license): when the passages were judged not to
    answer, the model's own sentences may be the answer they lack ("Stallman studied at MIT").
    The refusal alone when no sentence stands out."""
    # Words of its own: a heading such as "MIT License" says nothing the question does not.
    closest = closest_span(question, passages, by_names=True, saying=2)
    return quoting(NOT_COVERED, _WHAT_THEY_SAY, [closest] if closest else [], passages)


def kept_off_the_question(question: str, checked: Verification) -> bool:
    """Whether the check removed the sentences that spoke to what the question asks and kept only
    ones that do not: "In which year was Hugging Face founded?" with "… was founded in 2018"
    removed and "Hugging Face entered the NLP domain in 2018" kept. What is asked is the
    question's key terms other than its names ("year", "founded"). So is an answer whose removed
    sentence named what the question names and whose kept ones name none of it: "Under which
    license is LLaMA released?" with "LLaMA is released under the GPL" removed and sentences
    about the GPL kept — unless the question takes a fact as given: "Why did Hugging Face hold
    back GPT-2?" is answered by what OpenAI did."""
    names = capitalised_terms(question)
    asked = key_terms(question) - names
    removed = [key_terms(s.text) for s in checked.sentences if not s.supported and not s.stray]
    kept = key_terms(without_markers(checked.text))
    if names and not presupposes(question):
        if any(names <= r for r in removed) and not names & kept:
            return True
    return bool(asked) and any(asked & r for r in removed) and not asked & kept


def speaks_to(question: str, text: str) -> bool:
    """Whether the answer holds every name the question gives and at least one of its other key
    words (on five letters, so "stands" meets "stand"): "AIHH stands for AI Helps Humans" speaks
    to "What does AIHH stand for?", and the passages are not judged again on whether they answer
    it. An answer about a neighbouring fact leaves out a name ("the AIME benchmark") or every
    word of what is asked. A question asking for a kind of thing ("Under which license …?")
    is spoken to only by an answer that names that kind: "Meta released LLaMA in 2023" holds the
    question's names and "released", yet says no license."""
    names = capitalised_terms(question)
    others = {term[:5] for term in key_terms(question) - names}
    terms = key_terms(without_markers(text))
    said = {term[:5] for term in terms}
    kind = _ASKED_KIND.search(question)
    asked_kind = {term[:5] for term in key_terms(kind.group(1))} if kind else set()
    if asked_kind and not asked_kind & said:
        return False
    return bool(names) and names <= terms and bool(others & said)


def _led_by_naming(
    named: Named,
    text: str,
    passages: list[Passage],
    spans: dict[int, tuple[tuple[int, int], ...]],
) -> str:
    """The answer after the passage sentence that names the described thing (cited, its span
    added to `spans`), unless the answer says all it says already."""
    passage = passages[named.passage - 1]
    sentence = " ".join(passage.chunk.text[named.start : named.end].split())
    if key_terms(sentence) <= key_terms(text):
        return text
    offsets = (passage.chunk.start + named.start, passage.chunk.start + named.end)
    spans[named.passage] = tuple(sorted({*spans.get(named.passage, ()), offsets}))
    return f"{with_markers(sentence, [named.passage])} {text}"


def _citations(n: int) -> str:
    return "one citation" if n == 1 else f"{n} citations"


def _verification_notes(checked: Verification) -> list[str]:
    """What the check took out of the model's draft, for the reader."""
    notes = [
        f"Removed from the answer because the sources do not say it: “{sentence}”"
        for sentence in checked.unsupported
    ]
    if checked.strays:
        words = ", ".join(f"“{word}”" for word in checked.strays)
        notes.append(
            f"Left out {words}: the question does not ask for it, and only document text that "
            "has nothing to do with the question holds it (as an instruction hidden in a "
            "document would)."
        )
    return notes


def _verification_checks(checked: Verification) -> list[str]:
    """How the check set the citations right: bookkeeping, for whoever wants to look."""
    checks = []
    if checked.reattributed:
        checks.append(f"Moved {_citations(checked.reattributed)} to the passage that says it.")
    if checked.dropped:
        checks.append(f"Removed {_citations(checked.dropped)}: the cited passage does not say it.")
    if checked.added:
        checks.append(f"Added {_citations(checked.added)} where the model cited nothing.")
    checks += [f"Left out talk about the passages: “{s}”" for s in checked.about_passages]
    checks += [
        f"Left out a sentence that says again what one before it said: “{s}”"
        for s in checked.repeats
    ]
    checks += [f"Left out a question the draft asked: “{s}”" for s in checked.questions]
    return checks


def _check_unicode(text: str, what: str) -> None:
    """A lone surrogate (from invalid UTF-8 on a command line, or a broken client) is refused here
    with one line instead of failing deep inside the tokenizer."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QuestionError(
            f"{what} holds a character that is not valid Unicode (at position {exc.start}); "
            "retype it or save it as UTF-8."
        ) from None


def validate_question(question: str, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError(
            f"The question must be text (a str), not {type(question).__name__}; "
            "type a question about the documents."
        )
    if not question.strip():
        raise QuestionError("The question is empty; type a question about the documents.")
    _check_unicode(question, "The question")
    if len(question) > max_chars:
        raise QuestionError(
            f"The question is {len(question):,} characters long; the limit is {max_chars:,}. "
            "Shorten it."
        )
    return question.strip()


def validate_history(history: Sequence[dict] | None) -> list[dict[str, str]]:
    turns = []
    for i, turn in enumerate(history or []):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            raise QuestionError(
                f"history[{i}] must be {{'role': 'user'|'assistant', 'content': str}}."
            )
        if not isinstance(turn.get("content"), str):
            raise QuestionError(f"history[{i}]['content'] must be a string.")
        _check_unicode(turn["content"], f"history[{i}]['content']")
        turns.append({"role": turn["role"], "content": turn["content"]})
    return turns


def retrieval_query(question: str, history: list[dict[str, str]]) -> str:
    """A follow-up ('Which license did they choose?') is searched together with the previous
    question."""
    previous = [t["content"] for t in history if t["role"] == "user"]
    return f"{previous[-1]} {question}" if previous else question


def repeats_earlier_answer(text: str, history: list[dict[str, str]], question: str = "") -> bool:
    """Whether an answer to a follow-up says nothing the last exchange and the question had not
    said: the earlier answer again ("GitHub was founded in 2008." after "When was GitHub
    founded?"), or that with the question's words ("TensorFlow made accessible to the public" for
    "What did it make accessible to the public?"). Words are compared in their dictionary forms."""
    answers = [t["content"] for t in history if t["role"] == "assistant"]
    asked = [t["content"] for t in history if t["role"] == "user"]
    if not answers:
        return False
    said = set().union(*_said(answers[-1]), *_said(asked[-1] if asked else ""), *_said(question))
    words = _said(without_markers(text))
    return bool(words) and all(forms & said for forms in words)


def _said(text: str) -> list[frozenset[str]]:
    """The dictionary forms of each content word of the text, and each of its numbers."""
    numbers = [frozenset({t}) for t in key_terms(text) if t[:1].isdigit()]
    return [forms_of(w) for w in words_of(text) if key_terms(w)] + numbers


def _quoting_closest(
    question: str, answer: Answer, history: list[dict[str, str]], asked: str
) -> Answer | None:
    """The answer replaced by the passage sentence closest to the question, quoted and cited, when
    one holds at least half of the question's key terms and says something the conversation and
    the question `asked` had not; None otherwise."""
    closest = closest_span(question, list(answer.passages))
    if closest is None:
        return None
    n, a, b = closest
    passage = answer.passages[n - 1]
    sentence = " ".join(passage.chunk.text[a:b].split())
    if support(key_terms(question), key_terms(sentence)) < SUPPORTED:
        return None
    if repeats_earlier_answer(sentence, history, asked):
        return None
    span = (passage.chunk.start + a, passage.chunk.start + b)
    return dataclasses.replace(
        answer,
        text=with_markers(sentence, [n]),
        citations=(Citation(n, passage, 1.0, (span,)),),
        refused=False,
        notes=(),
        checks=(),
    )


def about_the_question(question: str, found: Sequence[Passage], min_similarity: float) -> bool:
    """Whether the passages found speak of the question: one close enough in meaning, or one
    holding every name the question gives (the embedder knows rare names such as "Caffe" poorly,
    so a question about them can sit below the similarity bar next to the passage that answers
    it). A question joining two things ("How many years between Caffe and Stable Diffusion?")
    may find each name in a passage of its own: the names count together."""
    if not found:
        return False
    if max(p.similarity for p in found) >= min_similarity:
        return True
    names = name_terms(question)
    held = set().union(*(key_terms(f"{p.where}\n{p.chunk.text}") for p in found))
    return bool(names) and names <= held


def asks_for_a_number(question: str) -> bool:
    """When…? In which year…? How many…? How much…?: an answer must hold a number."""
    return bool(_ASKS_FOR_A_NUMBER.search(question))


def asks_who(question: str) -> bool:
    """Who …? By whom …?: an answer must name someone."""
    return bool(_ASKS_WHO.search(question))


def adds_a_word(question: str, answer: str) -> bool:
    """Whether the answer says a word beyond the question's own words and numbers: "GitHub was
    founded in 2008" adds only a year to "Who founded GitHub?", and names no one."""
    return any(
        not term[:1].isdigit() for term in key_terms(without_markers(answer)) - key_terms(question)
    )


def gives_a_number(answer: str) -> bool:
    """Whether the answer holds a number or a date in words ("in July"), [n] markers aside."""
    return bool(_NUMBER.search(answer))


def is_yes_no_question(question: str) -> bool:
    """Does …? Is …? Can I …?: a question answered by yes or no."""
    return bool(_YES_NO_QUESTION.match(question))


def looks_like_refusal(text: str) -> bool:
    """Whether the text opens by saying the documents do not answer: a caveat after an answer
    ("… The article does not mention other issues.") does not make it a refusal."""
    sentences = split_sentences(text.strip())
    opening = (sentences[0] if sentences else text).lower().replace("’", "'")
    return any(hint in opening for hint in _REFUSAL_HINTS)


def _last(items: Generator[str | Reading, None, Answer]) -> Answer:
    """Run a streaming generator to its end, unshown; returns what it returns."""
    while True:
        try:
            next(items)
        except StopIteration as stop:
            return stop.value


class Answerer:
    def __init__(self, retriever: Retriever, llm: LLM, config: Config):
        self.retriever = retriever
        self.llm = llm
        self.config = config

    def stream(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        top_k: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> Iterator[str | Reading | Answer]:
        """Yield Reading (the passages found) once, the answer's text pieces as they are
        generated, then the finished Answer. A question the documents do not cover yields no
        Reading.

        top_k, temperature and max_tokens override the configuration for this question only.

        Raises:
            QuestionError: an empty or too long question, a malformed history.
            ConfigError: a per-question setting out of its range.
        """
        settings = self.config.replace(
            top_k=top_k, temperature=temperature, max_answer_tokens=max_tokens
        )
        question = validate_question(question, settings.max_question_chars)
        turns = validate_history(history)
        standalone = self._rewrite(question, turns) if self.config.rewrite_follow_ups else question
        answer = yield from self._answer(question, standalone, turns, settings)
        # A follow-up refused, or answered with what was said before, may have been read as the
        # earlier question ("How much does it charge?" answered with the license): asked again.
        if turns and (answer.refused or repeats_earlier_answer(answer.text, turns, question)):
            # With follow-ups rewritten already, the same rewrite is asked again without the
            # conversation instead of asking the model for it twice.
            rewritten = standalone if standalone != question else None
            answer = self._answer_again(question, turns, settings, answer, rewritten)
        yield answer

    def _answer(
        self, question: str, standalone: str, turns: list[dict[str, str]], settings: Config
    ) -> Generator[str | Reading, None, Answer]:
        """Retrieve, prompt and stream the draft for `standalone`; returns the checked Answer."""
        asked = retrieval_query(standalone, turns) if standalone == question else standalone
        found = self.retriever.retrieve(asked, settings.top_k)
        if not about_the_question(standalone, found, settings.min_similarity):
            yield NOT_COVERED
            return Answer(
                question=question, text=NOT_COVERED, citations=(), passages=(), refused=True
            )
        # "How many years between A and B?" names them apart by nature: not taken as said together.
        pairs = not asks_for_a_number(standalone)
        doubts = (
            premise_doubts(standalone, found, pairs, self.retriever.sentences_saying)
            if settings.verify_citations
            else []
        )
        budget = settings.n_ctx - settings.max_answer_tokens - PROMPT_MARGIN
        prompt = build_prompt(
            standalone,
            found,
            turns,
            self.llm.count_tokens,
            budget,
            settings.max_history_turns,
            [d.text for d in doubts],
            closest_to=asked,
        )
        yield Reading(tuple(prompt.passages))
        drafting = prompt
        named = self._name_described(standalone, prompt, settings)
        if named:  # the question with the name in place of the description is answered instead
            standalone = asked = named.question
            drafting = asked_instead(prompt, named.question, [d.text for d in doubts])
        markers = CitationFilter(len(prompt.passages))
        draft = yield from self._generate(drafting, markers, settings)
        return self._finish(
            question, standalone, asked, draft, prompt, markers, doubts, settings, named
        )

    def _name_described(self, question: str, prompt: Prompt, settings: Config) -> Named | None:
        """A thing the question names by a fact about it ("the framework that surpassed
        TensorFlow"), named by the model from the passages (asked alone, a few tokens) and kept
        only where a passage sentence says the fact of that name; None otherwise."""
        if not (settings.verify_citations and self.config.judge_claims):
            return None
        described = described_thing(question)
        if described is None:
            return None
        judge = Judge(self.llm, prompt)
        name = judge.name(described.lookup)
        where = passage_naming(name, described.fact, prompt.passages) if name else None
        stating = stating_sentence(described.fact, prompt.passages) if where is None else None
        if stating:  # it named something else ("OpenAI"): asked again, the sentence quoted
            name = judge.name(described.lookup, stating)
            where = passage_naming(name, described.fact, prompt.passages) if name else None
        if where is None:
            return None
        return Named(described, name, *where, question=described.named(question, name))

    def _answer_again(
        self,
        question: str,
        turns: list[dict[str, str]],
        settings: Config,
        first: Answer,
        rewritten: str | None = None,
    ) -> Answer:
        """A follow-up whose answer was refused or repeated the earlier one, asked again on its
        own: rewritten to stand alone and answered without the conversation. Its words are not
        streamed; the page and the CLI show the checked answer in place of the first. The first
        answer stays when the rewrite is no new question, when both are refused, or when the
        second repeats the earlier answer too."""
        rewritten = rewritten or self._rewrite(question, turns)
        if rewritten == question:
            return first
        second = _last(self._answer(question, rewritten, [], settings))
        if first.refused and second.refused:
            return first
        why = "was refused" if first.refused else "repeated the earlier one"
        note = f"The first answer {why}; the question was asked again on its own, as “{rewritten}”."
        if not second.refused and repeats_earlier_answer(second.text, turns, question):
            quoted = _quoting_closest(rewritten, second, turns, question)
            if quoted is None:
                return first
            note += " That answer repeated it too, so the passage sentence closest to it is quoted."
            second = dataclasses.replace(
                quoted, checks=(f"The second answer: {second.text}", *quoted.checks)
            )
        return dataclasses.replace(
            second,
            notes=(note, *second.notes),
            checks=(f"The first answer: {first.text}", *second.checks),
        )

    def _generate(
        self, prompt: Prompt, markers: CitationFilter, settings: Config
    ) -> Generator[str, None, str]:
        """Stream the model's reply with invalid markers removed; returns the whole reply."""
        parts: list[str] = []
        reply = self.llm.stream_chat(
            prompt.messages, settings.max_answer_tokens, settings.temperature
        )
        with contextlib.closing(reply):  # a consumer that stops early frees the model at once
            for piece in reply:
                clean = markers.feed(piece)
                if clean:
                    parts.append(clean)
                    yield clean
        tail = markers.flush()
        if tail:
            parts.append(tail)
            yield tail
        text = "".join(parts).strip()
        if not text:  # the model stopped at once: say so rather than show an empty bubble
            yield NOT_COVERED
            return NOT_COVERED
        return text

    def _finish(
        self,
        question: str,
        standalone: str,
        asked: str,
        text: str,
        prompt: Prompt,
        markers: CitationFilter,
        doubts: list[Doubt],
        settings: Config,
        named: Named | None = None,
    ) -> Answer:
        """The model's reply checked against the passages, with its citations and notes; for a
        question answered with a described thing's name, the sentence that names it leads."""
        notes, checks = list(prompt.notes), list(prompt.checks)
        max_tokens = settings.max_answer_tokens
        if self.llm.count_tokens(text) >= max_tokens - 1:
            notes.append(
                f"The answer reached the length limit of {max_tokens} tokens and was cut off."
            )
        wordless = not without_markers(text).strip(" \t\n.,;:!?")  # "[1][2][3]": no sentence
        if wordless:
            checks.append(f"The model's draft held no sentence: {text}")
            text = NOT_COVERED
        refused = wordless or (looks_like_refusal(text) and not markers.cited)
        if refused:
            text = passages_as_documents(text)
        checked = None
        if not refused:  # the model finds the years, the code counts those between them
            text = self._count_years(standalone, text, notes, add=False)
        if settings.verify_citations and not refused:  # a refusal has nothing to check
            text, refused, checked = self._check(
                standalone, asked, text, prompt, doubts, (notes, checks)
            )
        if not refused:  # the count the draft gives, then one for the years that were kept
            text = self._count_years(standalone, text, notes)
        spans = dict(checked.spans) if checked else {}
        if named:
            notes.append(
                f"The question describes {named.name} (“{named.described.phrase}”); it was "
                f"answered as “{named.question}”."
            )
            if not refused:
                text = _led_by_naming(named, text, prompt.passages, spans)
        if settings.verify_citations and self.config.judge_claims:
            text, refused = self._date_each_event(
                standalone, text, refused, prompt, spans, (notes, checks)
            )
        citations = tuple(
            Citation(
                n,
                prompt.passages[n - 1],
                checked.support.get(n, 1.0) if checked else 1.0,
                spans.get(n, ()),
            )
            for n in cited_numbers(text)
            if 1 <= n <= len(prompt.passages)
        )
        return Answer(
            question=question,
            text=text,
            citations=citations,
            passages=tuple(prompt.passages),
            refused=refused,
            prompt_tokens=prompt.tokens,
            removed_markers=markers.removed,
            notes=tuple(notes),
            checks=tuple(checks),
        )

    @staticmethod
    def _count_years(question: str, text: str, notes: list[str], add: bool = True) -> str:
        counted = count_years(question, text, add)
        if counted.note and counted.note not in notes:
            notes.append(counted.note)
        return counted.text

    def _date_each_event(
        self,
        question: str,
        text: str,
        refused: bool,
        prompt: Prompt,
        spans: dict[int, tuple[tuple[int, int], ...]],
        remarks: tuple[list[str], list[str]],
    ) -> tuple[str, bool]:
        """A "how many years between A and B?" answer that does not give the two years, or was
        refused: the model is asked for the year of each event alone, each year is kept only where
        a passage sentence gives it with the event's names (added to `spans`), and the code
        counts. (text, refused), unchanged when an event cannot be dated so."""
        events = two_events(question)
        if events is None or (not refused and len(years_given(text)) == 2):
            return text, refused
        judge, dated, found = Judge(self.llm, prompt), [], {}
        for event in events:
            year = judge.year(event)
            where = passage_dating(event, year, prompt.passages) if year else None
            sentence = None if where else dating_sentence(event, prompt.passages)
            if sentence:  # no year, or not the passages' one: once more, the sentence quoted
                year = judge.year(event, sentence)
                where = passage_dating(event, year, prompt.passages) if year else None
            if where is None:
                return text, refused
            dated.append(Dated(event, year, where[0]))
            found.setdefault(where[0], []).append(where[1])
        notes, checks = remarks
        early, late = sorted(d.year for d in dated)
        notes.append(
            "The answer did not give the year of each event, so the model was asked for each "
            f"alone, and the years between counted: {late} − {early} = {late - early}."
        )
        checks.append(f"The answer before: {text}")
        for n, sentences in found.items():
            spans[n] = tuple(sorted(set(sentences)))
        return counted_from(*dated), False

    def _rewrite(self, question: str, turns: list[dict[str, str]]) -> str:
        """The follow-up question rewritten by the model to stand alone, or the question itself
        (no conversation, or a rewrite that does not look like a question)."""
        if not turns:
            return question
        pieces = self.llm.stream_chat(rewrite_prompt(question, turns), 64, 0.0)
        rewritten = " ".join("".join(pieces).split()).strip("\"'")
        plausible = rewritten.endswith("?") and len(rewritten) <= 3 * len(question) + 120
        return rewritten if plausible else question

    def _check(
        self,
        question: str,
        asked: str,
        draft: str,
        prompt: Prompt,
        doubts: list[Doubt],
        remarks: tuple[list[str], list[str]],
    ) -> tuple[str, bool, Verification]:
        """The draft checked sentence by sentence, then as a whole: (text, refused, verification).

        Evidence, not the model's confidence, decides: a draft that repeats what the question
        wrongly assumes is replaced by what the passages say instead; a draft none of whose
        sentences the passages state is withheld, and so is one that states only things that do
        not answer the question (then what the passages do say follows the refusal). `remarks`
        are the notes and checks lists to add to.
        """
        notes, checks = remarks
        if doubts and any(restates(s, doubts) for s in split_sentences(draft)):
            # The draft repeats what the question wrongly assumes: say what the documents say.
            checks.append(f"The model's draft accepted the question's assumption: {draft}")
            fixed = correction(doubts, prompt.passages, question)
            return fixed.text, False, fixed
        judge = Judge(self.llm, prompt) if self.config.judge_claims else None
        checked = verify(draft, prompt.passages, asked, judge.claim if judge else None)
        if checked.sentences and not checked.anything_supported:
            notes.append("The model's answer was withheld: the documents do not say it.")
            checks.append(f"The withheld draft: {draft}")
            return NOT_COVERED, True, checked
        kept = [s.text for s in checked.sentences if s.supported and not s.stray]
        turned = said_the_other_way(question, kept, prompt.passages)
        if turned:  # "Yes, … liable" beside "IN NO EVENT SHALL THE AUTHORS … BE LIABLE"
            notes.append(
                "The answer said the opposite of the passage sentence it rests on; "
                "that sentence is shown instead."
            )
            checks.append(f"The answer withheld: {checked.text}")
            shown = quoting(_THE_DOCUMENTS_SAY, "", turned, prompt.passages)
            return shown.text, False, shown
        notes.extend(_verification_notes(checked))
        checks.extend(_verification_checks(checked))
        if not checked.text:  # nothing but talk about the passages
            notes.append("The model's answer said nothing the documents could back.")
            return NOT_COVERED, True, checked
        if checked.admits_unanswered:
            notes.append("The model's own answer said the documents do not answer the question.")
            return _refusal_showing(checked), True, checked
        if asks_for_a_number(question) and not gives_a_number(checked.text):
            notes.append("The question asks for a date or number, and the answer gives none.")
            return _refusal_showing(checked), True, checked
        if asks_who(question) and not adds_a_word(question, checked.text):
            notes.append("The question asks who, and the answer names no one.")
            return _refusal_showing(checked), True, checked
        if kept_off_the_question(question, checked):
            notes.append("What the answer kept does not speak to what the question asks.")
            return _refusal_showing(checked), True, checked
        # "Does the license come with a warranty?": the judge reads "No" as its own answer, so
        # yes/no questions are not put to it.
        asks = (
            judge is not None
            and checked.sentences
            and not is_yes_no_question(question)
            and not speaks_to(question, checked.text)
        )
        answered = judge.answered(question) if asks else None
        if answered is not None and answered < ANSWERED_THRESHOLD:
            notes.append("The passages were judged not to answer the question itself.")
            quoted = _refusal_quoting(question, prompt.passages)
            if not quoted.spans:  # no sentence stands out: the checked sentences, as they are
                return _refusal_showing(checked), True, checked
            checks.append(f"The answer withheld: {checked.text}")
            return quoted.text, True, quoted
        return checked.text, False, checked

    def answer(self, question: str, history: Sequence[dict] | None = None, **overrides) -> Answer:
        result = None
        for item in self.stream(question, history, **overrides):
            result = item
        assert isinstance(result, Answer)
        return result
