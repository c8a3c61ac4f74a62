"""Prompt-processing and generation speed of a GGUF model under llama-cpp-python.

    python -m benchmarks.llm_speed [MODEL.gguf] [--runs 3]

Loads the model with the settings the chatbot uses (2 threads, batch 512, extra buffer types off,
flash attention, mmap) and then with one setting changed at a time, and prints prompt and
generation speed for each: the table the load settings in chatbot/llm.py were chosen from.
Extra buffer types are llama.cpp's weight repacking (and AMX); without them, the AMX crash of
the default build on some CPUs cannot happen.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

PARAGRAPH = (
    "Open source refers to software whose source code is publicly accessible, allowing anyone to "
    "use, "
    "study, modify and share it. Its history runs from early computer-sharing culture through the "
    "free "
    "software movement to today's ecosystems of models, datasets and tools. "
)


LOAD_SETTINGS = {  # what chatbot/llm.py uses
    "threads": 2,
    "batch": 512,
    "extra_bufts": False,
    "flash_attn": True,
    "mmap": True,
    "mlock": False,
}
VARIANTS = [
    {},
    {"threads": 1},
    {"extra_bufts": True},
    {"batch": 128},
    {"batch": 2048},
    {"flash_attn": False},
    {"mmap": False},
    {"mlock": True},
]


def measure(model: Path, settings: dict, prompt_tokens: int, gen_tokens: int, runs: int):
    """(load s, median prompt tok/s, median generation tok/s)"""
    import llama_cpp

    from chatbot.llm import without_extra_buffers

    started = time.perf_counter()
    with contextlib.nullcontext() if settings["extra_bufts"] else without_extra_buffers():
        llm = llama_cpp.Llama(
            model_path=str(model),
            n_ctx=2048,
            n_threads=settings["threads"],
            n_threads_batch=settings["threads"],
            n_batch=settings["batch"],
            flash_attn=settings["flash_attn"],
            use_mmap=settings["mmap"],
            use_mlock=settings["mlock"],
            verbose=False,
            seed=0,
        )
    load_s = time.perf_counter() - started
    tokens = llm.tokenize((PARAGRAPH * 40).encode())[:prompt_tokens]
    prompt_rates, gen_rates = [], []
    for _ in range(runs):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(tokens)
        t1 = time.perf_counter()
        generated = 0
        for token in llm.generate([], temp=0.0, reset=False):
            generated += 1
            if generated >= gen_tokens or token == llm.token_eos():
                break
        t2 = time.perf_counter()
        prompt_rates.append(len(tokens) / (t1 - t0))
        gen_rates.append(generated / (t2 - t1))
    llm.close()
    return load_s, statistics.median(prompt_rates), statistics.median(gen_rates)


def main() -> None:
    from chatbot.config import load_config
    from chatbot.models import default_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, default=None)
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    model = args.model or default_model_path(load_config().model_cache_dir)
    print(
        f"model {model.name}, {args.prompt_tokens}-token prompt, {args.gen_tokens} generated, "
        f"median of {args.runs}"
    )
    print(f"{'setting':<22} {'load s':>6} {'prompt tok/s':>12} {'gen tok/s':>9} {'prompt s':>8}")
    for variant in VARIANTS:
        settings = {**LOAD_SETTINGS, **variant}
        load_s, prompt_rate, gen_rate = measure(
            model, settings, args.prompt_tokens, args.gen_tokens, args.runs
        )
        name = ", ".join(f"{k}={v}" for k, v in variant.items()) or "chatbot's settings"
        print(
            f"{name:<22} {load_s:>6.2f} {prompt_rate:>12.1f} {gen_rate:>9.1f} "
            f"{args.prompt_tokens / prompt_rate:>8.2f}"
        )


if __name__ == "__main__":
    main()
