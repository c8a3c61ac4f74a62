"""Answer text + the passages it was given -> every sentence checked, citations set right.

Two passes. The lexical pass looks up each sentence's key terms (content words, every number, every
name) in the passages, one passage or two together, with the words the question already gives
counting as given; a name or number that no passage holds (and no difference of two passage numbers
explains) rules the sentence out. The semantic pass, when a judge is given, asks the answering model
whether the passages state the sentence (chatbot.judging) and decides by that probability: it sees
meaning, so a claim stitched from passage words is caught and a claim joining two passages passes.
Unsupported sentences are removed; kept ones cite the passages that hold them, each citation with
its support and the exact supporting sentence as offsets into the document.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN_PLUS

from chatbot.arithmetic import year_in
from chatbot.opposites import base_forms, forms_of, kin, opposites, words_of
from chatbot.retrieval import Passage
from chatbot.sentences import (
    MARKER,
    REFERS_BACK,
    markers_before_stop,
    sentence_spans,
    with_markers,
    without_markers,
)

SUPPORTED = 0.5  # share of a sentence's key terms a passage (or two together) must hold
# Probability of "yes" from the judge at or above which a sentence counts as stated by the
# passages; chosen on the dev sets (docs/evaluation.md).
CLAIM_THRESHOLD = 0.5
# Words that carry no claim: bm25s's English stop words, and the words answers use to talk about
# their sources and the question.
_STOP_WORDS = frozenset(STOPWORDS_EN_PLUS) | {
    "according",
    "also",
    "answer",
    "could",
    "document",
    "documents",
    "hence",
    "mentioned",
    "number",
    "passage",
    "passages",
    "question",
    "say",
    "says",
    "stated",
    "states",
    "therefore",
    "thus",
    "would",
    "yes",
}
_POSSESSIVE = re.compile(r"['’]s$")
_DIGIT = re.compile(r"\d")
# A word may carry digits after its first letter ("GPT-4", "R1"): a name, not a number.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z](?:[A-Za-z0-9'’]|-(?=[A-Za-z0-9]))*")
# A name with a describing word hyphened on ("MIT-licensed", "Google-backed", "GPL-compatible"):
# the name is what comes before it. Other tails belong to the name ("Scikit-learn", "GPT-4").
_DESCRIPTIVE_TAIL = re.compile(r"-[a-z]*(?:ed|en|ing|like|style|compatible)$")
# Talk about the prompt's passages, which the reader never sees: "The passage [1] states that …".
# "as stated", "which is mentioned": what the model writes before naming its source.
_AS_SAID = r"(?:as|which is)\s+(?:stated|mentioned|noted|described|shown|found)"
_SOURCE_LEAD = re.compile(
    r"^((?:however|also|moreover|in addition|instead),\s*)?"
    r"(?:(?:according to|as (?:stated|mentioned|noted|described) in|based on|in|per) "
    r"(?:the )?(?:given |provided )?passages?(?:\s*\[\d{1,3}\])*(?: from)?(?:\s*\[\d{1,3}\])*"
    r"\s*,?\s*"
    r"|(?:the|this) (?:given |provided )?passages?(?:\s*\[\d{1,3}\])*(?: from)?"
    r"(?:\s*\[\d{1,3}\])*\s+(?:also\s+|further\s+|additionally\s+)?"
    r"(?:states?|says?|mentions?|notes?|explains?|indicates?)(?: that)?,?\s+"
    # "This can be seen in the passage from [1], which states that X"
    # "This is explained in the first passage, which states that X"
    r"|(?:this|it) (?:can be |is )(?:seen|found|stated|mentioned|shown|explained|described|noted)"
    r" in (?:the )?(?:first |second |third |fourth |fifth |last |above )?passages?"
    r"(?:\s*\[\d{1,3}\])*(?: from)?(?:\s*\[\d{1,3}\])*,?\s+(?:which|that|where it) "
    r"(?:states?|says?|mentions?)(?: that)?,?\s+)",
    re.IGNORECASE,
)
# Where one sentence joins two claims: each is checked against its own subject.
# "X did A, and Y did B"; "X did A, which was B's cost"; "X did A in 2015 and that Y did B";
# "… and in 2023, Y …": "and" before a new subject (a capitalised word then a lower-case one) or a
# new date.
_CLAUSE_BREAK = re.compile(
    r",\s+(?:and|but|while|whereas|which|who)\s+|;\s+"
    r"|\s+and\s+(?:that\s+)?(?=(?:in|by)\s+\d{4}\b|[A-Z][\w.-]*\s+[a-z])"
)
_AND_THAT = re.compile(r",?\s+and that\s+")
_QUESTION_CLAUSE = re.compile(r"[,;:]\s+")
_LISTED = re.compile(r"\s+(?:and|or)\s+")
_OPENS_WITH_NO = re.compile(r"\s*no\b", re.IGNORECASE)
_PASSAGES = re.compile(r"\b(?:the )?(?:given |provided |above )?passages?\b", re.IGNORECASE)
# A sentence whose subject is the passages ("The passage provides …", "These passages do not …"):
# what the cleaning of "The passage states that X" leaves of it says nothing about the world.
_ON_PASSAGES = re.compile(
    r"^(?:the|this|these|that|none of the|neither) (?:given |provided |above |other )?passages?\b",
    re.IGNORECASE,
)
_NOT_ANSWERED = re.compile(
    r"\b(?:not|n't|never|no)\b.*\b(?:answer|address)\w*\b.*\bquestion\b", re.IGNORECASE
)
# Markers the model wrote as the object of a sentence's last words, where they read as nouns:
# "…, in both [1] and [2]." or "… was published in [1]." leave "in both and" or "published in"
# once markers are gone ("…, as stated in [1]." goes whole); the markers go back at the end.
_MARKERS_AS_WORDS = re.compile(
    rf",?\s*(?:\b{_AS_SAID}\s+)?"
    r"\b(?:in|from|by|see)\s+(?:both\s+)?(?:(?:the\s+)?passages?\s+(?:and\s+)?)?"
    r"\[\d{1,3}\](?:\s*(?:,\s*)?(?:(?:and|or|&)\s+)?\[\d{1,3}\])*(?=\s*[.!?]?\s*$)",
    re.IGNORECASE,
)
_ABOUT_SOURCES = re.compile(r"\bpassages?\b|\b(?:stated|mentioned|noted|found) in\b", re.IGNORECASE)
_SOURCE_TAIL = re.compile(
    r",?\s*(?:"
    rf"{_AS_SAID}\s+in"
    r"(?:\s+(?:the\s+)?passages?(?:\s+from)?)?"
    r"|(?:as|which is|this is)\s+(?:consistent|in line|in accordance)\s+with"
    r"|(?:as|which is)\s+(?:evidenced|shown|supported|indicated|demonstrated)\s+by"
    r"|(?:which is\s+)?(?:(?:according to|per|in|from)\s+)?(?:the\s+)?(?:given\s+)?passages?"
    r"(?:\s+from)?"
    r")(?:\s*\[\d{1,3}\])*(?=\s*[.!?]?\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SentenceCheck:
    text: str  # the sentence as written, markers removed
    support: float  # share of its key terms in its best passage or pair (1.0 with none)
    judged: float | None = None  # the judge's probability that the passages state it
    supported: bool = True
    stray: bool = False  # nothing but stray words (see stray_terms): no claim of its own


@dataclass(frozen=True)
class Verification:
    text: str  # the answer with unsupported sentences removed and markers set right
    sentences: tuple[SentenceCheck, ...]
    support: dict[int, float]  # passage number -> best support it gives a sentence citing it
    # passage number -> the sentences of it that support the answer, as document offsets
    spans: dict[int, tuple[tuple[int, int], ...]]
    reattributed: int
    dropped: int
    added: int
    strays: tuple[str, ...] = ()  # words taken out: only passage text unrelated to it holds them
    # sentences about the passages rather than the world ("The passage provides …"), left out
    about_passages: tuple[str, ...] = ()
    # one of them says the passages do not answer the question: the model's own refusal
    admits_unanswered: bool = False
    # sentences that say again what a sentence before them said, left out
    repeats: tuple[str, ...] = ()
    # questions the draft asks (the small model may echo the question back), left out
    questions: tuple[str, ...] = ()

    @property
    def unsupported(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.sentences if not s.supported and not s.stray)

    @property
    def anything_supported(self) -> bool:
        return any(s.supported for s in self.sentences)


def key_terms(text: str) -> set[str]:
    """Content words cut to six letters (so 'licenses' meets 'license'), and numbers whole."""
    terms = set()
    for word in _WORD.findall(text):
        word = _POSSESSIVE.sub("", word.lower()).strip("'’-")
        if word[:1].isdigit():
            terms.add(word.rstrip(".,"))
        elif len(word) > 2 and word not in _STOP_WORDS:
            terms.add(word[:6])
    return terms


def _name_part(word: str) -> str:
    """The word without a describing word hyphened on: "MIT-licensed" -> "MIT"."""
    return _DESCRIPTIVE_TAIL.sub("", _POSSESSIVE.sub("", word)) if word[:1].isupper() else word


def name_terms(text: str) -> set[str]:
    """Key terms of the capitalised words after a sentence's first word: names such as
    'Canberra', which a passage must hold for the sentence to rest on it. Acronyms are left out:
    'GPL' stands for words the passage spells out."""
    words = map(_name_part, _WORD.findall(text)[1:])
    return {
        term
        for w in words
        if (w[:1].isupper() and not w.isupper()) or (w[:1].isalpha() and _DIGIT.search(w))
        for term in key_terms(w)
    }


def capitalised_terms(text: str) -> set[str]:
    """Key terms of every capitalised word, the sentence's first included ("DeepSeek ...")."""
    return {term for word in _WORD.findall(text) if word[:1].isupper() for term in key_terms(word)}


