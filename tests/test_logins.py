"""The optional login in front of the page: the login file, hashed and plain passwords, and a page
that answers nobody who has not logged in."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatbot.errors import ChatbotError
from chatbot.logins import hash_password, read_login_file
from chatbot.pipeline import Chatbot
from tests.conftest import served_page


@pytest.fixture(autouse=True)
def quick_failures(monkeypatch):
    """A wrong login still waits, just not a whole second, and the test sees that it did."""
    import chatbot.logins

    waits = []

    async def record(seconds):
        waits.append(seconds)

    monkeypatch.setattr(chatbot.logins, "_wait", record)
    return waits


@pytest.fixture
def login_file(tmp_path):
    path = tmp_path / "logins"
    path.write_text(
        f"# who may read the page\nada:lovelace-1843\n\ngrace:{hash_password('cobol 1959')}\n",
        encoding="utf-8",
    )
    return path


def test_plain_and_hashed_passwords_both_log_in(login_file, quick_failures):
    logins = read_login_file(login_file)
    assert sorted(logins.passwords) == ["ada", "grace"]
    assert "cobol" not in logins.passwords["grace"], "the file need not hold the password"
    assert asyncio.run(logins.check("ada", "lovelace-1843"))
    assert asyncio.run(logins.check("grace", "cobol 1959"))
    assert quick_failures == []


def test_wrong_logins_are_refused_and_slowed_down(login_file, quick_failures):
    logins = read_login_file(login_file)
    wrong = [
        ("ada", "cobol 1959"),
        ("grace", "lovelace-1843"),
        ("grace", "cobol 1959 "),
        ("nobody", "lovelace-1843"),
        ("ada", ""),
        ("ada", "\udcff"),
    ]
    for user, password in wrong:
        assert not asyncio.run(logins.check(user, password)), (user, password)
    assert quick_failures == [1.0] * len(wrong)


def test_the_same_password_hashes_differently_each_time():
    first, second = hash_password("secret"), hash_password("secret")
    assert first != second and first.startswith("scrypt:") and "secret" not in first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ada\n", "Line 1 of the login file .* is not `user:password`"),
        (":password\n", "is not `user:password`"),
        ("# nobody yet\n\n", "names no user"),
        ("ada:one\nada:two\n", "Line 2 .* names the user 'ada' a second time"),
        ("ada:scrypt:zz:00\n", "a hashed password is `scrypt:<salt>:<hash>`"),
    ],
)
def test_a_bad_login_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "logins"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ChatbotError, match=message):
        read_login_file(path)


def test_a_missing_login_file_is_one_clear_error(tmp_path):
    with pytest.raises(ChatbotError, match="Cannot read the login file"):
        read_login_file(tmp_path / "missing")


def test_the_page_and_its_api_answer_only_after_a_login(config, embedder, echo_llm, login_file):
    from gradio_client import Client

    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    with served_page(bot, logins=read_login_file(login_file)) as url:
        assert httpx.get(f"{url}config").status_code == 401
        assert httpx.get(f"{url}gradio_api/info").status_code == 401
        with pytest.raises(ValueError, match=r"[Ll]ogin|auth|credentials"):
            Client(url, verbose=False, auth=("ada", "wrong"))
        client = Client(url, verbose=False, auth=("grace", "cobol 1959"))
        reply = client.predict("When was GitHub founded?", 4, 0.1, 384, api_name="/chat")
    assert "GitHub" in str(reply)


def test_hash_password_prints_a_line_that_logs_in(tmp_path):
    from click.testing import CliRunner

    from chatbot.cli import cli

    result = CliRunner().invoke(cli, ["hash-password"], input="s3cret pass\ns3cret pass\n")
    assert result.exit_code == 0, result.output
    hashed = result.stdout.strip().splitlines()[-1]
    assert hashed.startswith("scrypt:") and "s3cret" not in result.stdout
    path = tmp_path / "logins"
    path.write_text(f"ada:{hashed}\n")
    assert read_login_file(path).matches("ada", "s3cret pass")


def test_serve_with_a_bad_login_file_stops_with_one_line(tmp_path, cli_env, fake_models, capsys):
    from chatbot.cli import main

    path = tmp_path / "logins"
    path.write_text("just-a-name\n")
    assert main(["serve", "--login-file", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is not `user:password`" in err
