"""The remote model backend: an OpenAI-compatible server reached over HTTP with streaming."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import threading
import time
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chatbot.config import Config, load_config
from chatbot.errors import ConfigError, ModelError
from chatbot.llm import RemoteLLM
from chatbot.pipeline import Chatbot, make_llm


class FakeOpenAI(BaseHTTPRequestHandler):
    """Streams 'Paris is the capital [1].' as server-sent events and remembers the request."""

    requests: typing.ClassVar[list[dict]] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.end_headers()
        self.wfile.write(b'{"data": []}')

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append(body)
        if body.get("logprobs"):  # a yes/no judgement: the first token's top log-probabilities
            top = [("Yes", 0.4), (" Yes", 0.2), ("No", 0.2), ("Maybe", 0.2)]
            logprobs = [{"token": t, "logprob": math.log(p)} for t, p in top]
            choice = {"logprobs": {"content": [{"token": "Yes", "top_logprobs": logprobs}]}}
            reply = json.dumps({"choices": [choice]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["Paris ", "is the ", "capital [1]."]:
            chunk = {"choices": [{"delta": {"content": piece}, "index": 0}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOpenAI.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_a_yes_no_judgement_is_read_from_the_servers_log_probabilities(fake_server):
    judged = RemoteLLM(fake_server).yes_probability([{"role": "user", "content": "True?"}])
    assert judged == pytest.approx(0.75)
    assert FakeOpenAI.requests[-1]["max_tokens"] == 1 and FakeOpenAI.requests[-1]["logprobs"]


def test_a_server_without_log_probabilities_gives_no_judgement():
    with socket.socket() as s:  # nothing listens there: the check by words decides alone
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert RemoteLLM(f"http://127.0.0.1:{port}/v1").yes_probability([]) is None


def test_pieces_stream_from_the_server(fake_server):
    llm = RemoteLLM(fake_server)
    llm.load()
    pieces = list(llm.stream_chat([{"role": "user", "content": "Capital of France?"}], 32, 0.0))
    assert pieces == ["Paris ", "is the ", "capital [1]."]
    assert FakeOpenAI.requests[-1]["stream"] is True and FakeOpenAI.requests[-1]["max_tokens"] == 32


def test_the_config_selects_the_remote_backend(fake_server):
    llm = make_llm(load_config(env={"CHATBOT_LLM_URL": fake_server}))
    assert isinstance(llm, RemoteLLM) and llm.url == fake_server


def test_a_bad_url_is_rejected_by_the_config():
    with pytest.raises(ConfigError, match="llm_url"):
        Config(llm_url="ftp://example")


def test_an_unreachable_server_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = RemoteLLM(f"http://127.0.0.1:{port}/v1")
    with pytest.raises(ModelError, match="did not answer"):
        llm.load()
    with pytest.raises(ModelError, match="is it running"):
        list(llm.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))


def test_answers_come_through_the_remote_backend(config, embedder, fake_server):
    bot = Chatbot(config, embedder=embedder, llm=RemoteLLM(fake_server), progress=False)
    items = list(bot.stream("When was GitHub founded?"))
    assert "".join(i for i in items if isinstance(i, str)).startswith("Paris")
    assert "GitHub was founded in 2008" in FakeOpenAI.requests[-1]["messages"][-1]["content"]


@pytest.mark.slow
def test_end_to_end_against_llama_cpp_server_with_the_tiny_model(config, embedder):
    from chatbot.models import tiny_model_path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(tiny_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
            "--chat_format",
            "chatml",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        llm = RemoteLLM(f"http://127.0.0.1:{port}/v1")
        for _ in range(120):
            try:
                llm.load()
                break
            except ModelError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 60 s")
        reply = "".join(
            llm.stream_chat(
                [{"role": "user", "content": "What is the capital of France?"}], 24, 0.0
            )
        )
        assert "Paris" in reply
        bot = Chatbot(config, embedder=embedder, llm=llm, progress=False)
        items = list(bot.stream("When was GitHub founded?"))
        assert len([i for i in items if isinstance(i, str)]) >= 1 and items[-1].passages
    finally:
        server.terminate()
        server.wait(timeout=30)


class MalformedOpenAI(FakeOpenAI):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b"data: <html>Bad Gateway</html>\n\n")


def test_a_malformed_event_from_the_server_is_a_clear_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), MalformedOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        llm = RemoteLLM(f"http://127.0.0.1:{server.server_address[1]}/v1")
        with pytest.raises(ModelError, match=r"malformed event.*Bad Gateway"):
            list(llm.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))
    finally:
        server.shutdown()


def test_a_server_that_comes_up_a_moment_late_is_reached_by_retrying():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = RemoteLLM(f"http://127.0.0.1:{port}/v1")
    servers = []

    def start_late():
        time.sleep(0.3)
        server = ThreadingHTTPServer(("127.0.0.1", port), FakeOpenAI)
        servers.append(server)
        server.serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    try:
        pieces = list(llm.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))
    finally:
        time.sleep(0.05)
        for server in servers:
            server.shutdown()
    assert "".join(pieces) == "Paris is the capital [1]."
