"""Known attack requests against the running page: reading files through the file route, and
FileData values that point outside the upload cache or at a URL. All must be refused."""

from __future__ import annotations

import json

import httpx
import pytest

from chatbot.pipeline import Chatbot
from tests.conftest import served_page


@pytest.fixture
def page(config, embedder, echo_llm):
    with served_page(Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)) as url:
        yield url


def _file_routes(config) -> list[str]:
    secret = (
        config.corpus_dir / "article.md"
    )  # a real file the server can read, outside its upload cache
    targets = ["/etc/passwd", "/proc/self/environ", str(secret)]
    routes = []
    for target in targets:
        encoded = target.replace("/", "%2F")
        routes += [
            f"gradio_api/file={target}",
            f"gradio_api/file={encoded}",
            f"gradio_api/file=..%2F..%2F..%2F..%2F..%2F..{encoded}",
            f"gradio_api/file=../../../../../..{target}",
            f"file={target}",
            f"gradio_api/file=%252F{encoded[3:]}",
        ]
    return routes


def test_the_file_route_serves_nothing_outside_the_upload_cache(page, config):
    refused = 0
    routes = _file_routes(config)
    with httpx.Client(timeout=10) as http:
        for route in routes:
            response = http.get(page + route)
            body = response.text
            leaked = "root:" in body or "Richard Stallman" in body or "PATH=" in body
            assert not leaked, f"{route} leaked file contents"
            refused += response.status_code >= 400
    assert refused == len(routes), "every attack request gets an error status"


def _call(page: str, api: str, data: list) -> str:
    """Call an event through Gradio's HTTP API and return the streamed events as text."""
    with httpx.Client(timeout=30) as http:
        started = http.post(f"{page}gradio_api/call/{api}", json={"data": data})
        if started.status_code >= 400:
            return f"event: error\n{started.text}"
        event_id = started.json()["event_id"]
        return http.get(f"{page}gradio_api/call/{api}/{event_id}").text


@pytest.mark.parametrize(
    "file_data",
    [
        {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
        {"path": "../../../../etc/passwd", "meta": {"_type": "gradio.FileData"}},
        {
            "path": "http://127.0.0.1:9/doc.md",
            "url": "http://127.0.0.1:9/doc.md",
            "meta": {"_type": "gradio.FileData"},
        },
    ],
    ids=["absolute", "traversal", "url"],
)
def test_file_data_outside_the_upload_cache_is_refused(page, config, file_data):
    events = _call(page, "add_documents", [[file_data]])
    assert "event: error" in events, events
    assert "root:" not in events and "Traceback" not in events
    uploads = config.corpus_dir / "uploads"
    assert not uploads.exists() or not list(uploads.iterdir()), "nothing was added to the corpus"


def test_a_crafted_document_choice_cannot_delete_outside_the_corpus(page, config, tmp_path):
    outside = tmp_path / "keep.md"
    outside.write_text("keep me")
    for source in ("../keep.md", str(outside), "..%2Fkeep.md"):
        events = _call(page, "remove_document", [source])
        assert "event: error" in events
    assert outside.exists()


def test_error_events_carry_no_traceback_or_paths(page, config):
    events = _call(page, "chat", ["", 4, 0.1, 64])
    assert "event: error" in events
    payload = events.split("data:", 1)[1].strip() if "data:" in events else ""
    assert "Traceback" not in events and str(config.corpus_dir) not in events
    assert "empty" in json.dumps(payload).lower()
