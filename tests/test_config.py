from pathlib import Path

import pytest

from chatbot.config import Config, load_config
from chatbot.errors import ConfigError


def test_defaults_point_into_the_project():
    config = load_config(env={})
    assert config.corpus_dir.name == "corpus" and config.index_dir.name == "index"
    assert config.model_path is None and config.top_k == 4


def test_environment_overrides_defaults_and_flags_override_environment(tmp_path):
    env = {"CHATBOT_TOP_K": "7", "CHATBOT_CORPUS_DIR": str(tmp_path), "CHATBOT_TEMPERATURE": "0.5"}
    config = load_config(env=env)
    assert (config.top_k, config.corpus_dir, config.temperature) == (7, tmp_path, 0.5)
    assert load_config(env=env, top_k=2).top_k == 2


def test_none_overrides_are_ignored():
    assert load_config(env={}, top_k=None).top_k == Config().top_k


def test_unknown_environment_key_is_named():
    with pytest.raises(ConfigError, match="CHATBOT_TOPK"):
        load_config(env={"CHATBOT_TOPK": "3"})


@pytest.mark.parametrize(
    "key, value", [("top_k", 0), ("n_ctx", 10), ("temperature", 5.0), ("max_question_chars", 0)]
)
def test_out_of_range_values_name_the_key(key, value):
    with pytest.raises(ConfigError, match=key):
        load_config(env={}, **{key: value})


def test_a_non_number_is_rejected_with_its_key():
    with pytest.raises(ConfigError, match="top_k='many'"):
        load_config(env={"CHATBOT_TOP_K": "many"})


def test_answer_length_must_leave_room_for_passages():
    with pytest.raises(ConfigError, match="max_answer_tokens"):
        Config(n_ctx=1024, max_answer_tokens=600)


def test_paths_from_strings_become_paths():
    config = load_config(env={"CHATBOT_MODEL_PATH": "~/models/x.gguf"})
    assert isinstance(config.model_path, Path) and "~" not in str(config.model_path)


def test_unknown_override_key_is_rejected():
    with pytest.raises(ConfigError, match="colour"):
        load_config(env={}, colour="red")


def test_threads_default_to_the_cores():
    assert Config().n_threads >= 1 and Config(threads=3).n_threads == 3


def test_yes_no_values_from_the_environment():
    assert load_config(env={"CHATBOT_VERIFY_CITATIONS": "false"}).verify_citations is False
    assert load_config(env={"CHATBOT_VERIFY_CITATIONS": "yes"}).verify_citations is True
    with pytest.raises(ConfigError, match="verify_citations='maybe'"):
        load_config(env={"CHATBOT_VERIFY_CITATIONS": "maybe"})
