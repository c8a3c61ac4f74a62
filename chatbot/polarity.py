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
from chatbot.verification import NEGATION, SUPPORTED, content_forms, key_terms, without_names

# "without" governs the words up to the next comma ("without restriction, including …");
# "no", "not", "never" (verification.NEGATION) the rest of their clause ("IN NO EVENT SHALL THE
# AUTHORS … BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER …").
_WITHOUT = re.compile(r"\bwithout\b", re.IGNORECASE)
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
        start = 0
        for part in clause.split(","):
            end = start + len(part)
            negation, without = NEGATION.search(part), _WITHOUT.search(part)
            if negation and not (without and without.start() < negation.start()):
                plain |= content_forms(part[: negation.start()])  # the rest of the clause
                negated |= content_forms(_WITHOUT.split(clause[start + negation.end() :])[0])
                break
            if without:  # to the comma after it
                plain |= content_forms(part[: without.start()])
                negated |= content_forms(part[without.end() :])
            else:
                plain |= content_forms(part)
            start = end + 1
    return plain - negated, negated - plain


def said_the_other_way(
    question: str, claims: list[str], passages: list[Passage]
) -> list[tuple[int, int, int]]:
    """The passage sentences (passage number, start, end in the chunk) that the answer's
    sentences rest on and say the opposite of, on a word the question asks about, each once.
    The sentence a claim rests on is the one holding most of its key terms, names and numbers
    included, at least half of them: a sentence on another point ("There is no warranty for this
    free software" for "you may offer warranty protection for a fee") is not the one rested on."""
    if not claims:
        return []
    asked = content_forms(without_names(question))
    read = []  # each passage sentence once, whatever the number of claims
    for n, passage in enumerate(passages, start=1):
        titled = key_terms(passage.where)  # "MIT License" is said by its document's title
        for a, b in sentence_spans(passage.chunk.text):
            said = passage.chunk.text[a:b]
            read.append(((n, a, b), said, key_terms(said) | titled, content_forms(said)))
    found: list[tuple[int, int, int]] = []
    for claim in claims:
        claimed = key_terms(_VERDICT.sub("", claim))  # names too: they tell which one it rests on
        best, most = None, (0, 0)
        for where, said, terms, forms in read:
            # Of two holding as much of the claim, the one saying more of what is asked.
            held = (len(claimed & terms), len(asked & forms))
            if held > most:
                best, most = (where, said), held
        if best is None or most[0] < SUPPORTED * len(claimed) or best[0] in found:
            continue
        if _turned(asked, claim, best[1]):
            found.append(best[0])
    return found


def _turned(asked: set[str], claim: str, said: str) -> bool:
    """Whether most of the asked words both sentences say one way or the other are turned: "the
    authors are not liable for damages" beside "IN NO EVENT SHALL THE AUTHORS … BE LIABLE FOR ANY
    CLAIM, DAMAGES …" agrees on two words, though "authors" stands before the negation in one and
    after it in the other."""
    plain, negated = polar_forms(claim)
    said_plain, said_negated = polar_forms(said)
    both = asked & (plain | negated) & (said_plain | said_negated)
    turned = both & ((plain & said_negated) | (negated & said_plain))
    return len(turned) > len(both - turned)
