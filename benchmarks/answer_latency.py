"""End-to-end answer latency with the configured model, side by side with raw llama-cpp-python
given the very same prompt, and against the decode ceiling (memory bandwidth / model bytes)
measured in the same run.

    python benchmarks/answer_latency.py [EVAL.jsonl] [--limit N]

Without a file it asks a few questions about the shipped license texts. For the side-by-side runs
the KV cache is cleared before each answer, so neither side profits from the other's prompt; a
first pass asks the questions one after another as a user would, where llama.cpp reuses the cached
prefix (system message with the instructions) of the question before: "warm ttft".
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from chatbot.answering import Answer
from chatbot.config import load_config
from chatbot.llm import LlamaCppLLM
from chatbot.pipeline import Chatbot, make_llm

QUESTIONS = [
    "Under the MIT license, what must be included in all copies or substantial portions of the "
    "software?",
    "Under GPL version 3, within how many days must you cure a violation after a notice?",
    "Under the Apache License 2.0, when do the patent licenses granted to you terminate?",
    "Does the MIT license come with a warranty?",
    "What does the GPL say about conveying verbatim copies?",
]


class Recording:
    """Passes everything to the real model and keeps the last messages it was given."""

    def __init__(self, llm: LlamaCppLLM):
        self.inner = llm
        self.name = llm.name
        self.messages: list[dict[str, str]] = []

    def load(self) -> None:
        self.inner.load()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream_chat(self, messages, max_tokens, temperature):
        self.messages = list(messages)
        return self.inner.stream_chat(messages, max_tokens, temperature)


def memory_bandwidth_gb_s(size_bytes: int = 1 << 30, repeats: int = 3) -> float:
    """Copy bandwidth: each copy reads and writes size_bytes."""
    source = np.ones(size_bytes // 4, dtype=np.float32)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    return 2 * size_bytes / best / 1e9


def timed(pieces) -> tuple[float, float, int]:
    started = time.perf_counter()
    first, count = None, 0
    for _ in pieces:
        first = first or time.perf_counter()
        count += 1
    end = time.perf_counter()
    return (first or end) - started, end - started, count


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

    config = load_config()
    llm = Recording(make_llm(config))
    bot = Chatbot(config, llm=llm, progress=False)
    started = time.perf_counter()
    bot.warm_up()
    print(f"warm-up (index, embedder and model load): {time.perf_counter() - started:.1f} s")
    llama = llm.inner._loaded()

    llama.reset()
    bot.warm_up()  # as at server start: the system message is in the KV cache
    warm_ttfts = [timed(p for p in bot.stream(q) if isinstance(p, str))[0] for q in questions]

    print(
        f"{'#':>2} {'prompt tok':>10} {'warm ttft':>9} {'ours ttft':>9} {'raw ttft':>8} "
        f"{'ours total':>10} {'raw total':>9} {'gen tok/s':>9}"
    )
    ours_totals, raw_totals, ours_ttfts, raw_ttfts, rates = [], [], [], [], []
    for number, question in enumerate(questions, start=1):
        llama.reset()
        answer = None

        def ours(question=question):
            nonlocal answer
            for item in bot.stream(question):
                if isinstance(item, Answer):
                    answer = item
                elif isinstance(item, str):
                    yield item

        ttft, total, _ = timed(ours())
        if not answer.prompt_tokens:
            print(f"{number:>2} refused before the model: {total:.2f} s")
            continue
        llama.reset()
        raw = llama.create_chat_completion(
            messages=llm.messages,
            max_tokens=config.max_answer_tokens,
            temperature=config.temperature,
            seed=0,
            stream=True,
        )
        raw_ttft, raw_total, _ = timed(c for c in raw if c["choices"][0]["delta"].get("content"))
        generated = llm.count_tokens(answer.text)
        rate = generated / (total - ttft) if total > ttft and generated > 1 else 0.0
        ours_totals.append(total)
        raw_totals.append(raw_total)
        ours_ttfts.append(ttft)
        raw_ttfts.append(raw_ttft)
        rates.append(rate)
        print(
            f"{number:>2} {answer.prompt_tokens:>10} {warm_ttfts[number - 1]:>9.2f} {ttft:>9.2f} "
            f"{raw_ttft:>8.2f} {total:>10.2f} "
            f"{raw_total:>9.2f} {rate:>9.1f}"
        )
    bandwidth = memory_bandwidth_gb_s()
    model_bytes = llm.inner.model_path.stat().st_size
    ceiling = bandwidth * 1e9 / model_bytes
    print(
        f"p50 first token: warm {statistics.median(warm_ttfts):.2f} s, cold: ours "
        f"{statistics.median(ours_ttfts):.2f} s, raw {statistics.median(raw_ttfts):.2f} s; "
        f"total: ours {sum(ours_totals):.1f} s, raw {sum(raw_totals):.1f} s "
        f"(overhead {100 * (sum(ours_totals) - sum(raw_totals)) / sum(raw_totals):+.1f} %)"
    )
    print(
        f"generation median {statistics.median(rates):.1f} tok/s; memory copy bandwidth "
        f"{bandwidth:.1f} GB/s "
        f"over {model_bytes / 1e9:.2f} GB of model = decode ceiling {ceiling:.1f} tok/s "
        f"({100 * statistics.median(rates) / ceiling:.0f} % of it)"
    )


if __name__ == "__main__":
    main()