def closest_sentence(text: str, passages: list[Passage]) -> tuple[int, str] | None:
    """The passage sentence sharing more key terms with text (a question) than any other, as
    (passage number, sentence); None when none stands out — a tie points at the wrong one as often
    as at the right one."""
    closest = closest_span(text, passages)
    if closest is None:
        return None
    n, a, b = closest
    return n, " ".join(passages[n - 1].chunk.text[a:b].split())


def closest_span(
    text: str, passages: list[Passage], by_names: bool = False, saying: int = 0
) -> tuple[int, int, int] | None:
    """closest_sentence's sentence as (passage number, start, end in the chunk). With `by_names`,
    the sentence holding most of the text's names comes first, then most of its other words, and
    of sentences alike in both the first found is taken (all name what the text names); only
    sentences holding at least `saying` words the text does not are candidates."""
    asked = key_terms(text)
    names = {n for group in _named_groups(text) for name in group for n in key_terms(name)}
    scored = sorted(
        (
            ((len(names & terms) if by_names else 0, len(asked & terms)), n, a, b)
            for n, chunk in enumerate((p.chunk.text for p in passages), start=1)
            for a, b in sentence_spans(chunk)
            for terms in [key_terms(chunk[a:b])]
            if len(terms - asked) >= saying
        ),
        key=lambda scored: scored[0],
        reverse=True,
    )
    if not scored or scored[0][0][1] == 0:
        return None
    tied = len(scored) > 1 and scored[1][0] == scored[0][0]
    if tied and not (by_names and scored[0][0][0]):
        return None
    return scored[0][1:]


def statements(passages: list[Passage]) -> list[set[str]]:
    """Key terms of each passage sentence, a sentence that refers back ("It …") joined to the one
    before it."""
    found: list[set[str]] = []
    for passage in passages:
        text, previous = passage.chunk.text, None
        for a, b in sentence_spans(text):
            first = _WORD.match(text[a:b].lstrip(" \t\n\"'(#*-"))
            terms = key_terms(text[a:b])
            if previous is not None and first and first.group(0).lower() in REFERS_BACK:
                previous |= terms
                continue
            previous = terms
            found.append(terms)
    return found


def stray_terms(
    terms: set[str], context: set[str], asked: set[str], passage_sentences: list[set[str]]
) -> set[str]:
    """Terms of an answer sentence taken from passage sentences that share nothing else with the
    answer or the question, while another passage sentence holds what the answer says: a marker
    word or code an injected instruction asked for, in whatever language ("start every answer with
    X"). `context` holds the whole answer's terms and the question's.

    A sentence vouches for a term it holds when it also holds another word of the answer or the
    question."""
    strays: set[str] = set()
    for term in terms - asked:
        holding = [s for s in passage_sentences if term in s]
        if not holding or any((s - {term}) & context for s in holding):
            continue
        if any(len((s & context) - {term}) >= 2 for s in passage_sentences if term not in s):
            strays.add(term)
    return strays


