"""`chatbot index add/remove/list/sync/rebuild`, and URL ingestion with its address guard."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chatbot import fetching
from chatbot.cli import main
from chatbot.errors import CorpusError
from chatbot.fetching import checked_address, fetch
from tests.test_loaders import make_docx, make_pdf


@pytest.fixture
def indexed(cli_env, fake_models, capsys):
    assert main(["index"]) == 0
    capsys.readouterr()
    return cli_env


def test_add_files_and_folders_with_bad_ones_skipped(indexed, fake_models, tmp_path, capsys):
    embedder, _ = fake_models
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.md").write_text("# Zebra Notes\n\nZebras have stripes.")
    (folder / "sub" / "report.pdf").write_bytes(
        make_pdf(["Quarterly revenue grew by 12 percent."], "Report")
    )
    (folder / "sub" / "handbook.docx").write_bytes(
        make_docx([("title", "Handbook"), ("p", "Holidays: 25 days.")])
    )
    (folder / "empty.txt").write_text("   ")
    (folder / "picture.png").write_bytes(b"\x89PNG")
    single = tmp_path / "single.txt"
    single.write_text("A single plain text file about llamas.")
    calls_before = embedder.calls

    assert main(["index", "add", str(folder), str(single), str(tmp_path / "missing.md")]) == 0
    out, err = capsys.readouterr()
    assert out.count("Added ") == 4 and "as added/incoming/sub/report.pdf" in out
    assert (
        "empty.txt" in err
        and "missing.md: no such file or folder" in err
        and "picture.png" not in err
    )
    assert "reused from the previous index" in out and embedder.calls > calls_before

    assert main(["index", "list", "--json"]) == 0
    titles = {row["title"] for row in json.loads(capsys.readouterr().out)}
    assert {"Zebra Notes", "Report", "Handbook", "Open Source in Practice"} <= titles


def test_adding_the_same_file_twice_adds_it_once(indexed, tmp_path, capsys):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nOnce only.")
    assert main(["index", "add", str(note)]) == 0
    assert main(["index", "add", str(note)]) == 1
    assert "already in the corpus" in capsys.readouterr().err


def test_remove_by_id_then_list(indexed, capsys):
    assert main(["index", "remove", "recipes"]) == 0
    assert "Removed recipes.md" in capsys.readouterr().out
    assert main(["index", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Open Source in Practice (article.md)" in listing and "recipes" not in listing
    assert listing.rstrip().endswith("search: exact") and "1 document, " in listing


def test_remove_refuses_paths_outside_the_corpus(indexed, capsys):
    assert main(["index", "remove", "../outside.md"]) == 1
    assert "is not a document of the corpus" in capsys.readouterr().err


def test_sync_reports_what_changed_and_matches_the_folder(indexed, capsys):
    (indexed.corpus_dir / "recipes.md").unlink()
    (indexed.corpus_dir / "new.md").write_text("# New\n\nFresh text.")
    assert main(["index", "sync"]) == 0
    out, err = capsys.readouterr()
    assert (
        "new.md is new" in err and "recipes.md was removed" in err and "Indexed 2 documents" in out
    )
    assert main(["index", "sync"]) == 0
    assert "already matches" in capsys.readouterr().out


def test_sync_a_given_folder(indexed, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "one.md").write_text("# One\n\nOnly document.")
    assert main(["index", "sync", str(other)]) == 0
    assert "Indexed 1 documents" in capsys.readouterr().out


def test_rebuild_embeds_everything_again(indexed, capsys):
    assert main(["index", "rebuild"]) == 0
    out = capsys.readouterr().out
    assert ", 0 reused from the previous index" in out


class Site(BaseHTTPRequestHandler):
    """A throwaway web server: one article, one redirect to a loopback name, one huge body."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/article":
            body = (
                b"<html><head><title>Llama Facts</title></head><body><article><h1>Llama Facts</h1>"
                b"<p>Llamas are domesticated South American camelids "
                b"used as pack animals for centuries.</p>"
                b"</article></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header(
                "Location", f"http://localhost:{self.server.server_address[1]}/article"
            )
            body = b""
        elif self.path == "/binary":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            body = b"\0" * 10
        else:
            self.send_response(404)
            body = b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_url_is_added_when_private_addresses_are_allowed(indexed, site, capsys):
    assert main(["index", "add", "--allow-private-urls", f"{site}/article"]) == 0
    out = capsys.readouterr().out
    assert "as web/127-0-0-1-article-" in out
    assert main(["index", "list", "--json"]) == 0
    assert "Llama Facts" in {row["title"] for row in json.loads(capsys.readouterr().out)}


@pytest.mark.parametrize("address", ["ftp://example.org/notes.txt", "file:///etc/passwd"])
def test_an_address_of_another_scheme_is_refused_as_such(indexed, address, capsys):
    assert main(["index", "add", address]) == 1
    err = capsys.readouterr().err
    assert f"Skipped {address}: only http:// and https:// addresses can be added" in err
    assert "no such file" not in err


def test_a_local_url_is_refused_by_default(indexed, site, capsys):
    assert main(["index", "add", f"{site}/article"]) == 1
    assert "private or local address" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as one decimal number
        "http://0x7f.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://224.0.0.1/",
    ],
)
def test_the_guard_refuses_local_private_and_special_addresses(url):
    with pytest.raises(CorpusError, match="private or local address"):
        checked_address(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)"]
)
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(CorpusError, match="only http and https"):
        fetch(url)


def test_a_redirect_to_a_local_name_is_refused(site, monkeypatch):
    real = fetching.checked_address

    def allow_only_the_test_server(url, allow_private):  # the first hop is the test server itself
        return "127.0.0.1" if url.startswith(site) else real(url, allow_private)

    monkeypatch.setattr(fetching, "checked_address", allow_only_the_test_server)
    with pytest.raises(CorpusError, match="private or local address"):
        fetch(f"{site}/redirect")


def test_responses_are_capped_in_size_and_typed(site, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BYTES", 50)
    with pytest.raises(CorpusError, match="larger than"):
        fetch(f"{site}/article", allow_private=True)
    monkeypatch.undo()
    with pytest.raises(CorpusError, match="only HTML, PDF"):
        fetch(f"{site}/binary", allow_private=True)
    with pytest.raises(CorpusError, match="HTTP 404"):
        fetch(f"{site}/missing", allow_private=True)
