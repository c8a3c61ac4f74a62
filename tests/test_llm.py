import pytest

from chatbot.errors import ModelError
from chatbot.llm import LlamaCppLLM


def test_a_missing_model_is_reported_with_the_fix(tmp_path):
    llm = LlamaCppLLM(tmp_path / "absent.gguf")
    with pytest.raises(ModelError, match="Model path does not exist.*CHATBOT_MODEL_PATH"):
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
    llm = LlamaCppLLM(model)
    assert llm._loaded() == "loaded without flash attention"
    assert attempts == [True, False]
