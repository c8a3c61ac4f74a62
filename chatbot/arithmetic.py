"""Years between two events, counted by code: the small model finds the years, not their difference.

"How many years passed between A and B?" is answered from the two years the checked answer gives
for A and B; a count of years the model wrote that is not their difference is set right, and a
missing one is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASKS_YEARS_BETWEEN = re.compile(
    r"\bhow many years\b|\bhow long (?:before|after|between|did|had|was|were)\b", re.IGNORECASE
)
_YEAR = re.compile(r"(?<![\d.,$\[])\b(1[5-9]\d\d|20\d\d)\b(?![\d%\]])")
_WORD_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
# "8 years", "eight-year", "2015 years apart", "[2] years" (a count the marker filter read as a
# citation is left alone: it is not a number in the text).
_COUNT = re.compile(r"\b(\d{1,4}|" + "|".join(_WORD_NUMBERS) + r")([- ])(years?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class YearsCounted:
    text: str
    note: str | None  # what was counted, for the reader; None when nothing was changed


def asks_for_years_between(question: str) -> bool:
    """How many years …? How long after …?: a count of years between two events."""
    return bool(_ASKS_YEARS_BETWEEN.search(question))


def _value(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS.index(word.lower())


def _unit(count: int, joiner: str) -> str:
    """The unit after a count: "8 years", "1 year", "8-year"."""
    return "year" if count == 1 or joiner == "-" else "years"


def count_years(question: str, answer: str, add: bool = True) -> YearsCounted:
    """The answer with the years between the two years it gives counted right, and with the count
    added when it gives none (unless not `add`).

    Only an answer giving exactly two different years is touched: with one year there is nothing
    to count from, with three the code cannot tell which two the question means.
    """
    if not asks_for_years_between(question):
        return YearsCounted(answer, None)
    counts = list(_COUNT.finditer(answer))
    counted = {m.start(1) for m in counts}
    years = sorted({int(m.group(1)) for m in _YEAR.finditer(answer) if m.start(1) not in counted})
    if len(years) != 2:
        return YearsCounted(answer, None)
    first, last = years
    difference = last - first
    note = f"The years between {first} and {last} were counted: {last} − {first} = {difference}."
    wrong = [m for m in counts if _value(m.group(1)) != difference]
    if (counts and not wrong) or (not counts and not add):
        return YearsCounted(answer, None)
    if wrong:
        fixed = _COUNT.sub(
            lambda m: (
                m.group(0)
                if _value(m.group(1)) == difference
                else f"{difference}{m.group(2)}{_unit(difference, m.group(2))}"
            ),
            answer,
        )
        return YearsCounted(fixed, note)
    counted_text = f"That is {difference} {_unit(difference, ' ')}, from {first} to {last}."
    return YearsCounted(f"{answer.rstrip()} {counted_text}", note)