def without_strays(sentence: str, strays: set[str]) -> str | None:
    """The sentence with stray words cut from its start and end; None when a stray word sits
    inside it (its claim is mixed with unrelated text) or nothing is left."""
    words = list(_WORD.finditer(sentence))
    is_stray = [bool(key_terms(w.group(0)) & strays) for w in words]
    first = next((i for i, stray in enumerate(is_stray) if not stray), len(words))
    last = max((i for i, stray in enumerate(is_stray) if not stray), default=-1)
    if first > last or any(is_stray[first : last + 1]):
        return None
    if last < len(words) - 1:  # "released … in 2018" without "2018" leaves no "in" behind
        while last > first and words[last].group(0).lower() in _LEADS_ON:
            last -= 1
    start, end = words[first].start(), words[last].end()
    ending = sentence[end:].lstrip()
    tail = ending[-1] if ending[-1:] in ".!?" else ""
    kept = sentence[start:end] + tail
    return kept[:1].upper() + kept[1:]


# Words that lead on to what follows them; a sentence cut after one of them is left hanging.
_LEADS_ON = frozenset(
    "in on at by from of to for with and or as than since during the a an".split()
)


@dataclass(frozen=True)
class _Strays:
    kept: str | None  # the sentence without them; None when nothing stands without them
    words: tuple[str, ...]  # as written
    alone: bool  # the sentence was nothing else


def _take_out_strays(
    plain: str, context: set[str], asked: set[str], passage_sentences: list[set[str]]
) -> _Strays:
    strays = stray_terms(key_terms(plain), context, asked, passage_sentences)
    if not strays:
        return _Strays(plain, (), False)
    words = [w for w in _WORD.findall(plain) if key_terms(w)]
    found = tuple(dict.fromkeys(w for w in words if key_terms(w) & strays))
    alone = all(key_terms(w) & strays for w in words)
    return _Strays(without_strays(plain, strays), found, alone)


def _is_number(term: str) -> bool:
    return term[:1].isdigit()


def _as_number(term: str) -> float | None:
    try:
        return float(term.replace(",", ""))
    except ValueError:
        return None


def derived_numbers(passage_terms: set[str]) -> set[str]:
    """Differences of two numbers the passages hold (years between two events): an answer may
    compute them."""
    values = {v for v in map(_as_number, filter(_is_number, passage_terms)) if v is not None}
    return {
        f"{abs(a - b):g}" for a, b in itertools.combinations(values, 2) if 0 < abs(a - b) < 1000
    }


def support(terms: set[str], passage_terms: set[str]) -> float:
    """Share of the sentence's terms in the passage; a number the passage lacks rules it out."""
    if not terms:
        return 1.0
    if any(_is_number(t) and t not in passage_terms for t in terms):
        return 0.0
    return len(terms & passage_terms) / len(terms)


def _asks(sentence: str) -> bool:
    """A question: an answer states, it does not ask (the small model may echo the question)."""
    return sentence.rstrip("\"'”’) ").endswith("?")


def clean_source_talk(sentence: str) -> str:
    """The sentence without talk about "the passages" ("The passage [1] states that X" -> "X")."""
    stripped = sentence.strip()
    lead = _SOURCE_LEAD.match(stripped)
    if lead and lead.end() < len(stripped):
        connective, rest = lead.group(1) or "", stripped[lead.end() :]
        if lead.group(0).rstrip().endswith("that"):  # "states that X and that Y" -> "X and Y"
            rest = _AND_THAT.sub(" and ", rest)
        stripped = connective + rest if connective else rest[:1].upper() + rest[1:]
    # Twice: "…, as evidenced by the passage." loses "the passage", then "as evidenced by".
    return _SOURCE_TAIL.sub("", _SOURCE_TAIL.sub("", stripped))


def passages_as_documents(text: str) -> str:
    """A refusal in the model's words, speaking of "the documents" rather than of the prompt's
    "passages", which the reader never sees."""
    return _PASSAGES.sub("the documents", text)


def _adds_enough(new: set[str], names: set[str]) -> bool:
    """Whether what a second sentence or passage adds to a claim's support is worth pointing at: a
    name, a number, or two terms. One shared common word ("made") adds nothing."""
    return len(new) >= 2 or bool(new & names) or any(map(_is_number, new))


def supporting_spans(
    terms: set[str], names: set[str], passage: Passage, most: int = 3
) -> tuple[tuple[int, int], ...]:
    """Document offsets of the passage sentences that hold the answer sentence: the one sharing
    most of its terms, then each that adds what those before lack (a claim may rest on two
    sentences) — a name, a number, or two more terms, so a shared common word adds nothing."""
    text = passage.chunk.text
    found = [(a, b, key_terms(text[a:b]) & terms) for a, b in sentence_spans(text)]
    chosen: list[tuple[int, int]] = []
    covered: set[str] = set()
    while found and len(chosen) < most:
        a, b, held = max(found, key=lambda sentence: len(sentence[2] - covered))
        new = held - covered
        if not new or (chosen and not _adds_enough(new, names)):
            break
        chosen.append((a, b))
        covered |= held
    if not chosen:  # nothing in common: the passage as a whole
        chosen = [(0, len(text))]
    return tuple(sorted((passage.chunk.start + a, passage.chunk.start + b) for a, b in chosen))


@dataclass(frozen=True)
class _Lexical:
    single: list[float]  # support of each passage alone
    held: list[set[str]]  # the sentence's checked terms each passage holds
    held_in_text: list[set[str]]  # of those, the ones in its text rather than its title
    capitals: set[str]  # key terms of the sentence's capitalised words, its first included
    joint: float  # best support of one passage or two together, each adding enough to the other
    joint_passages: tuple[int, ...]  # their indexes
    # support of each passage alone for the whole sentence, the question's words included
    whole: list[float]
    vetoed: bool  # a name or number no passage holds, or a claim no passage makes about its subject


_Window = tuple[set[str], frozenset[str]]  # key terms of two sentences; of their document's title


_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+")


def _initialisms(text: str) -> set[str]:
    """The acronyms a run of capitalised words spells ("GNU General Public License" -> "gpl",
    "ggp", …), so that a question's "GPL" meets the passage that writes it out."""
    found = set()
    for run in _NAME_RUN.findall(text):
        initials = "".join(word[0] for word in run.split()).lower()
        found.update(
            initials[i:j] for i in range(len(initials)) for j in range(i + 2, len(initials) + 1)
        )
    return found


def _windows(passages: list[Passage]) -> list[_Window]:
    """Key terms of every two consecutive sentences of every passage: the reach of one claim. Each
    goes with its document's title, which every sentence of the document is about ("You must give
    any other recipients a copy of this License" is said of the Apache License). Acronyms their
    names spell count among them."""
    windows = []
    for passage in passages:
        text = passage.chunk.text
        about = frozenset(key_terms(passage.title) | _initialisms(passage.title))
        sentences = [
            key_terms(text[a:b]) | _initialisms(text[a:b]) for a, b in sentence_spans(text)
        ]
        pairs = [a | b for a, b in itertools.pairwise(sentences)] or sentences
        windows += [(pair, about) for pair in pairs]
    return windows


