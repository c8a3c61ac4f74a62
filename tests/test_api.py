"""`from chatbot import answer, stream_answer`: the developer's way in."""

import dataclasses

import pytest

import chatbot
from chatbot.answering import Answer


def test_import_loads_no_model_library():
    import subprocess
    import sys

    code = "import chatbot, sys; print(sorted(m for m in ('torch', 'llama_cpp', 'gradio') if m in sys.modules))"
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


def test_stream_answer_yields_pieces_then_the_answer(config, fake_models):
    fake_models[1].reply = "DeepSeek picked the MIT license for its R1 model [1]."
    items = list(chatbot.stream_answer("What license did DeepSeek pick for R1?", config=config))
    assert all(isinstance(i, str) for i in items[:-1]) and isinstance(items[-1], Answer)
    assert "".join(items[:-1]) == items[-1].text


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
