"""`from chatbot import answer, stream_answer`: the developer's way in."""

import dataclasses

import pytest

import chatbot
from chatbot.answering import Answer, Reading


def test_import_loads_no_model_library():
    import subprocess
    import sys

    code = (
        "import chatbot, sys; "
        "print(sorted(m for m in ('torch', 'llama_cpp', 'gradio') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_answer_returns_a_frozen_dataclass(config, fake_models):
    _, llm = fake_models
    llm.reply = "DeepSeek picked the MIT license [1]."
    result = chatbot.answer("What license did DeepSeek pick for R1?", config=config)
    assert isinstance(result, Answer)
    assert result.text == "DeepSeek picked the MIT license [1]."
    assert "MIT" in result.citations[0].passage.chunk.text
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "changed"


def test_stream_answer_yields_the_passages_then_pieces_then_the_answer(config, fake_models):
    fake_models[1].reply = "DeepSeek picked the MIT license for its R1 model [1]."
    items = list(chatbot.stream_answer("What license did DeepSeek pick for R1?", config=config))
    reading, *pieces, answer = items
    assert isinstance(reading, Reading) and reading.passages == answer.passages
    assert all(isinstance(i, str) for i in pieces) and isinstance(answer, Answer)
    assert "".join(pieces) == answer.text


def test_history_is_accepted(config, fake_models):
    _, llm = fake_models
    history = [
        {"role": "user", "content": "What license did DeepSeek pick for R1?"},
        {"role": "assistant", "content": "MIT [1]."},
    ]
    chatbot.answer("Is it permissive?", history=history, config=config)
    assert llm.calls[-1][1:3] == history


def test_the_same_config_reuses_one_chatbot(config, fake_models):
    assert chatbot.get_chatbot(config) is chatbot.get_chatbot(config)


def test_an_edited_corpus_is_picked_up_without_restarting(config, fake_models):
    _, llm = fake_models
    chatbot.answer("What license did DeepSeek pick for R1?", config=config)
    (config.corpus_dir / "news.md").write_text("# News\n\nThe zebra project released version nine.")
    chatbot.answer("What did the zebra project release?", config=config)
    assert "zebra project released version nine" in llm.last_prompt


def test_per_question_settings_never_load_a_second_model(config, fake_models, monkeypatch):
    from chatbot import pipeline

    _, llm = fake_models
    made = []
    monkeypatch.setattr(pipeline, "make_llm", lambda config: made.append(config) or llm)
    chatbot.answer("When was GitHub founded?", config=config)
    chatbot.answer("When was GitHub founded?", config=config.replace(top_k=1, temperature=0.5))
    chatbot.answer("When was GitHub founded?", config=config, top_k=1, max_tokens=40)
    assert len(made) == 1
    assert chatbot.get_chatbot(config) is chatbot.get_chatbot(config.replace(top_k=8))
    assert ">>>\n[1]" in llm.last_prompt and ">>>\n[2]" not in llm.last_prompt


def test_another_corpus_shares_the_model_too(config, fake_models, monkeypatch, tmp_path):
    from chatbot import pipeline

    _, llm = fake_models
    made = []
    monkeypatch.setattr(pipeline, "make_llm", lambda config: made.append(config) or llm)
    other = tmp_path / "other-corpus"
    other.mkdir()
    (other / "zebra.md").write_text("# Zebras\n\nZebras have black and white stripes.")
    chatbot.answer("When was GitHub founded?", config=config)
    chatbot.answer(
        "What do zebras have?", config=config.replace(corpus_dir=other, index_dir=tmp_path / "i2")
    )
    assert len(made) == 1


@pytest.mark.parametrize(
    ("setting", "value"), [("top_k", 0), ("temperature", 9.0), ("max_tokens", 100_000)]
)
def test_per_question_settings_are_checked_like_the_configuration(
    config, fake_models, setting, value
):
    from chatbot.errors import ConfigError

    with pytest.raises(ConfigError, match=r"out of range|too little"):
        chatbot.answer("When was GitHub founded?", config=config, **{setting: value})