def _detached(
    terms: set[str],
    asked: set[str],
    names: set[str],
    subjects: set[str],
    windows: list[_Window],
    implied: bool = False,
) -> bool:
    """True when what the sentence adds to the question is never said near the question's subject:
    "EleutherAI was founded in 2015" where 2015 is another organisation's founding year. With
    `implied`, a sentence that does not name the subject is taken to be about it all the same.

    A name the sentence brings in that is said near the subject counts as near it too, so a claim
    may reach its subject through one link ("GPT-4 … OpenAI", "OpenAI … founded in 2015")."""
    anchors = (subjects & terms) or (subjects if implied else set())
    added = terms - asked
    if not anchors or not added:
        return False
    near = _near(lambda window: bool(anchors & window), names - anchors, windows)
    return not any(support(added, w) >= SUPPORTED for w in near)


def _near(
    mentions: Callable[[set[str]], bool], names: set[str], windows: list[_Window]
) -> list[set[str]]:
    """The windows that mention the subject (with their document's title), and those holding a
    name the sentence brings in that a window mentioning the subject holds too: one link."""
    linked = {n for n in names if any(n in w and mentions(w | about) for w, about in windows)}
    return [w for w, about in windows if mentions(w | about) or linked & (w | about)]


def _number_elsewhere(
    terms: set[str],
    asked: set[str],
    names: set[str],
    named: list[frozenset[str]],
    windows: list[_Window],
) -> bool:
    """True when a number the sentence adds to the question is never said where the question's
    name that the sentence uses is, whole: "The MIT License was first written in 1989" where
    1989 is said of the GNU General Public License and "MIT" only in a caption. Acronyms count as
    names here, met by the initials of the words they stand for ("GPL"); a name the sentence
    brings in that is said with the subject links to it, as in _detached."""
    numbers = {t for t in terms - asked if _is_number(t)}
    anchors = [name & terms for name in named if name & terms]
    if not numbers or not anchors:
        return False

    def names_one_whole(window: set[str]) -> bool:
        return any(anchor <= window for anchor in anchors)

    near = _near(names_one_whole, names - set().union(*anchors), windows)
    return not any(numbers <= w for w in near)


def _lexical(
    plain: str,
    asked: set[str],
    passage_terms: list[set[str]],
    text_terms: list[set[str]],
    subjects: set[str],
    windows: list[_Window],
    implied: bool = False,
    named: list[frozenset[str]] | None = None,
) -> _Lexical:
    """How much of the sentence (markers out) each passage holds, the best one or two, and whether
    a name, a number or a claim about its subject is held by none."""
    terms, names = key_terms(plain), name_terms(plain)
    clauses = [key_terms(clause) for clause in _CLAUSE_BREAK.split(plain)]
    everything = set().union(*passage_terms) if passage_terms else set()
    # A difference of two passage numbers is explained only as a count of years ("8 years").
    derived = derived_numbers(everything) if any(t.startswith("year") for t in terms) else set()
    invented = {n for n in names - asked if not any(n in t for t in passage_terms)}
    numbers = {t for t in terms if _is_number(t)}
    unexplained = numbers - everything - derived - asked
    windows = [(w | derived, about) for w, about in windows]
    vetoed = bool(invented or unexplained) or any(
        _detached(clause, asked, names & clause, subjects, windows, implied)
        or _number_elsewhere(clause, asked, names & clause, named or [], windows)
        for clause in clauses
    )
    # Words the question gives count as given; a sentence made only of them is judged whole.
    checked = (terms - asked) or terms
    single = [support(checked, t | derived) for t in passage_terms]
    held = [checked & (t | derived) for t in passage_terms]
    held_in_text = [checked & (t | derived) for t in text_terms]
    capitals = capitalised_terms(plain)
    joint, joint_passages = (max(single), (single.index(max(single)),)) if single else (0.0, ())
    for a, b in itertools.combinations(range(len(passage_terms)), 2):
        # Two passages hold a claim together only when each brings its own part of it.
        own_a, own_b = held[a] - held[b], held[b] - held[a]
        if not (_adds_enough(own_a, capitals) and _adds_enough(own_b, capitals)):
            continue
        together = support(checked, passage_terms[a] | passage_terms[b] | derived)
        if together > joint + 1e-9:
            joint, joint_passages = together, (a, b)
    whole = [support(terms, t | derived) for t in passage_terms] if checked != terms else single
    return _Lexical(single, held, held_in_text, capitals, joint, joint_passages, whole, vetoed)


def _citations(cited: list[int], lexical: _Lexical) -> list[int]:
    """Passage numbers a supported sentence cites: those it cited that hold it, else the passage
    (or the two) holding most of it, else what it cited that shares anything with it; then only
    those that each add their own part of it (_fewest_sources)."""
    return _fewest_sources(_candidates(cited, lexical), lexical)


def _candidates(cited: list[int], lexical: _Lexical) -> list[int]:
    kept = [_fuller(n, lexical) for n in cited if lexical.single[n - 1] >= SUPPORTED]
    pair = {i + 1 for i in lexical.joint_passages}
    if len(pair) == 2 and pair <= set(cited) and lexical.joint >= SUPPORTED:
        # It cited the two passages that hold it together: each keeps its citation.
        return list(dict.fromkeys([n for n in cited if n in pair] + kept))
    if kept or not lexical.single:
        return list(dict.fromkeys(kept))
    best = max(range(len(lexical.single)), key=lexical.single.__getitem__)
    if lexical.single[best] >= SUPPORTED:
        return [best + 1]
    if lexical.joint >= SUPPORTED:
        return sorted(i + 1 for i in lexical.joint_passages)
    # The judge found it stated in words the key terms miss: keep the model's own choice.
    shared = [n for n in cited if lexical.single[n - 1] > 0]
    if shared or lexical.single[best] > 0:
        return shared or [best + 1]
    # All it adds to the question is in other words ("may I charge" -> "allows you to charge"):
    # what it cited, else the passage, that holds most of it with the question's words.
    holding = [n for n in cited if lexical.whole[n - 1] >= SUPPORTED]
    whole = max(range(len(lexical.whole)), key=lexical.whole.__getitem__)
    return holding or ([whole + 1] if lexical.whole[whole] >= SUPPORTED else [])


