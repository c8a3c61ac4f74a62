"""Memory over many answers: `chatbot serve` with the tiny model in a process of its own, asked by
16 concurrent users, its resident memory (RSS) sampled as the answers come back.

    python -m benchmarks.soak [--answers 1000] [--users 16] [--every 25] [--svg docs/soak-rss.svg]

The server runs apart from the clients so that only its own memory is measured (gradio_client's
memory once counted in with it). To fit 1,000 answers in under an hour on 2 cores, each answer
reads 2 passages, writes at most 32 tokens and skips the model's yes/no judgement of each sentence
(the same model calls as the answer itself). Prints the samples, the growth over each half of the
run, and writes the curve as an SVG line chart.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from chatbot.models import tiny_model_path

PORT = 7893
QUESTIONS = [
    "Who introduced the GNU GPL, and when?",
    "When was GitHub founded?",
    "What did DeepSeek-R1 cost to train?",
    "What must be kept in all copies of software under the MIT license?",
]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024


def start_server(max_tokens: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "CHATBOT_MODEL_PATH": str(tiny_model_path()),
        "CHATBOT_N_CTX": "2048",
        "CHATBOT_MAX_ANSWER_TOKENS": str(max_tokens),
        "CHATBOT_JUDGE_CLAIMS": "false",
        "HF_HUB_OFFLINE": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "serve", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/config", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start within 5 minutes")


def svg_chart(points: list[tuple[int, float]], title: str) -> str:
    """A plain line chart of (answers, MB): axes, a few ticks, the line."""
    width, height, left, bottom, top, right = 640, 320, 60, 40, 30, 20
    most_answers = max(a for a, _ in points) or 1
    low = min(m for _, m in points)
    high = max(m for _, m in points)
    low, high = low - 0.1 * (high - low + 1), high + 0.1 * (high - low + 1)

    def x(answers: float) -> float:
        return left + (width - left - right) * answers / most_answers

    def y(mb: float) -> float:
        return top + (height - top - bottom) * (1 - (mb - low) / (high - low))

    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="18" text-anchor="middle">{title}</text>',
        f'<line x1="{left}" y1="{y(low)}" x2="{width - right}" y2="{y(low)}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(low)}" stroke="black"/>',
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle">answers</text>',
    ]
    for step in range(5):
        answers = most_answers * step / 4
        mb = low + (high - low) * step / 4
        lines.append(
            f'<text x="{x(answers)}" y="{y(low) + 16}" text-anchor="middle">{answers:.0f}</text>'
        )
        lines.append(f'<text x="{left - 6}" y="{y(mb) + 4}" text-anchor="end">{mb:.0f} MB</text>')
    path = " ".join(f"{x(a):.1f},{y(m):.1f}" for a, m in points)
    lines.append(f'<polyline points="{path}" fill="none" stroke="#d97706" stroke-width="2"/>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--every", type=int, default=25, help="answers between memory samples")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--top-k", type=int, default=2, help="passages per answer")
    parser.add_argument("--svg", type=Path, help="write the RSS curve here")
    args = parser.parse_args()

    from gradio_client import Client

    server = start_server(args.max_tokens)
    url = f"http://127.0.0.1:{PORT}/"
    samples: list[tuple[int, float]] = [(0, rss_mb(server.pid))]
    done, lock = 0, threading.Lock()
    clients = [Client(url, verbose=False) for _ in range(args.users)]
    started = time.perf_counter()
    print(f"server RSS at start {samples[0][1]:.0f} MB", flush=True)

    def ask(number: int) -> None:
        nonlocal done
        client = clients[number % args.users]
        question = f"{QUESTIONS[number % len(QUESTIONS)]} (ref {number:04d})"
        client.predict(question, args.top_k, 0.1, args.max_tokens, api_name="/chat")
        with lock:
            done += 1
            if done % args.every == 0:
                samples.append((done, rss_mb(server.pid)))
                print(f"  {done:>5} answers: RSS {samples[-1][1]:.0f} MB", flush=True)

    try:
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            list(pool.map(ask, range(args.answers)))
    finally:
        server.terminate()
        server.wait(30)
    minutes = (time.perf_counter() - started) / 60
    half = len(samples) // 2
    first, second = samples[half][1] - samples[0][1], samples[-1][1] - samples[half][1]
    print(
        f"{args.answers} answers in {minutes:.1f} min; RSS {samples[0][1]:.0f} -> "
        f"{samples[-1][1]:.0f} MB (peak {max(m for _, m in samples):.0f}); first half "
        f"{first:+.0f} MB, second half {second:+.0f} MB"
    )
    if args.svg:
        title = f"chatbot serve (tiny model, {args.users} users): RSS over {args.answers} answers"
        args.svg.write_text(svg_chart(samples, title), encoding="utf-8")
        print(f"chart written to {args.svg}")


if __name__ == "__main__":
    main()
