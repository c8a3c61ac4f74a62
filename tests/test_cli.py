import json

import pytest

from chatbot.cli import main


def test_help_works_for_every_command(capsys):
    for argv in (
        ["--help"],
        ["index", "--help"],
        ["ask", "--help"],
        ["serve", "--help"],
        ["fetch-model", "--help"],
        ["hash-password", "--help"],
    ):
        assert main(argv) == 0
    assert "--top-k" in capsys.readouterr().out


def test_index_prints_what_it_indexed(cli_env, fake_models, capsys):
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Indexed 2 documents into ") and str(cli_env.index_dir) in out
    assert (cli_env.index_dir / "manifest.json").is_file()


def test_index_takes_corpus_and_index_flags(cli_env, fake_models, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "one.txt").write_text("One lonely document.")
    assert main(["index", "--corpus", str(other), "--index", str(tmp_path / "other-index")]) == 0
    assert "Indexed 1 documents" in capsys.readouterr().out
    assert (tmp_path / "other-index" / "manifest.json").is_file()


@pytest.mark.parametrize("flags_after", [False, True])
def test_index_add_takes_the_folder_flags_before_or_after_the_subcommand(
    cli_env, fake_models, tmp_path, capsys, flags_after
):
    corpus, index_dir = tmp_path / "c2", tmp_path / "i2"
    corpus.mkdir()
    (corpus / "base.md").write_text("# Base\n\nA base document.")
    new = tmp_path / "zebra.md"
    new.write_text("# Zebras\n\nZebras have stripes.")
    folders = ["--corpus", str(corpus), "--index", str(index_dir)]
    argv = (
        ["index", "add", str(new), *folders]
        if flags_after
        else ["index", *folders, "add", str(new)]
    )
    assert main(argv) == 0
    assert (corpus / "added" / "zebra.md").is_file()
    assert (
        "Indexed 2 documents" in capsys.readouterr().out and (index_dir / "manifest.json").exists()
    )
    assert not (cli_env.corpus_dir / "added").exists()


def test_ask_streams_the_answer_then_the_sources(cli_env, fake_models, capsys):
    _, llm = fake_models
    llm.reply = "Richard Stallman, in 1989 [1]."
    assert main(["ask", "Who introduced the GNU General Public License, and when?"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert out.startswith("Richard Stallman, in 1989 [1].")
    assert "Reading " in captured.err and "passages: Open Source in Practice" in captured.err
    sources = out.split("Sources:")[1]
    assert "[1] Open Source in Practice — Licenses" in sources
    assert "Richard Stallman in 1989" in sources


def test_ask_prints_the_checked_answer_when_the_check_changed_the_draft(
    cli_env, fake_models, capsys
):
    _, llm = fake_models
    llm.reply = "Richard Stallman introduced it in 1989 [1]. He lives in Canberra [1]."
    assert main(["ask", "Who introduced the GNU General Public License, and when?"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(llm.reply)  # the draft, as it streamed
    checked = captured.out.split("Checked against the sources, the answer is:\n")[1]
    assert checked.startswith("Richard Stallman introduced it in 1989 [1].\n")
    assert "Canberra" not in checked.split("Sources:")[0]
    assert "Removed from the answer because the sources do not say it" in captured.err


def test_ask_builds_a_missing_index_first(cli_env, fake_models, capsys):
    assert not cli_env.index_dir.exists()
    assert main(["ask", "When was GitHub founded?"]) == 0
    assert "Rebuilding the index (there is no index yet)" in capsys.readouterr().err


def test_ask_json_prints_one_object(cli_env, fake_models, capsys):
    _, llm = fake_models
    llm.reply = "GitHub was founded in 2008 [1]."
    assert main(["ask", "--json", "When was GitHub founded?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["question"] == "When was GitHub founded?"
    assert data["answer"] == "GitHub was founded in 2008 [1]."
    assert data["citations"][0]["n"] == 1 and "2008" in data["citations"][0]["text"]
    assert data["passages"][0]["score"] > 0


def test_ask_takes_a_history_file(cli_env, fake_models, tmp_path, capsys):
    _, llm = fake_models
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps([{"role": "user", "content": "Which license did DeepSeek pick?"}])
    )
    assert main(["ask", "--history", str(history), "Is it short?"]) == 0
    assert llm.calls[-1][1]["content"] == "Which license did DeepSeek pick?"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ask", ""], "Error: The question is empty"),
        (["ask", "x" * 10_000], "the limit is 2,000"),
        (["ask", "--top-k", "0", "anything"], "top_k=0 is out of range"),
    ],
)
def test_user_mistakes_are_one_line_errors(cli_env, fake_models, capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_empty_corpus_is_a_clear_error(cli_env, fake_models, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["index", "--corpus", str(empty)]) == 1
    assert "No documents in" in capsys.readouterr().err


def test_a_missing_model_file_is_a_clear_error(cli_env, monkeypatch, embedder, capsys):
    from chatbot import pipeline

    monkeypatch.setattr(pipeline, "SentenceTransformerEmbedder", lambda *a, **k: embedder)
    assert main(["ask", "When was GitHub founded?"]) == 1
    err = capsys.readouterr().err
    assert "Model path does not exist" in err and "no-model.gguf" in err and "Traceback" not in err


def test_a_bad_history_file_is_a_usage_error(cli_env, fake_models, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert main(["ask", "--history", str(bad), "q?"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_an_unknown_environment_variable_is_reported(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("CHATBOT_TOPK", "3")
    assert main(["ask", "q?"]) == 1
    assert "CHATBOT_TOPK" in capsys.readouterr().err