def _fuller(n: int, lexical: _Lexical) -> int:
    """The passage holding everything of the sentence that passage n holds and more, else n: the
    model cited the license's title page for "The MIT License does not come with a warranty"
    where the warranty clause says it."""
    held = lexical.held[n - 1]
    fuller = [m for m, other in enumerate(lexical.held, start=1) if other > held]
    return max(fuller, key=lambda m: len(lexical.held[m - 1])) if fuller else n


def _fewest_sources(numbers: list[int], lexical: _Lexical) -> list[int]:
    """The passages among numbers that hold most of the sentence, then each that adds its own part
    of it; a passage repeating what those before it hold is no further evidence ([1][2][3][4]
    where each holds the same one word)."""
    # Ties go to the passage whose text, not only its document's title, holds it; then cited order.
    ranked = sorted(
        numbers, key=lambda n: (-len(lexical.held[n - 1]), -len(lexical.held_in_text[n - 1]))
    )
    kept: list[int] = []
    covered: set[str] = set()
    for n in ranked:
        new = lexical.held[n - 1] - covered
        if not kept or _adds_enough(new, lexical.capitals):
            kept.append(n)
            covered |= lexical.held[n - 1]
    return [n for n in numbers if n in kept]


def _is_name(word: str) -> bool:
    """A capitalised word ("Stallman"), a word with digits ("R1"), or an acronym ("GPL")."""
    return (
        (word[:1].isupper() and not word.isupper())
        or (word[:1].isalpha() and bool(_DIGIT.search(word)))
        or (len(word) >= 2 and word.isalpha() and word.isupper())
    )


def _named_groups(text: str, opens_sentence: bool = True) -> list[list[str]]:
    """Names as written, adjacent capitalised words joined ("Richard Stallman", "Hugging Face"),
    names listed together ("MIT and Apache", "GitHub or arXiv") in one group; the first word of a
    sentence is capitalised anyway, so it is left out."""
    groups: list[list[str]] = []
    previous_end = -2
    for match in _WORD.finditer(text):
        word = _name_part(match.group(0))
        if (opens_sentence and match.start() == 0) or not _is_name(word) or not key_terms(word):
            continue
        between = text[previous_end : match.start()]
        if groups and between == " ":
            groups[-1][-1] += " " + word
        elif groups and _LISTED.fullmatch(between):
            groups[-1].append(word)
        else:
            groups.append([word])
        previous_end = match.end()
    return groups


def _said_with_a_name(
    number: str, question: str, sentences_saying: Callable[[str], list[str]]
) -> bool:
    """Whether a sentence of the documents holds the number with one of the question's names."""
    names = name_terms(question)
    return any(names & key_terms(sentence) for sentence in sentences_saying(number))


@dataclass(frozen=True)
class Doubt:
    """Something a question takes for granted that no passage sentence says."""

    text: str  # for people (and the model): "the documents never mention 1995"
    terms: frozenset[str]  # key terms a sentence restating the assumption holds together
    topics: tuple[frozenset[str], ...]  # what to quote the passages on instead
    # Dictionary forms of a word the sentence must hold too ("slow" for "slowed down").
    said: frozenset[str] = frozenset()
    # What the question says of two names it puts together: the sentence that says it tells who
    # did it ("after receiving investment from Microsoft, the company changed its strategy").
    deed: frozenset[str] = frozenset()


def premise_doubts(
    question: str,
    passages: list[Passage],
    pairs: bool = True,
    sentences_saying: Callable[[str], list[str]] | None = None,
) -> list[Doubt]:
    """What the question takes for granted that no passage sentence says: a number no passage
    holds (nor, with `sentences_saying` — number -> the documents' sentences holding it — any
    sentence of the documents that names one of the question's names: "the company that launched
    GPT-3 in 2021" is said in a passage not found, and "the documents never mention 2021" would be
    untrue), (with pairs) two names of one clause no passage sentence puts together ("Why did
    Google release PyTorch?"), a fact a passage sentence says the opposite of (turned_around),
    or one the passages say only of another name (said_of_another).
    A question comparing two things ("How many years between A and B?") names them apart by
    nature: ask without pairs."""
    sentences = [
        key_terms(p.chunk.text[a:b]) for p in passages for a, b in sentence_spans(p.chunk.text)
    ]
    titles = [key_terms(p.where) for p in passages]
    everything = set().union(*sentences, *titles)
    asked = key_terms(question)
    # Years and figures ("1995", "5.6"), not small counts such as a version number.
    doubts = [
        Doubt(
            f"the documents never mention {term}", frozenset({term}), (frozenset(asked - {term}),)
        )
        for term in sorted(asked)
        if _is_number(term) and (len(term) >= 3 or "." in term) and term not in everything
        if not (sentences_saying and _said_with_a_name(term, question, sentences_saying))
    ]
    # Names are put together within a clause: in "When A appeared, why did B matter?" they are not.
    clauses = _QUESTION_CLAUSE.split(question) if pairs else []
    # Names listed together ("Why did EleutherAI and Stability AI …") are not said of each other.
    named = [
        (a, b)
        for i, clause in enumerate(clauses)
        for group_a, group_b in itertools.combinations(
            _named_groups(clause, opens_sentence=i == 0), 2
        )
        for a in group_a
        for b in group_b
    ]
    for a, b in dict.fromkeys(named):
        terms_a, terms_b = key_terms(a), key_terms(b)
        both = terms_a | terms_b
        # Two names the passages hold, each somewhere, but never together.
        if both <= everything and not any(both <= s for s in sentences):
            text = f"the documents never name {a} and {b} in the same sentence"
            topics = (frozenset(terms_a), frozenset(terms_b))
            doubts.append(Doubt(text, frozenset(both), topics, deed=frozenset(asked - both)))
    if not presupposes(question):
        return doubts
    read = [
        [_Sentence.read(p.chunk.text[a:b], p) for a, b in sentence_spans(p.chunk.text)]
        for p in passages
    ]
    # Who did it, when no name pair of the question is doubted already.
    another = [] if doubts else done_by_another(question, read)
    return doubts + turned_around(question, read) + said_of_another(question, read) + another


def passage_dating(
    event: str, year: int, passages: list[Passage]
) -> tuple[int, tuple[int, int]] | None:
    """The first passage sentence that gives `year` together with every capitalised word of the
    event ("Google's launch of TensorFlow": Google, TensorFlow), as (passage number, the sentence's
    offsets in its document), or None: a year the model gives for an event counts only where a
    passage says it of that event."""
    names = capitalised_terms(event)
    if not names:  # "the founding of the company": nothing to tie the year to
        return None
    for n, passage in enumerate(passages, start=1):
        text = passage.chunk.text
        for a, b in sentence_spans(text):
            if names | {str(year)} <= key_terms(text[a:b]):
                return n, (passage.chunk.start + a, passage.chunk.start + b)
    return None


