"""Many chat sessions at once against the running page: every session gets its own answer back,
and past the queue's bound visitors are told it is full instead of piling up."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chatbot.pipeline import Chatbot
from tests.conftest import served_page, shown_text
from tests.fakes import EchoLLM


class NonceLLM(EchoLLM):
    """Answers with the nonce found in the question it was given, slowly enough to overlap."""

    def __init__(self, delay: float = 0.0):
        super().__init__()
        self.delay = delay
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def stream_chat(self, messages, max_tokens, temperature):
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            nonce = re.search(r"nonce-[a-z]+", messages[-1]["content"]).group(0)
            for piece in ("GitHub ", "was ", "founded ", "in ", "2008 ", f"({nonce}) ", "[1]."):
                time.sleep(self.delay)
                yield piece
        finally:
            with self._lock:
                self.active -= 1


def test_sixteen_sessions_each_get_their_own_answers(config, embedder):
    from gradio_client import Client

    llm = NonceLLM()
    bot = Chatbot(config, embedder=embedder, llm=llm, progress=False)
    rounds = 3
    with served_page(bot) as url:

        def session(number: int) -> list[tuple[str, str]]:
            client = Client(url, verbose=False)
            pairs = []
            for round_ in range(rounds):
                nonce = "nonce-" + "".join(
                    chr(97 + int(c, 16)) for c in f"{number:02x}{round_:02x}"
                )
                reply = client.predict(
                    f"When was GitHub founded? {nonce}", 4, 0.1, 64, api_name="/chat"
                )
                pairs.append((nonce, shown_text(reply)))
            return pairs

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = [pair for pairs in pool.map(session, range(16)) for pair in pairs]

    assert len(results) == 16 * rounds
    for nonce, text in results:
        assert nonce in text and "2008" in text, text
    assert llm.most_active == 1, "the model generated for two sessions at once"


def test_past_the_queue_bound_visitors_are_told_it_is_full(config, embedder):
    from gradio_client import Client

    bot = Chatbot(config, embedder=embedder, llm=NonceLLM(delay=0.3), progress=False)
    with served_page(bot, queue_size=2) as url:
        jobs = [
            Client(url, verbose=False).submit(
                f"When was GitHub founded? nonce-{chr(97 + i)}", 4, 0.1, 64, api_name="/chat"
            )
            for i in range(6)
        ]
        outcomes = []
        for job in jobs:
            try:
                outcomes.append(shown_text(job.result(timeout=60)))
            except Exception as exc:
                outcomes.append(f"error: {exc}")
        refused = [o for o in outcomes if o.startswith("error")]
        assert refused and all("queue is full" in o.lower() for o in refused), outcomes
        assert any("GitHub was founded" in o for o in outcomes)
        later = Client(url, verbose=False).predict(
            "When was GitHub founded? nonce-zz", 4, 0.1, 64, api_name="/chat"
        )
        assert "nonce-zz" in shown_text(later)


@pytest.mark.parametrize("size", [100_000])
def test_a_huge_question_is_refused_and_the_next_one_works(config, embedder, size):
    from gradio_client import Client

    bot = Chatbot(config, embedder=embedder, llm=NonceLLM(), progress=False)
    with served_page(bot) as url:
        client = Client(url, verbose=False)
        with pytest.raises(Exception, match="characters long"):
            client.predict("why " * (size // 4), 4, 0.1, 64, api_name="/chat")
        assert "nonce-ab" in client.predict(
            "When was GitHub founded? nonce-ab", 4, 0.1, 64, api_name="/chat"
        )
