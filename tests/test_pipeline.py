import threading

from chatbot.pipeline import Chatbot
from chatbot.prompting import SYSTEM_PROMPT
from tests.fakes import EchoLLM, FakeEmbedder


class GatedEmbedder(FakeEmbedder):
    """Blocks document embedding until released, to hold a rebuild in the middle."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.waiting = threading.Event()
        self.blocking = False

    def embed_documents(self, texts):
        if self.blocking:
            self.waiting.set()
            assert self.gate.wait(10), "the test never released the rebuild"
        return super().embed_documents(texts)


def test_questions_are_answered_from_the_old_index_while_a_rebuild_runs(config, echo_llm):
    embedder = GatedEmbedder()
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    bot.answer("When was GitHub founded?")
    (config.corpus_dir / "news.md").write_text("# News\n\nThe zebra project released version nine.")

    embedder.blocking = True
    rebuild = threading.Thread(target=bot.rebuild)
    rebuild.start()
    assert embedder.waiting.wait(10)
    during = bot.answer("What did the zebra project release?")
    assert all("zebra" not in p.chunk.text for p in during.passages), "answered from the old index"

    embedder.blocking = False
    embedder.gate.set()
    rebuild.join(10)
    after = bot.answer("What did the zebra project release?")
    assert any("zebra" in p.chunk.text for p in after.passages)


def test_rebuild_reports_progress(config, embedder, echo_llm):
    seen = []
    report = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False).rebuild(
        on_progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (report.chunks, report.chunks)


def test_an_index_rebuilt_by_another_process_in_the_same_second_is_reloaded(
    config, embedder, echo_llm, monkeypatch
):
    from datetime import UTC, datetime

    from chatbot.index import build as build_module

    class FrozenClock(datetime):  # every build happens at the same second
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 1, tzinfo=tz or UTC)

    monkeypatch.setattr(build_module, "datetime", FrozenClock)
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    first = bot.index
    (config.corpus_dir / "news.md").write_text("# News\n\nThe zebra project released version nine.")
    Chatbot(config, embedder=embedder, llm=echo_llm, progress=False).rebuild()  # "another process"
    assert bot.index is not first
    assert "news" in bot.index.documents


def test_per_question_overrides_reach_the_model(config, embedder):

    class Recording(EchoLLM):
        def stream_chat(self, messages, max_tokens, temperature):
            self.settings = (max_tokens, temperature)
            return super().stream_chat(messages, max_tokens, temperature)

    llm = Recording()
    bot = Chatbot(config, embedder=embedder, llm=llm, progress=False)
    bot.answer("When was GitHub founded?", top_k=1, temperature=0.7, max_tokens=50)
    assert llm.settings == (50, 0.7)
    assert ">>>\n[1]" in llm.last_prompt and ">>>\n[2]" not in llm.last_prompt


def test_warm_up_loads_everything_before_the_first_question(config, embedder):

    class Loading(EchoLLM):
        loaded = False

        def load(self):
            self.loaded = True

    llm = Loading()
    bot = Chatbot(config, embedder=embedder, llm=llm, progress=False)
    bot.warm_up()
    assert llm.loaded and (config.index_dir / "manifest.json").is_file()
    # The fixed system message went through the model once, so its KV cache is ready.
    assert [m["role"] for m in llm.calls[-1]] == ["system", "user"]
    assert llm.calls[-1][0]["content"] == SYSTEM_PROMPT