def dating_sentence(event: str, passages: list[Passage]) -> str | None:
    """The passage sentence that holds every capitalised word of the event and a year, sharing
    most of the event's other words ("In 2018, Hugging Face entered the NLP domain, …" for
    "Hugging Face entering the NLP domain"), or None: what the model is pointed at when the year
    it gave is not one a passage says of the event."""
    names, said = capitalised_terms(event), key_terms(event)
    if not names:
        return None
    best, most = None, -1
    for passage in passages:
        text = passage.chunk.text
        for a, b in sentence_spans(text):
            terms = key_terms(text[a:b])
            if names <= terms and year_in(text[a:b]) is not None and len(said & terms) > most:
                best, most = " ".join(text[a:b].split()), len(said & terms)
    return best


def passage_naming(name: str, fact: str, passages: list[Passage]) -> tuple[int, int, int] | None:
    """The first passage sentence that holds the name and at least half of what the fact says
    ("PyTorch" and "eventually surpassed TensorFlow as the industry's leading framework"), as
    (passage number, start, end in the chunk), or None: a name the model gives for a described
    thing counts only where a passage says the fact of it."""
    named, said = key_terms(name), key_terms(fact) - key_terms(name)
    if not named or not said:
        return None
    for n, passage in enumerate(passages, start=1):
        text = passage.chunk.text
        for a, b in sentence_spans(text):
            terms = key_terms(text[a:b])
            if named <= terms and support(said, terms) >= SUPPORTED:
                return n, a, b
    return None


def stating_sentence(fact: str, passages: list[Passage]) -> str | None:
    """The passage sentence that shares most of the fact's key terms, holding at least half of
    them ("PyTorch eventually surpassed TensorFlow as the industry's leading framework."), or
    None."""
    closest = closest_sentence(fact, passages)
    if closest is None or support(key_terms(fact), key_terms(closest[1])) < SUPPORTED:
        return None
    return closest[1]


def restates(sentence: str, doubts: list[Doubt]) -> bool:
    """Whether the sentence repeats an assumption the doubts are about."""
    terms = key_terms(sentence)
    forms = content_forms(sentence)
    return any(doubt.terms <= terms and (not doubt.said or doubt.said & forms) for doubt in doubts)


