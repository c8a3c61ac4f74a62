"""End-to-end answer latency with the configured model: time to first token, generation speed,
prompt size and total time per question, through the same path the CLI and the page use.

    python benchmarks/answer_latency.py [EVAL.jsonl] [--limit N]

Without a file it asks a few questions about the shipped license texts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from chatbot.answering import Answer
from chatbot.config import load_config
from chatbot.pipeline import Chatbot

QUESTIONS = [
    "Under the MIT license, what must be included in all copies or substantial portions of the software?",
    "Under GPL version 3, within how many days must you cure a violation after a notice?",
    "Under the Apache License 2.0, when do the patent licenses granted to you terminate?",
    "Does the MIT license come with a warranty?",
    "What does the GPL say about conveying verbatim copies?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_file", nargs="?", type=Path)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    questions = QUESTIONS
    if args.eval_file:
        lines = args.eval_file.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    questions = questions[: args.limit]

    bot = Chatbot(load_config(), progress=False)
    started = time.perf_counter()
    bot.warm_up()
    print(f"warm-up (index, embedder and model load): {time.perf_counter() - started:.1f} s")
    print(
        f"{'#':>2} {'prompt tok':>10} {'first token s':>13} {'gen tok/s':>9} {'total s':>8}  answer"
    )
    firsts, totals, rates = [], [], []
    for number, question in enumerate(questions, start=1):
        started = time.perf_counter()
        first, pieces, answer = None, 0, None
        for item in bot.stream(question):
            if isinstance(item, Answer):
                answer = item
            else:
                first = first or time.perf_counter()
                pieces += 1
        end = time.perf_counter()
        generated = bot.llm.count_tokens(answer.text) if answer.prompt_tokens else 0
        rate = generated / (end - first) if first and end > first and generated > 1 else 0.0
        ttft = (first or end) - started
        firsts.append(ttft)
        totals.append(end - started)
        if rate:
            rates.append(rate)
        print(
            f"{number:>2} {answer.prompt_tokens:>10} {ttft:>13.2f} {rate:>9.1f} {end - started:>8.2f}  {answer.text[:60]!r}"
        )
    print(
        f"p50 first token {statistics.median(firsts):.2f} s, p50 total {statistics.median(totals):.2f} s, "
        f"median generation {statistics.median(rates) if rates else 0:.1f} tok/s"
    )


if __name__ == "__main__":
    main()
