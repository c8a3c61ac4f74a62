"""The same corpus, embedder and GGUF through this chatbot and through LlamaIndex's default
pipeline (SimpleDirectoryReader + VectorStoreIndex + LlamaCPP query engine), side by side.

    make bench-peer        # installs LlamaIndex into .venv-peer (never into .venv), then runs this

Prints index build time and, per question, time to first token and total answer time for both,
and the ratios peer / ours. Models are loaded and warmed before timing on both sides. LlamaIndex
gets what its documentation tells a user to give it: the model path, a chat prompt format for the
model (ChatML), the context size and 2 threads; everything else is its default (1024-token chunks
with 200 overlap, top 2 passages, its own prompt). "peer, same load" also loads its model with
the load settings this chatbot measured as faster (llama.cpp's extra buffer types off, flash
attention on).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from statistics import median

from benchmarks.answer_latency import QUESTIONS, timed
from chatbot.config import PROJECT_ROOT, Config
from chatbot.documents import load_corpus
from chatbot.embedding import SentenceTransformerEmbedder, packaged_model_dir
from chatbot.index import build_index, embedding_text, load_index
from chatbot.llm import LlamaCppLLM, without_extra_buffers
from chatbot.models import default_model_path
from chatbot.pipeline import Chatbot


def chatml_completion(prompt: str) -> str:
    return f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


def chatml_messages(messages) -> str:
    turns = "".join(f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def peer_answers(corpus: Path, model: Path, questions: list[str], same_load: bool):
    """(index build s, chunks, [(ttft, total)]) through LlamaIndex."""
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.llms.llama_cpp import LlamaCPP

    embed_model = HuggingFaceEmbedding(model_name=str(packaged_model_dir()), device="cpu")
    embed_model.get_text_embedding("load the model before timing")
    started = time.perf_counter()
    documents = SimpleDirectoryReader(str(corpus), recursive=True).load_data()
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    build_s = time.perf_counter() - started
    chunks = len(index.docstore.docs)
    seen = embedded_share(
        embed_model._model,
        [n.get_content(metadata_mode="embed") for n in index.docstore.docs.values()],
    )

    def load():
        return LlamaCPP(
            model_path=str(model),
            temperature=0.1,
            max_new_tokens=384,
            context_window=4096,
            model_kwargs={"n_threads": 2, "n_threads_batch": 2, "seed": 0, "flash_attn": same_load},
            messages_to_prompt=chatml_messages,
            completion_to_prompt=chatml_completion,
            verbose=False,
        )

    if same_load:
        with without_extra_buffers():
            llm = load()
    else:
        llm = load()
    Settings.llm = llm
    engine = index.as_query_engine(llm=llm, streaming=True)
    "".join(engine.query("What is this about?").response_gen)  # warm up
    times = []
    for question in questions:
        started = time.perf_counter()
        response = engine.query(question)
        ttft, total, _ = timed(response.response_gen)
        # timed() starts its clock when iteration starts: add retrieval and prompt building.
        before = time.perf_counter() - started - total
        times.append((ttft + before, total + before))
    return build_s, chunks, seen, times


def embedded_share(model, texts: list[str]) -> float:
    """Share of the texts' tokens within the embedder's max_seq_length (the rest is cut off)."""
    lengths = [len(model.tokenizer(t)["input_ids"]) for t in texts]
    return sum(min(n, model.max_seq_length) for n in lengths) / sum(lengths)


def our_answers(corpus: Path, model: Path, questions: list[str], work: Path):
    embedder = SentenceTransformerEmbedder()
    embedder.embed_query("load the model before timing")
    started = time.perf_counter()
    documents = load_corpus(corpus)
    report = build_index(documents, embedder, work / "index", Config().chunking)
    build_s = time.perf_counter() - started
    by_id = {d.id: d for d in documents}
    index = load_index(work / "index")
    seen = embedded_share(
        embedder._loaded(), [embedding_text(by_id[c.doc_id], c) for c in index.chunks]
    )
    config = Config(corpus_dir=corpus, index_dir=work / "index", model_path=model)
    bot = Chatbot(config, embedder=embedder, llm=LlamaCppLLM(model, n_threads=2), progress=False)
    bot.warm_up()
    bot.answer("What is this about?")
    times = []
    for question in questions:
        ttft, total, _ = timed(p for p in bot.stream(question) if isinstance(p, str))
        times.append((ttft, total))
    return build_s, report.chunks, seen, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    model = args.model or default_model_path(Config().model_cache_dir)
    with tempfile.TemporaryDirectory() as work:
        rows = {"ours": our_answers(args.corpus, model, QUESTIONS, Path(work))}
    rows["peer, defaults"] = peer_answers(args.corpus, model, QUESTIONS, same_load=False)
    rows["peer, same load"] = peer_answers(args.corpus, model, QUESTIONS, same_load=True)

    print(
        f"{'pipeline':<16} {'chunks':>6} {'embedded':>8} {'build s':>8} {'ttft p50':>8} "
        f"{'total p50':>9} {'total sum':>9}"
    )
    for name, (build_s, chunks, seen, times) in rows.items():
        ttfts, totals = [t for t, _ in times], [t for _, t in times]
        print(
            f"{name:<16} {chunks:>6} {seen:>8.0%} {build_s:>8.1f} {statistics.median(ttfts):>8.2f} "
            f"{statistics.median(totals):>9.2f} {sum(totals):>9.1f}"
        )
    print(
        "embedded: share of the chunks' tokens inside the embedder's window (the rest is cut off)"
    )
    ours_build, _, _, ours_times = rows["ours"]
    for name in ("peer, defaults", "peer, same load"):
        build_s, _, _, times = rows[name]
        print(
            f"{name} / ours: index build {build_s / ours_build:.2f}x, "
            f"first token {median(t for t, _ in times) / median(t for t, _ in ours_times):.2f}x, "
            f"answer time {sum(t for _, t in times) / sum(t for _, t in ours_times):.2f}x"
        )


if __name__ == "__main__":
    main()
