"""Claims and questions + the answer's prompt -> the answering model's judgement of them.

Each judgement is one short question put after the same system message, question and passages
as the answer's prompt, so llama.cpp reuses their KV cache and reads only the few new tokens. The
answer is not generated: the probability of "Yes" against "No" as the next token is read, so a
threshold can be set by measurement. Models that expose no token probabilities (some servers)
give None, and the lexical check alone decides. The year of one event is the one question the
model answers in words (a few tokens): asked one event at a time, it finds years it misses when
asked for two at once. So is the name of a thing a question describes ("the framework that
surpassed TensorFlow"): asked alone, before the question, the model names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.arithmetic import year_in
from chatbot.llm import LLM
from chatbot.prompting import Prompt, neutralise
from chatbot.sentences import without_markers

_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)

CLAIM_QUESTION = (
    'Statement: "{claim}"\n\n'
    "Is this statement true according to the passages above (one passage or several together)? "
    "Answer Yes or No."
)
ANSWERED_QUESTION = 'Do the passages above answer this question: "{question}"? Answer Yes or No.'
NAME_QUESTION = (
    'Answer this question from the passages above with a name only, or "none": {question}'
)
# The sentence is quoted after the question when the model named something else (or gave another
# year) the first time.
NAME_IN_SENTENCE = ' (The passage sentence: "{sentence}")'
YEAR_QUESTION = (
    'What year do the passages above give for {event}? Reply with the year only, or "none".'
)
# Asked once more when the reply to YEAR_QUESTION is neither a year nor "none": the small model
# sometimes replies "1" (a passage of numbered steps before it), and then gives the year to this.
YEAR_AGAIN = (
    "What year do the passages above give for {event}? "
    'Reply with the four-digit year only, or "none".'
)


@dataclass
class Judge:
    """Yes/no judgements over one prompt's passages, by the model that answers from them."""

    llm: LLM
    prompt: Prompt
    calls: int = 0  # judgements asked of the model, one short call each

    def _ask(self, question: str) -> float | None:
        yes_probability = getattr(self.llm, "yes_probability", None)
        if yes_probability is None:
            return None
        self.calls += 1
        return yes_probability(self.prompt.asking(question))

    def claim(self, sentence: str) -> float | None:
        """Probability that the passages state the sentence."""
        return self._ask(CLAIM_QUESTION.format(claim=" ".join(sentence.split())))

    def answered(self, question: str) -> float | None:
        """Probability that the passages answer the question at all."""
        return self._ask(ANSWERED_QUESTION.format(question=" ".join(question.split())))

    def year(self, event: str, sentence: str | None = None) -> int | None:
        """The year the model reads in the passages for one event ("the release of Scikit-learn"),
        or None. `sentence`, the passage sentence that dates the event, is quoted after the
        question when the model gave a year no passage says of it the first time."""
        event = " ".join(event.split())
        quoted = NAME_IN_SENTENCE.format(sentence=neutralise(sentence)) if sentence else ""
        for question, tokens in ((YEAR_QUESTION, 8), (YEAR_AGAIN, 16)):
            self.calls += 1
            request = self.prompt.asking(question.format(event=event) + quoted)
            reply = "".join(self.llm.stream_chat(request, tokens, 0.0))
            year = year_in(reply)
            if year is not None or "none" in reply.lower():
                return year
        return None

    def name(self, question: str, sentence: str | None = None) -> str | None:
        """The name the model reads in the passages as the answer to a short "Which …?" question,
        or None (no name, or a reply too long to be one). `sentence`, the passage sentence that
        states what the question asks, is quoted after it."""
        self.calls += 1
        asked = " ".join(question.split())
        if sentence:
            asked += NAME_IN_SENTENCE.format(sentence=neutralise(" ".join(sentence.split())))
        request = self.prompt.asking(NAME_QUESTION.format(question=asked))
        reply = "".join(self.llm.stream_chat(request, 12, 0.0)).strip().splitlines()
        name = without_markers(reply[0]).strip(" \"'“”‘’.") if reply else ""
        if not name or name.lower().startswith("none") or len(name.split()) > 5:
            return None
        # "The MIT license" goes inside a question and a note: "the" there, not "The".
        return _LEADING_ARTICLE.sub(lambda article: article.group(0).lower(), name)