# A question that takes its clause as given: "Why did …?", "Since …, why …?", "How come …?".
_PRESUPPOSES = re.compile(r"^\s*(?:why|how come|since|given that)\b|,\s*why\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
# "not only" adds, it does not deny; nor does "no-charge".
NEGATION = re.compile(r"\b(?:not(?! only)|no(?!-)|never|nor|cannot)\b|n['’]t\b", re.IGNORECASE)


def turned_around(question: str, read: list[list[_Sentence]]) -> list[Doubt]:
    """What a question takes as given that a passage sentence says the opposite of: a word of the
    question whose opposite (WordNet's antonyms and the words derived from them) a sentence holds,
    the sentence holding every name of the question (or its document's title does) and at least
    half of its other words ("Why did GitHub's founding in 2008 slow down …?" beside "In 2008,
    GitHub was founded, accelerating the growth …"), and no such sentence saying the word itself
    or its kin, or its opposite with a "not" ("does not grant" agrees with "deny"). A sentence
    that says no, not or never turns nothing around: its polarity is not its words'. `read`:
    each passage's sentences."""
    names = capitalised_terms(question) - key_terms(question.split(None, 1)[0])
    plain = _plain_words(question)
    said_plainly = set().union(*map(forms_of, plain))
    sentences = [sentence for each in read for sentence in each]
    doubts = []
    for at, word in enumerate(plain):
        turned = opposites(word) - said_plainly
        if not turned or plain.index(word) < at:
            continue
        # The other words, the nearer weighing more: "forbid selling the software" is about selling.
        rest = [
            (forms_of(w), 1 / abs(i - at))
            for i, w in enumerate(plain)
            if not forms_of(w) & forms_of(word)
        ]
        best: tuple[float, str] | None = None  # the turned-around sentence sharing most
        agrees = False  # a sentence says the fact with the question's own word
        for sentence in sentences:
            if not names <= sentence.terms:
                continue
            matched = [weight for other, weight in rest if other & sentence.forms]
            if not rest or len(matched) < SUPPORTED * len(rest):
                continue
            score = sum(matched)
            if sentence.negated and sentence.claimed & turned:  # "does not grant" is "deny"
                agrees = True
            elif sentence.forms & kin(word):
                agrees = agrees or not sentence.negated
            elif not sentence.negated and sentence.claimed & turned:
                if best is None or score > best[0]:
                    best = score, sentence.text
        if best and not agrees:
            said = next(w for w in words_of(best[1]) if key_terms(w) and base_forms(w) & turned)
            text = f'the documents say "{said}", not "{word}"'
            topic = frozenset(key_terms(best[1]))
            said_forms = base_forms(word) | base_forms(word.split()[0])
            doubts.append(Doubt(text, frozenset(names), (topic,), said_forms))
    return doubts


def said_of_another(question: str, read: list[list[_Sentence]]) -> list[Doubt]:
    """What a question takes as given of one name that the passages say only of another: "Why does
    the MIT license require derivative works to stay open source?" beside "…the GNU General Public
    License (GPL), … Copyleft, which required all derivative works to remain open-source", while
    no sentence naming MIT says half of it. A question of two or more names is the name pairs'.
    `read`: each passage's sentences."""
    groups = _named_groups(question)
    if len(groups) != 1 or len(groups[0]) != 1:
        return []
    name = groups[0][0]
    plain = _plain_words(question)
    asked = list({frozenset(forms_of(w)): w for w in plain})  # each word once, by its forms
    if len(asked) < 3:
        return []
    # Each sentence with the one before it, which may name what it calls "the company".
    sentences = [
        (sentence, _names(sentence, name) or (i > 0 and _names(each[i - 1], name)))
        for each in read
        for i, sentence in enumerate(each)
    ]

    def matched(sentence: _Sentence) -> int:
        """The question's words the sentence or its document's title holds."""
        said = sentence.forms | content_forms(sentence.where)
        return sum(bool(forms & said) for forms in asked)

    naming = [s for s, named in sentences if named]
    if not naming or any(matched(s) >= SUPPORTED * len(asked) for s in naming):
        return []
    # Saying it takes three of the question's words at least: "this License … disclaim" is not
    # "the license disclaims all warranties".
    others = [
        s
        for s, named in sentences
        if not named and matched(s) >= max(3, SUPPORTED * len(asked)) and name_terms(s.text)
    ]
    if not others:
        return []
    best = max(others, key=matched)
    shared = frozenset(key_terms(best.text) & key_terms(_CAPITALISED.sub(" ", question)))
    text = f"the documents never say that of {name}; they say it of something else"
    # Quoted: the sentence that says it. What names the name may be another thing of that name
    # ("a speech at MIT").
    return [Doubt(text, frozenset(key_terms(name)) | shared, (frozenset(key_terms(best.text)),))]


_WHY_DID = re.compile(r"^\s*why\s+(?:did|does|do)\s+", re.IGNORECASE)


def done_by_another(question: str, read: list[list[_Sentence]]) -> list[Doubt]:
    """Who a "Why did X <verb> Y …?" question says did it, where the passages say another did:
    "Why did Hugging Face release GPT-2 in 2019?" beside "In 2019, OpenAI released GPT-2" — a
    clause holding the verb (any form) with Y after it and another name before it, while no clause
    holding the verb and Y has X before it ("In 2016, Facebook (now Meta) launched PyTorch" agrees
    with Facebook and with Meta). `read`: each passage's sentences."""
    opening = _WHY_DID.match(question)
    if not opening:
        return []
    rest = question[opening.end() :]
    groups = _named_groups(rest, opens_sentence=False)
    if len(groups) < 2 or len(groups[0]) != 1 or not rest.startswith(groups[0][0]):
        return []
    agent = groups[0][0]
    verb, *after_verb = rest[len(agent) :].strip(" ?").split() or [""]
    # What it was done to, as the question writes it: the names and numbers after the verb.
    thing = " ".join(itertools.takewhile(lambda w: _is_name(w) or w[:1].isdigit(), after_verb))
    done_to = [name for group in groups[1:] for name in group]
    forms = forms_of(verb) if verb.isalpha() else frozenset()
    if not forms or not done_to or not thing:
        return []
    doers: list[tuple[str, _Sentence]] = []  # "OpenAI released GPT-2", with its sentence
    for sentence in (s for each in read for s in each):
        for clause in _CLAUSE_BREAK.split(sentence.text):
            for word in _WORD.finditer(clause):
                if not forms_of(word.group(0).lower()) & forms:
                    continue
                before, after = clause[: word.start()], clause[word.start() :]
                if not any(key_terms(n) <= key_terms(after) for n in done_to):
                    continue
                if _text_names(before, agent):
                    return []  # a clause says the question's own name did it
                first = next(
                    (m for m in _WORD.finditer(before) if _is_name(m.group(0)) and key_terms(m[0])),
                    None,
                )
                if first:  # "Facebook (now Meta) launched PyTorch"
                    doers.append((f"{before[first.start() :]}{word.group(0)} {thing}", sentence))
    if not doers:
        return []
    doer, sentence = doers[0]
    return [
        Doubt(
            f"the documents say {doer}, not {agent}",
            frozenset(key_terms(agent)).union(*map(key_terms, done_to)),
            (frozenset(key_terms(sentence.text)),),
            said=frozenset(forms),
        )
    ]


def presupposes(question: str) -> bool:
    """A "Why …?" (or "Since …, …") question: it takes a fact as given."""
    return bool(_PRESUPPOSES.search(question))


def _plain_words(question: str) -> list[str]:
    """The question's content words, its names aside ("license" of "Apache License" may be what
    turns "forbid" around, and is what "the MIT license" says besides its name)."""
    return [w for w in words_of(_CAPITALISED.sub(" ", question)) if key_terms(w)]


def _names(sentence: _Sentence, name: str) -> bool:
    """Whether the sentence (or its document's title) names it, an acronym by the initials of
    its capitalised words too ("GPL" in "GNU General Public License")."""
    return _text_names(f"{sentence.text} {sentence.where}", name)


def _text_names(text: str, name: str) -> bool:
    """Whether the text names it, an acronym by the initials of its capitalised words too."""
    if key_terms(name) <= key_terms(text):
        return True
    if not (name.isupper() and name.isalpha()):
        return False
    return name in "".join(w[0] for w in _CAPITALISED.findall(text)).upper()


@dataclass(frozen=True)
class _Sentence:
    """A passage sentence as the premise check reads it, once per question."""

    text: str
    where: str  # its document's title and section
    terms: frozenset[str]  # its key terms and its document title's
    forms: frozenset[str]  # dictionary forms of its content words
    claimed: frozenset[str]  # the same, its names left out
    negated: bool  # it says no, not or never

    @classmethod
    def read(cls, text: str, passage: Passage) -> _Sentence:
        return cls(
            text,
            passage.where,
            frozenset(key_terms(text) | key_terms(passage.where)),
            frozenset(content_forms(text)),
            frozenset(content_forms(without_names(text))),
            bool(NEGATION.search(text)),
        )


def without_names(sentence: str) -> str:
    """The sentence with its capitalised words after the first blanked: "the License" names a
    document, it does not license anything."""
    first, _, rest = sentence.partition(" ")
    return f"{first} {_CAPITALISED.sub(' ', rest)}"


def content_forms(text: str) -> set[str]:
    """The dictionary forms of the text's content words, numbers aside."""
    return {form for w in words_of(text) if key_terms(w) for form in forms_of(w)}


def correction(doubts: list[Doubt], passages: list[Passage], question: str) -> Verification:
    """What the passages say instead of the question's assumption: for each topic of each doubt,
    the passage sentence that says most about it and the question, quoted and cited. For a
    number no passage holds, a sentence naming what the question names comes first: "Why did
    GitHub's founding in 1998 matter?" is corrected by GitHub's founding, not by a sentence on
    open source in the 1990s. (Other doubts are about the question's names themselves.) For two
    names never put together, the sentence that says what the question says they did leads: it
    names who did it ("… investment from Microsoft …" for "… investment from Google?")."""
    asked = key_terms(question)
    quoted: list[tuple[int, int, int]] = []  # passage number, start, end in the chunk
    for deed in (d.deed for d in doubts if len(d.deed) >= 2):  # who did what the question says
        said = _saying_most(deed, passages)
        if said and said not in quoted:
            quoted.append(said)
    for doubt, topic in ((d, t) for d in doubts for t in d.topics):
        wrong_number = all(_is_number(term) for term in doubt.terms)
        names = name_terms(question) if wrong_number else set()
        best, best_score = None, (0, 0.0)
        for n, passage in enumerate(passages, start=1):
            text = passage.chunk.text
            for a, b in sentence_spans(text):
                terms = key_terms(text[a:b])
                if not topic & terms:
                    continue
                score = (len(names & terms), len(topic & terms) + 0.1 * len(asked & terms))
                if score > best_score:
                    best, best_score = (n, a, b), score
        if best and best not in quoted:
            quoted.append(best)
    assumed = "; ".join(d.text for d in doubts)
    lead = f"The question takes for granted what the documents do not back ({assumed})."
    return quoting(lead, "What they say:", quoted, passages)


def _saying_most(terms: frozenset[str], passages: list[Passage]) -> tuple[int, int, int] | None:
    """The first passage sentence holding the most of the terms, at least half of them, as
    (passage number, start, end in the chunk); None when none does."""
    best, most = None, SUPPORTED * len(terms)
    for n, passage in enumerate(passages, start=1):
        text = passage.chunk.text
        for a, b in sentence_spans(text):
            held = len(terms & key_terms(text[a:b]))
            if held > most or (best is None and held == most):
                best, most = (n, a, b), held
    return best


def quoting(
    lead: str, then: str, quoted: list[tuple[int, int, int]], passages: list[Passage]
) -> Verification:
    """`lead`, then the passage sentences (passage number, start, end in the chunk) quoted word
    for word and cited after `then`; the lead alone when there are none."""
    said = " ".join(
        with_markers(" ".join(passages[n - 1].chunk.text[a:b].split()), [n]) for n, a, b in quoted
    )
    spans: dict[int, tuple[tuple[int, int], ...]] = {}
    for n, a, b in quoted:
        start = passages[n - 1].chunk.start
        spans[n] = (*spans.get(n, ()), (start + a, start + b))
    return Verification(
        text=" ".join(part for part in (lead, then, said) if part) if said else lead,
        sentences=(),
        support={n: 1.0 for n in spans},
        spans=spans,
        reattributed=0,
        dropped=0,
        added=0,
    )


def verify(
    answer: str,
    passages: list[Passage],
    question: str = "",
    judge: Callable[[str], float | None] | None = None,
) -> Verification:
    """Check every sentence of the answer against the passages numbered 1..len(passages).

    Args:
        answer: the model's answer with [n] markers.
        passages: the passages it was shown, [1] first.
        question: what was asked (and earlier questions of a follow-up): its words count as given.
        judge: sentence -> probability that the passages state it, or None to check lexically only.
    """
    asked = key_terms(question)
    answer = markers_before_stop(answer)
    text_terms = [key_terms(p.chunk.text) for p in passages]
    passage_terms = [t | key_terms(p.where) for t, p in zip(text_terms, passages, strict=True)]
    subjects, windows = name_terms(question), _windows(passages)
    # The question's names, each whole ("MIT License"), acronyms included.
    named = [frozenset(key_terms(name)) for group in _named_groups(question) for name in group]
    passage_sentences = statements(passages)
    context = asked | key_terms(without_markers(answer))
    # An answer that never names the question's subject is about it all the same: "How many daily
    # downloads does GitHub have?" answered with a figure said of Hugging Face is no answer. One
    # that opens with "No" says what is true instead ("No, DeepSeek picked the MIT license").
    implied = (
        bool(subjects)
        and not subjects & key_terms(without_markers(answer))
        and not _OPENS_WITH_NO.match(answer)
    )
    pieces, checks, strays, about_passages, repeats, questions = [], [], [], [], [], []
    said: list[set[str]] = []  # key terms of each sentence kept so far
    best_support: dict[int, float] = {}
    spans: dict[int, tuple[tuple[int, int], ...]] = {}
    reattributed = dropped = added = 0
    position = 0
    for start, end in sentence_spans(answer):
        raw, gap, position = answer[start:end], answer[position:start] or " ", end
        cited = [int(n) for n in MARKER.findall(raw) if 1 <= int(n) <= len(passages)]
        written = clean_source_talk(without_markers(_MARKERS_AS_WORDS.sub("", raw)))
        if _ON_PASSAGES.match(written) or _asks(written):  # left out unjudged
            (about_passages if _ON_PASSAGES.match(written) else questions).append(written)
            continue
        taken = _take_out_strays(written, context, asked, passage_sentences)
        strays += taken.words
        if taken.kept is None:  # only stray words, or a stray word inside its claim
            checks.append(SentenceCheck(written, 0.0, None, False, stray=taken.alone))
            continue
        plain = taken.kept
        terms = key_terms(plain)
        if not terms:  # "Yes [2]." keeps what it cites; "This is stated in [1]." is dropped
            if plain and not _ABOUT_SOURCES.search(without_markers(raw)):
                kept = list(dict.fromkeys(cited))
                checks.append(SentenceCheck(plain, 1.0))
                pieces.append(gap + with_markers(plain, kept))
            continue
        if any(terms <= earlier for earlier in said):  # "X in 2008 [1]. X in 2008, as [1] says."
            repeats.append(plain)  # left out unjudged: the sentence before it was checked
            continue
        lexical = _lexical(
            plain, asked, passage_terms, text_terms, subjects, windows, implied, named
        )
        probability = None
        if judge is not None and not lexical.vetoed:
            probability = judge(plain)
        if lexical.vetoed:
            supported = False
        elif probability is not None:
            supported = probability >= CLAIM_THRESHOLD
        else:
            supported = lexical.joint >= SUPPORTED
        cited = list(dict.fromkeys(cited))
        kept = _citations(cited, lexical) if supported else []
        removed = len(set(cited) - set(kept))
        new = len(set(kept) - set(cited))
        moved = min(removed, new)
        reattributed, dropped, added = (
            reattributed + moved,
            dropped + removed - moved,
            added + new - moved,
        )
        if not supported:
            checks.append(SentenceCheck(plain, lexical.joint, probability, False))
            continue
        for n in kept:
            best_support[n] = max(lexical.single[n - 1], best_support.get(n, -1.0))
            found = supporting_spans(terms, lexical.capitals, passages[n - 1])
            spans[n] = tuple(sorted(set(spans.get(n, ())) | set(found)))
        checks.append(SentenceCheck(plain, lexical.joint, probability, True))
        said.append(terms)
        pieces.append(gap + with_markers(plain, kept))
    return Verification(
        text="".join(pieces).strip(),
        sentences=tuple(checks),
        support=best_support,
        spans=spans,
        reattributed=reattributed,
        dropped=dropped,
        added=added,
        strays=tuple(dict.fromkeys(strays)),
        about_passages=tuple(about_passages),
        repeats=tuple(repeats),
        questions=tuple(questions),
        admits_unanswered=any(_NOT_ANSWERED.search(s) for s in about_passages),
    )
