"""Prompt-processing and generation speed of a GGUF model under llama-cpp-python.

    python benchmarks/llm_speed.py [MODEL.gguf] [--threads N] [--no-extra-bufts] [--runs 3]

Prints one row per run and the median. --no-extra-bufts loads the model with llama.cpp's extra
buffer types (AMX, weight repacking) off: the other way around the AMX crash of the default build.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

PARAGRAPH = (
    "Open source refers to software whose source code is publicly accessible, allowing anyone to use, "
    "study, modify and share it. Its history runs from early computer-sharing culture through the free "
    "software movement to today's ecosystems of models, datasets and tools. "
)


def main() -> None:
    from chatbot.config import load_config
    from chatbot.models import default_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt-tokens", type=int, default=600)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-extra-bufts", action="store_true")
    args = parser.parse_args()
    model = args.model or default_model_path(load_config().model_cache_dir)

    import llama_cpp

    from chatbot.llm import without_extra_buffers

    started = time.perf_counter()
    with without_extra_buffers() if args.no_extra_bufts else contextlib.nullcontext():
        llm = llama_cpp.Llama(
            model_path=str(model),
            n_ctx=2048,
            n_threads=args.threads,
            n_threads_batch=args.threads,
            n_batch=512,
            verbose=False,
            seed=0,
        )
    print(
        f"model {model.name}  load {time.perf_counter() - started:.2f} s  threads {args.threads}"
        f"  extra buffer types {'off' if args.no_extra_bufts else 'on'}"
    )
    text = PARAGRAPH * 40
    tokens = llm.tokenize(text.encode())[: args.prompt_tokens]
    print(f"{'run':>3} {'prompt tok':>10} {'prompt tok/s':>12} {'gen tok':>8} {'gen tok/s':>9}")
    prompt_rates, gen_rates = [], []
    for run in range(1, args.runs + 1):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(tokens)
        t1 = time.perf_counter()
        generated = 0
        for token in llm.generate([], temp=0.0, reset=False):
            generated += 1
            if generated >= args.gen_tokens or token == llm.token_eos():
                break
        t2 = time.perf_counter()
        prompt_rates.append(len(tokens) / (t1 - t0))
        gen_rates.append(generated / (t2 - t1))
        print(
            f"{run:>3} {len(tokens):>10} {prompt_rates[-1]:>12.1f} {generated:>8} {gen_rates[-1]:>9.1f}"
        )
    print(
        f"median prompt {statistics.median(prompt_rates):.1f} tok/s, generation {statistics.median(gen_rates):.1f} tok/s"
    )


if __name__ == "__main__":
    main()
