"""Years between two events, counted by code: the small model finds the years, not their difference.

"How many years passed between A and B?" is answered from the two years the checked answer gives
for A and B; a count of years the model wrote that is not their difference is set right, and a
missing one is added. When the answer does not give the two years, the question is split into its
two events, so that the model can be asked for the year of each alone (chatbot.judging), and the
answer is written from those years and the passage sentences that hold them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.sentences import REFERS_BACK

_ASKS_YEARS_BETWEEN = re.compile(
    r"\bhow many years\b|\bhow long (?:before|after|between|did|had|was|were)\b", re.IGNORECASE
)
_YEAR = re.compile(r"(?<![\d.,$\[])\b(1[5-9]\d\d|20\d\d)\b(?![\d%\]])")
_WORD_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
# "8 years", "eight-year", "2015 years apart" ("[2] years" was made "2 years" before: see
# chatbot.sentences.counts_out_of_brackets).
_COUNT = re.compile(r"\b(\d{1,4}|" + "|".join(_WORD_NUMBERS) + r")([- ])(years?)\b", re.IGNORECASE)


# "between A and B", "separate A from B", "from A to B", "after A did B (appear)".
_TWO_EVENTS = (
    re.compile(r"\bbetween (?P<a>.+?) and (?P<b>.+?)(?:,|\?|$)", re.IGNORECASE),
    re.compile(r"\bseparate (?P<a>.+?) (?:from|and) (?P<b>.+?)(?:,|\?|$)", re.IGNORECASE),
    re.compile(r"\bfrom (?P<a>.+?) (?:to|until|till) (?P<b>.+?)(?:,|\?|$)", re.IGNORECASE),
    # Up to the last auxiliary: "after the GNU GPL was introduced | was | GitHub founded".
    re.compile(
        r"\b(?:after|before) (?P<a>.+),? (?P<aux>did|was|were|had|do|does) "
        r"(?P<b>[^,?]+?)(?:,|\?|$)",
        re.IGNORECASE,
    ),
)
# An event worded as a clause ("the GNU GPL was introduced", "GitHub was founded") takes its year
# after it: "… was introduced in 1989", not "… was introduced was in 1989".
_CLAUSE = re.compile(r"\b(?:was|were|is|are)\s+\w+$|\w(?:ed|en)$", re.IGNORECASE)
_PARTICIPLE = re.compile(r"\s(\w+(?:ed|en))$")
_HAPPENED = re.compile(
    r"\s+(?:appear|happen|occur|arrive|follow|come out|take place|launch|start|begin)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Dated:
    """An event of the question, the year a passage gives it, and where."""

    event: str  # as the question puts it: "the release of Scikit-learn"
    year: int
    passage: int  # the passage number [n] whose sentence holds the year with the event's names


@dataclass(frozen=True)
class YearsCounted:
    text: str
    note: str | None  # what was counted, for the reader; None when nothing was changed


def asks_for_years_between(question: str) -> bool:
    """How many years …? How long after …?: a count of years between two events."""
    return bool(_ASKS_YEARS_BETWEEN.search(question))


def _refers_back(event: str) -> bool:
    first = re.match(r"[A-Za-z]+", event)
    return bool(first) and first.group(0).lower() in REFERS_BACK


def two_events(question: str) -> tuple[str, str] | None:
    """The two events a "how many years between …" question names, as it words them; None when
    it names fewer, or refers back to an earlier one ("before TensorFlow did it appear")."""
    if not asks_for_years_between(question):
        return None
    for pattern in _TWO_EVENTS:
        found = pattern.search(question)
        if found:
            events = tuple(_HAPPENED.sub("", found.group(e).strip()) for e in ("a", "b"))
            aux = found.groupdict().get("aux", "").lower()
            if aux in ("was", "were"):  # "was GitHub founded" -> "GitHub was founded"
                events = (events[0], _PARTICIPLE.sub(rf" {aux} \1", events[1]))
            if all(events) and not any(_refers_back(e) for e in events):
                return events
    return None


def years_given(answer: str) -> list[int]:
    """The different years an answer gives, in order, counts of years ("8 years") aside."""
    counted = {m.start(1) for m in _COUNT.finditer(answer)}
    return sorted({int(m.group(1)) for m in _YEAR.finditer(answer) if m.start(1) not in counted})


def year_in(text: str) -> int | None:
    """The first year written in text ("2007", "2007 [2]"), or None."""
    found = _YEAR.search(text)
    return int(found.group(1)) if found else None


def counted_from(first: Dated, second: Dated) -> str:
    """The answer written from two dated events: each year with its passage, then the count."""
    (early, late), lead = sorted((first.year, second.year)), first.event[:1].upper()
    difference = late - early
    was = "" if _CLAUSE.search(first.event) else " was"
    return (
        f"{lead}{first.event[1:]}{was} in {first.year} [{first.passage}], and {second.event} in "
        f"{second.year} [{second.passage}]. That is {difference} {_unit(difference, ' ')}, "
        f"from {early} to {late}."
    )


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
    years = years_given(answer)
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
