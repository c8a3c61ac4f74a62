import time

import pytest

from chatbot.errors import ModelError
from chatbot.llm import LlamaCppLLM


def test_a_missing_model_is_reported_with_the_fix(tmp_path):
    llm = LlamaCppLLM(tmp_path / "absent.gguf")
    with pytest.raises(ModelError, match=r"Model path does not exist.*CHATBOT_MODEL_PATH"):
        llm.load()


def test_a_file_that_is_not_gguf_is_reported(tmp_path):
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="valid GGUF"):
        LlamaCppLLM(bogus).load()


def test_loading_is_deferred_to_first_use(tmp_path):
    llm = LlamaCppLLM(tmp_path / "absent.gguf")
    assert llm.name == "absent.gguf"  # constructing it touched no file


def test_models_load_without_extra_buffer_types_and_the_default_is_restored():
    import llama_cpp.llama_cpp as low_level

    from chatbot.llm import without_extra_buffers

    original = low_level.llama_model_default_params
    assert original().use_extra_bufts is True
    with without_extra_buffers():
        assert low_level.llama_model_default_params().use_extra_bufts is False
    assert low_level.llama_model_default_params is original


def test_a_model_that_cannot_use_flash_attention_loads_without_it(tmp_path, monkeypatch):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    attempts = []

    def load_llama(self, flash_attn):
        attempts.append(flash_attn)
        if flash_attn:
            raise ValueError("Failed to create llama_context")
        return "loaded without flash attention"

    monkeypatch.setattr(LlamaCppLLM, "_load_llama", load_llama)
    monkeypatch.setattr(LlamaCppLLM, "_make_reader", lambda self, llama: None)
    llm = LlamaCppLLM(model)
    assert llm._loaded() == "loaded without flash attention"
    assert attempts == [True, False]


class FakeLlama:
    """Stands in for llama_cpp.Llama: streams numbered words, and counts the ones it made."""

    def __init__(self):
        self.made = 0

    def create_chat_completion(self, messages, max_tokens, stream, **kwargs):
        for i in range(max_tokens):
            time.sleep(0.01)
            self.made += 1
            yield {"choices": [{"delta": {"content": f"w{i} "}}]}


def fake_model(tmp_path):
    llm = LlamaCppLLM(tmp_path / "model.gguf")
    llm._llama = FakeLlama()  # loaded already: no file is read
    return llm


def test_an_abandoned_stream_does_not_keep_the_model_from_the_next_question(tmp_path):
    import threading

    llm = fake_model(tmp_path)
    abandoned = llm.stream_chat([{"role": "user", "content": "hi"}], 50, 0.0)
    assert next(abandoned) == "w0 "  # ... and never read again, never closed
    replies = []
    second = threading.Thread(
        target=lambda: replies.append("".join(llm.stream_chat([], 3, 0.0))), daemon=True
    )
    second.start()
    second.join(10)
    assert replies == ["w0 w1 w2 "], "the abandoned stream kept the model locked"
    del abandoned


def test_closing_a_stream_stops_the_generation(tmp_path):
    llm = fake_model(tmp_path)
    stream = llm.stream_chat([], 500, 0.0)
    next(stream)
    stream.close()
    time.sleep(0.2)
    made = llm._llama.made
    time.sleep(0.2)
    assert llm._llama.made == made < 500


def test_an_error_while_generating_reaches_the_consumer(tmp_path):
    llm = fake_model(tmp_path)

    def overflow(**kwargs):
        raise ValueError("Requested tokens exceed context window of 4096")

    llm._llama.create_chat_completion = overflow
    with pytest.raises(ModelError, match="does not fit the model's context"):
        list(llm.stream_chat([], 5, 0.0))
