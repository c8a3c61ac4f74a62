"""An answer sentence against the passage sentence it rests on: does it say the opposite?

The small model answers yes/no questions with the passage's own words and the wrong polarity:
"Yes, the MIT license makes the authors liable for damages" beside "IN NO EVENT SHALL THE AUTHORS
… BE LIABLE FOR ANY CLAIM, DAMAGES …". Every word is in the passage, and the claim judge says yes
to it. What the check by words can see is the negation: a word of the question is said under a
"no", "not", "never" or "without" in one sentence and plainly in the other, within its clause.
"""

from __future__ import annotations

import re

from chatbot.retrieval import Passage
from chatbot.sentences import sentence_spans
from chatbot.verification import SUPPORTED, content_forms, key_terms, without_names

# "without" governs the words up to the next comma ("without restriction, including …");
# "no", "not", "never" the rest of their clause ("IN NO EVENT SHALL THE AUTHORS … BE LIABLE FOR ANY
# CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER …"). "free of charge" and "not only" negate nothing.
_WITHOUT = re.compile(r"\bwithout\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not(?! only)|no(?!-)|never|nor|cannot)\b|n['’]t\b", re.IGNORECASE)
# Where a clause ends: a colon or semicolon, a bracket, or a comma before a new clause ("…, and you
# may offer …", "…, except as required …"); a comma inside a list does not end it.
_CLAUSE_END = re.compile(
    r"[;:()]|,\s+(?=(?:and|or|but|whether|which|who|unless|except|provided|while|whereas|so)\b)",
    re.IGNORECASE,
)
# The answer's own "Yes," or "No," is its verdict, not part of the claim it states.
_VERDICT = re.compile(r"^\s*(?:yes|no)\b[,.!]?\s*", re.IGNORECASE)


def polar_forms(sentence: str) -> tuple[set[str], set[str]]:
    """(the content words' dictionary forms said plainly, those said under a negation): "you may
    not sublicense it" -> ({"may"}, {"sublicense"}). A form said both ways is in neither."""
    plain: set[str] = set()
    negated: set[str] = set()
    for clause in _CLAUSE_END.split(_VERDICT.sub("", sentence)):
        for part in clause.split(","):  # a "without" reaches the comma after it
            without = _WITHOUT.search(part)
            if without:
                plain |= content_forms(part[: without.start()])
                negated |= content_forms(part[without.end() :])
                part = ""
            clause_negation = _NEGATION.search(part)
            if clause_negation is None:
                plain |= content_forms(part)
                continue
            plain |= content_forms(part[: clause_negation.start()])
            rest = clause[clause.index(part) + clause_negation.end() :]  # to the clause's end
            negated |= content_forms(_WITHOUT.split(rest)[0])
            break
    return plain - negated, negated - plain


def said_the_other_way(
    question: str, sentence: str, passages: list[Passage]
) -> tuple[int, int, int] | None:
    """The passage sentence (passage number, start, end in the chunk) that `sentence` rests on
    and says the opposite of, on a word the question asks about; None when there is none. The
    sentence rested on is the one holding most of the answer sentence's key terms, names and
    numbers included, at least half of them: a sentence on another point ("There is no warranty
    for this free software" for "you may offer warranty protection for a fee") is not the one
    rested on."""
    asked = content_forms(without_names(question))
    claim = _VERDICT.sub("", sentence)
    claimed = key_terms(claim)  # names and numbers too: they tell which sentence it rests on
    best, most = None, (0, 0)
    for n, passage in enumerate(passages, start=1):
        text, titled = passage.chunk.text, key_terms(passage.where)  # "MIT License" is said
        for a, b in sentence_spans(text):
            said = text[a:b]
            # Of two holding as much of the claim, the one saying more of what is asked.
            held = (len(claimed & (key_terms(said) | titled)), len(asked & content_forms(said)))
            if held > most:
                best, most = (n, a, b), held
    if best is None or most[0] < SUPPORTED * len(claimed):
        return None
    n, a, b = best
    plain, negated = polar_forms(sentence)
    said_plain, said_negated = polar_forms(passages[n - 1].chunk.text[a:b])
    # The asked words both sentences say one way or the other: most of them turned, or it is no
    # reversal ("the authors are not liable for damages" beside "IN NO EVENT SHALL THE AUTHORS …
    # BE LIABLE FOR ANY CLAIM, DAMAGES …" agrees on two words, though "authors" stands before the
    # negation in one and after it in the other).
    both = asked & (plain | negated) & (said_plain | said_negated)
    turned = both & ((plain & said_negated) | (negated & said_plain))
    return best if len(turned) > len(both - turned) else None
