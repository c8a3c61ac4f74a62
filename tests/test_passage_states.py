import logging
import os

import pytest

from chatbot.passage_states import StateStore
from chatbot.read_ahead import state_key

BASIS = {"model": "a" * 64, "llama_cpp": "0.3.36", "n_ctx": 4096}


@pytest.fixture
def store(tmp_path):
    return StateStore(tmp_path / "states", budget_bytes=10_000)


def key(n: int) -> str:
    return state_key(BASIS, [1, 2, 3], [n])


def test_a_saved_state_comes_back_whole(store):
    store.put(key(1), b"kv" * 100)
    assert store.get(key(1)) == b"kv" * 100
    assert store.get(key(2)) is None  # never saved


def test_the_key_holds_the_model_the_settings_and_what_is_read():
    assert state_key(BASIS, [1], [2]) == state_key(dict(BASIS), [1], [2])
    other_model = {**BASIS, "model": "b" * 64}
    assert state_key(other_model, [1], [2]) != state_key(BASIS, [1], [2])  # a new model file
    assert state_key({**BASIS, "n_ctx": 2048}, [1], [2]) != state_key(BASIS, [1], [2])
    assert state_key(BASIS, [1, 9], [2]) != state_key(BASIS, [1], [2])  # other wording before
    assert state_key(BASIS, [1], [2, 3]) != state_key(BASIS, [1], [2])  # a changed chunk


def test_a_state_under_another_key_is_not_used(store, caplog):
    store.put(key(1), b"state of one")
    os.rename(store._path(key(1)), store._path(key(2)))  # copied or renamed by hand
    with caplog.at_level(logging.WARNING):
        assert store.get(key(2)) is None
    assert "damaged" in caplog.text and not store._path(key(2)).exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-5],  # truncated
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # one bit flipped
        lambda raw: b"garbage" + raw,  # not a state file
        lambda raw: raw[:30],  # cut inside the header
        lambda raw: b"",
    ],
)
def test_a_damaged_state_is_refused_with_a_warning_and_dropped(store, caplog, damage):
    store.put(key(1), b"0123456789" * 20)
    path = store._path(key(1))
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        assert store.get(key(1)) is None
    assert "damaged" in caplog.text
    assert not path.exists()
    store.put(key(1), b"made again")  # and made again next time
    assert store.get(key(1)) == b"made again"


def test_the_least_recently_used_states_go_first_when_the_budget_is_full(store):
    for n in range(4):
        store.put(key(n), bytes(2_000))
        os.utime(store._path(key(n)), (1_000 + n, 1_000 + n))
    assert store.get(key(0)) is not None  # used now: the newest
    store.put(key(9), bytes(3_000))
    assert store.size() <= store.budget_bytes
    kept = store.keys()
    assert key(0) in kept and key(9) in kept
    assert key(1) not in kept  # the oldest unused one went first


def test_a_state_larger_than_the_budget_is_not_kept(store):
    store.put(key(1), bytes(20_000))
    assert store.get(key(1)) is None and store.size() == 0


def test_states_of_passages_no_longer_indexed_are_dropped(store):
    for n in range(3):
        store.put(key(n), b"state")
    assert store.retain([key(0), key(2)]) == 1
    assert store.keys() == {key(0), key(2)}


def test_a_key_that_is_not_a_digest_is_refused(store):
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
