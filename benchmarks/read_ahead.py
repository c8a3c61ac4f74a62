"""Passages read ahead against read in full, in one run, on an eval set: quality, the tokens the
model reads after the question arrives, time to the first token and to the checked answer, model
calls per answer; then what the states cost (build time for the whole index, disk, loading 5).

    python -m benchmarks.read_ahead EVAL.jsonl [--limit N] [--kind KIND] [--model small]
                                    [--out results.jsonl]

Each question is answered by both (two models loaded, each with its own KV cache), one line per
answer appended to --out as it comes. The states live in a fresh folder, made at first use; pass
--prepare to make the whole index's states first (and time it).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from chatbot.config import load_config
from chatbot.evaluation import evaluate, load_items, results_as_dicts, summarise
from chatbot.pipeline import Chatbot, make_llm, shared_embedder
from chatbot.prompting import reading_prompt

MEASURES = [
    ("answers", "accuracy"),
    ("answers", "refusal_rate_unanswerable"),
    ("answers", "false_refusals"),
    ("answers", "false_premise_correction"),
    ("citations", "precision"),
    ("latency_s", "read_to_first_token_p50"),
    ("latency_s", "read_in_all_p50"),
    ("latency_s", "model_calls_p50"),
    ("latency_s", "model_calls_max"),
    ("latency_s", "first_token_p50"),
    ("latency_s", "total_p50"),
]


def cpu() -> str:
    """The CPU model and the vector extensions that decide llama.cpp's speed."""
    name, flags = platform.processor() or "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    wide = [f for f in ("avx2", "avx512f", "avx512_vnni", "amx_tile") if f in flags]
    return f"{name}; {(len(flags) and ', '.join(wide)) or 'flags unknown'}"


def state_costs(bot: Chatbot) -> dict:
    """Build time of every indexed passage's state, their disk size, and loading 5 of them."""
    started = time.perf_counter()
    count = bot.read_ahead(progress=True)
    built = time.perf_counter() - started
    store = bot.llm.state_store
    reader = bot.llm._reader
    passages = list(bot.retriever.every_passage())[:5]
    renders = [reader.renderer.render(reading_prompt(p)) for p in passages]
    segments = [next(s for s in r.segments if s.passage) for r in renders]
    reader.llama.n_tokens = 0  # an empty KV cache, the 5 placed one after another
    reader.low.llama_memory_seq_rm(reader.memory, 0, -1, -1)
    started, at = time.perf_counter(), 0
    for rendered, segment in zip(renders, segments, strict=True):
        state = reader.state(rendered.head, segment.tokens)
        assert reader._put(state, segment.tokens, at, len(segment.tokens))
        at += len(segment.tokens)
    loaded = time.perf_counter() - started
    reader.low.llama_memory_seq_rm(reader.memory, 0, -1, -1)  # what was placed is no prompt
    size = store.size()
    return {
        "passages": count,
        "build_s": round(built, 1),
        "disk_mb": round(size / 1e6, 1),
        "mb_per_passage": round(size / 1e6 / max(count, 1), 2),
        "load_5_s": round(loaded, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_file", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--kind", help="only questions of this kind")
    parser.add_argument("--model", choices=["default", "small"], default="default")
    parser.add_argument("--out", type=Path, help="one JSON line per answer, as they come")
    parser.add_argument("--prepare", action="store_true", help="make every state first")
    parser.add_argument("--reread", type=int, default=0, help="passage tokens read again")
    parser.add_argument("--ahead-only", action="store_true", help="skip reading in full")
    args = parser.parse_args()
    items = [i for i in load_items(args.eval_file) if not args.kind or i.kind == args.kind]
    items = items[: args.limit]
    states = Path(tempfile.mkdtemp(prefix="chatbot-states-"))
    base = load_config(model=args.model, reread_tokens=args.reread)
    bots = {}
    modes = (
        (("read ahead", True),)
        if args.ahead_only
        else (("read ahead", True), ("read in full", False))
    )
    for mode, on in modes:
        config = base.replace(read_ahead=on)
        llm = make_llm(config)
        if on:
            llm.states = states  # a fresh folder: nothing made before this run
        llm.load()
        bots[mode] = Chatbot(config, embedder=shared_embedder(base), llm=llm, progress=False)
    print(f"CPU: {cpu()}; model: {args.model}; re-read {args.reread}; {len(items)} questions")
    costs = state_costs(bots["read ahead"]) if args.prepare else None
    results = {mode: [] for mode in bots}
    out = args.out.open("a") if args.out else None
    for item in items:
        for mode, bot in bots.items():
            _, (result,) = evaluate(bot, [item])
            results[mode].append(result)
            line = {"mode": mode, "model": args.model, **results_as_dicts([result])[0]}
            print(json.dumps(line, ensure_ascii=False), file=out, flush=True) if out else None
            print(
                f"{item.id} {mode:>12}: read {result.read_to_first_token} / "
                f"{result.read_in_all} tokens, first token {result.first_token_s or 0:.2f} s, "
                f"answer {result.total_s:.2f} s, right {result.correct}",
                flush=True,
            )
    summaries = {mode: summarise(r, False) for mode, r in results.items()}
    print(f"\nCPU: {cpu()}; model: {args.model}; {len(items)} questions")
    print(f"{'measure':<40}" + "".join(f"{m:>14}" for m in summaries))
    for section, name in MEASURES:
        values = [summaries[m][section].get(name) for m in summaries]
        print(f"{section + '.' + name:<40}" + "".join(f"{v!s:>14}" for v in values))
    if not args.ahead_only:
        firsts = [
            statistics.median(r.first_token_s for r in results[m] if r.first_token_s)
            for m in ("read ahead", "read in full")
        ]
        print(f"first token sooner with read-ahead: {firsts[1] / firsts[0]:.1f}x")
    if costs:
        print(f"states: {json.dumps(costs)}")


if __name__ == "__main__":
    main()
