import json

import pytest

from chatbot.errors import ModelError
from chatbot.models import PinnedModel, sha256_file, tiny_model_path, verify_pinned


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    return path, PinnedModel(filename="m.gguf", sha256=sha256_file(path), size=104)


def test_a_matching_file_passes_and_is_stamped(model_file):
    path, pin = model_file
    verify_pinned(path, pin)
    stamp = json.loads(path.with_name("m.gguf.verified").read_text())
    assert stamp["sha256"] == pin.sha256 and stamp["size"] == 104


def test_a_changed_file_fails_even_after_a_stamp(model_file):
    path, pin = model_file
    verify_pinned(path, pin)
    path.write_bytes(b"GGUF" + b"\1" * 100)
    with pytest.raises(ModelError, match="does not match its pinned sha256"):
        verify_pinned(path, pin)


def test_a_missing_file_says_so(tmp_path, model_file):
    with pytest.raises(ModelError, match="Model path does not exist"):
        verify_pinned(tmp_path / "absent.gguf", model_file[1])


def test_the_tiny_model_ships_in_its_package():
    path = tiny_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
