"""Who may change the documents: the rules, and the page's change endpoints through gradio_client
on a page shared on the network (with and without an admin password)."""

from __future__ import annotations

import hashlib
import threading

import pytest

from chatbot import change_log
from chatbot.access import Access, AccessDenied, access_for, read_password_file
from chatbot.errors import ChatbotError, IndexDataError
from chatbot.pipeline import Chatbot
from tests.conftest import served_page
from tests.fakes import FakeEmbedder

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def quick_failures(monkeypatch):
    """A wrong password still waits, just not a whole second, and the test sees that it did."""
    import chatbot.access

    waits = []
    monkeypatch.setattr(chatbot.access.time, "sleep", waits.append)
    return waits


def test_on_loopback_everyone_at_the_machine_may_change():
    for host in ("127.0.0.1", "localhost", "::1"):
        access = access_for(host, env={})
        assert access.local_only and not access.read_only
        access.check_change(None)


def test_shared_without_a_password_changes_are_off():
    access = access_for("0.0.0.0", env={})
    assert access.read_only
    with pytest.raises(AccessDenied, match="off on this page"):
        access.check_change("anything")


def test_shared_with_a_password_only_the_password_changes(quick_failures):
    access = access_for("0.0.0.0", env={"CHATBOT_ADMIN_PASSWORD": PASSWORD})
    assert access.changes_need_password and not access.read_only
    access.check_change(PASSWORD)
    assert quick_failures == []
    for wrong in ("", None, PASSWORD[:-1], PASSWORD + " ", "\udcff"):
        with pytest.raises(AccessDenied, match="Wrong admin password") as refused:
            access.check_change(wrong)
        assert PASSWORD not in str(refused.value)
    assert quick_failures == [1.0] * 5, "every wrong attempt is slowed down"


def test_the_password_file_wins_and_must_hold_a_password(tmp_path):
    path = tmp_path / "admin-password"
    path.write_text(f"{PASSWORD}\n")
    access = access_for("0.0.0.0", path, env={"CHATBOT_ADMIN_PASSWORD": "other"})
    assert access.admin_password == PASSWORD
    path.write_text("\n")
    with pytest.raises(ChatbotError, match="No admin password in"):
        read_password_file(path)
    with pytest.raises(ChatbotError, match="No admin password in"):
        read_password_file(tmp_path / "missing")


def fingerprint(*folders) -> dict[str, str]:
    """Every file under the folders and its sha256: to show that nothing changed at all."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def shared(config, embedder, echo_llm):
    """A page with the rules of `chatbot serve --host 0.0.0.0` and an admin password."""
    from gradio_client import Client

    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    access = Access(local_only=False, admin_password=PASSWORD)
    with served_page(bot, access=access) as url:
        yield Client(url, verbose=False), config


def change_calls(config, tmp_path):
    from gradio_client import handle_file

    upload = tmp_path / "zebra.md"
    upload.write_text("# Zebras\n\nZebras have stripes.")
    return {
        "/add_documents": [[handle_file(upload)]],
        "/add_url": ["https://example.org/zebras.html"],
        "/remove_document": ["recipes.md"],
        "/rebuild": [],
    }


def test_every_change_without_the_password_is_refused_and_changes_nothing(shared, tmp_path):
    client, config = shared
    before = fingerprint(config.corpus_dir, config.index_dir)
    for api, arguments in change_calls(config, tmp_path).items():
        for password in ("", "guess"):
            *_, status, _, _ = client.predict(*arguments, password, api_name=api)
            assert status.startswith("Not changed:"), (api, status)
            assert PASSWORD not in status
    assert fingerprint(config.corpus_dir, config.index_dir) == before
    assert change_log.recent(config.index_dir) == []


def test_refreshing_the_choices_first_does_not_open_removal(shared):
    """The old way round the page: its load event refreshes the removal list, then remove."""
    client, config = shared
    client.predict("http://127.0.0.1:9/x", "", api_name="/add_url")  # refreshes the choices
    *_, status, _, _ = client.predict("recipes.md", "", api_name="/remove_document")
    assert status.startswith("Not changed:") and (config.corpus_dir / "recipes.md").exists()


def test_with_the_password_the_change_happens_and_is_logged(shared):
    client, config = shared
    client.predict("", PASSWORD, api_name="/add_url")  # fills the removal list, as the page does
    *_, status, _, changes = client.predict("recipes.md", PASSWORD, api_name="/remove_document")
    assert "Removed `recipes.md`" in status and "Index rebuilt" in status
    assert not (config.corpus_dir / "recipes.md").exists()
    (entry,) = change_log.recent(config.index_dir)
    assert (entry["action"], entry["what"], entry["client"]) == (
        "remove",
        "recipes.md",
        "127.0.0.1",
    )
    assert changes["data"][0][1:] == ["remove", "recipes.md", "127.0.0.1"]


def test_a_read_only_page_refuses_even_the_right_password(config, embedder, echo_llm):
    from gradio_client import Client

    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    before = fingerprint(config.corpus_dir)
    with served_page(bot, access=Access(local_only=False)) as url:
        client = Client(url, verbose=False)
        client.predict("", PASSWORD, api_name="/add_url")  # refused, but fills the removal list
        *_, status, _, _ = client.predict("recipes.md", PASSWORD, api_name="/remove_document")
    assert "off on this page" in status
    assert fingerprint(config.corpus_dir) == before


def test_a_second_rebuild_is_refused_while_one_runs(config, echo_llm):
    class Gated(FakeEmbedder):
        def __init__(self):
            super().__init__()
            self.inside, self.release = threading.Event(), threading.Event()

        def embed_documents(self, texts):
            self.inside.set()
            assert self.release.wait(10)
            return super().embed_documents(texts)

    embedder = Gated()
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    first = threading.Thread(target=bot.rebuild)
    first.start()
    assert embedder.inside.wait(10)
    with pytest.raises(IndexDataError, match="already running"):
        bot.rebuild(wait=False)
    embedder.release.set()
    first.join(10)
    assert not first.is_alive()
