"""Concurrent chat sessions against the running page with the tiny model: answers per minute and
time to first token at 1, 4 and 16 users. (The server's memory over many answers:
benchmarks/soak.py, which runs the server in a process of its own.)

    python benchmarks/load.py [--rounds 2] [--max-tokens 48]

Each question carries its own nonce; the script counts answers that came back to the wrong
session (there must be none).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from chatbot.app import launch_page
from chatbot.config import load_config
from chatbot.models import tiny_model_path
from chatbot.pipeline import Chatbot

PORT = 7891


def ask(url: str, nonce: str, max_tokens: int) -> tuple[float, float, bool]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    started = time.perf_counter()
    job = client.submit(
        f"What does the MIT license permit? (ref {nonce})", 4, 0.1, max_tokens, api_name="/chat"
    )
    first = None
    while not job.done():
        if first is None and job.outputs():
            first = time.perf_counter() - started
        time.sleep(0.01)
    text = job.result()
    total = time.perf_counter() - started
    others = set(re.findall(r"\d+-[0-9a-f]{4}", text)) - {nonce}
    if others:
        print(f"  answer for {nonce} mentions {sorted(others)}: {text[:160]!r}")
    return first or total, total, bool(others)


def run(url: str, users: int, answers: int, max_tokens: int) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = list(pool.map(lambda i: ask(url, f"{users}-{i:04x}", max_tokens), range(answers)))
    elapsed = time.perf_counter() - started
    firsts = sorted(r[0] for r in results)
    return {
        "users": users,
        "answers": answers,
        "per_minute": answers / elapsed * 60,
        "ttft_p50": statistics.median(firsts),
        "ttft_p95": firsts[min(len(firsts) - 1, round(0.95 * (len(firsts) - 1)))],
        "mixed": sum(r[2] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="answers per user at each level")
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()

    bot = Chatbot(load_config(model_path=tiny_model_path(), n_ctx=2048), progress=False)
    bot.warm_up()
    app = launch_page(bot, port=PORT, block=False)
    url = f"http://127.0.0.1:{PORT}/"
    try:
        print(
            f"{'users':>5} {'answers':>7} {'answers/min':>11} {'ttft p50 s':>10} "
            f"{'ttft p95 s':>10} {'mixed up':>8}"
        )
        for users in (1, 4, 16):
            row = run(url, users, users * args.rounds, args.max_tokens)
            print(
                f"{row['users']:>5} {row['answers']:>7} {row['per_minute']:>11.1f} "
                f"{row['ttft_p50']:>10.2f} {row['ttft_p95']:>10.2f} {row['mixed']:>8}"
            )
    finally:
        app.close()


if __name__ == "__main__":
    main()
