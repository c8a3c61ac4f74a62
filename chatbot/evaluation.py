"""Eval set (JSONL) -> measured quality: retrieval recall@k and MRR, answer accuracy, refusals,
false-premise corrections, citation precision, latency. Per-item results are kept for reading.

The format is that of the project's eval sets: id, question, kind, answerable, gold_quotes,
answer_keywords (groups of alternatives), optional history.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.answering import (
    Answer,
    Reading,
    looks_like_refusal,
    retrieval_query,
    validate_history,
)
from chatbot.errors import ChatbotError
from chatbot.sentences import cited_numbers, sentence_spans, without_markers
from chatbot.verification import SUPPORTED, key_terms, support

RECALL_AT = (1, 3, 5, 10)


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    kind: str
    answerable: bool
    gold_quotes: tuple[str, ...]
    answer_keywords: tuple[tuple[str, ...], ...]
    history: tuple[dict, ...] = ()


@dataclass
class ItemResult:
    item: EvalItem
    gold_rank: int | None = None  # 1-based rank of the first passage holding a gold quote
    answer: str | None = None
    correct: bool | None = None
    refused: bool | None = None
    cited: int = 0
    cited_with_gold: int = 0
    sentences: int = 0  # sentences of the answer
    sentences_supported: int = 0  # ... that carry a citation of a passage supporting them
    reading_s: float | None = None  # until the passages being read were shown
    first_token_s: float | None = None
    total_s: float | None = None
    prompt_tokens: int | None = None
    # Prompt tokens the model read after the question arrived: before the first answer token,
    # and over every model call of the answer (None where the model does not count them).
    read_to_first_token: int | None = None
    read_in_all: int | None = None
    model_calls: int | None = None
    passages: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()  # the answer's notes and checks: what the check changed, and why


def load_items(path: Path) -> list[EvalItem]:
    """Read an eval set. Raises ChatbotError naming the line of a malformed item."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    id=str(raw["id"]),
                    question=raw["question"],
                    kind=raw.get("kind", "factoid"),
                    answerable=bool(raw.get("answerable", True)),
                    gold_quotes=tuple(raw.get("gold_quotes", [])),
                    answer_keywords=tuple(tuple(group) for group in raw.get("answer_keywords", [])),
                    history=tuple(raw.get("history") or ()),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ChatbotError(f"{path}:{number} is not a valid eval item ({exc}).") from None
        if not items[-1].answer_keywords or not all(items[-1].answer_keywords):
            # all() of no groups is true: such an item would count every answer as correct.
            raise ChatbotError(
                f"{path}:{number} has no answer_keywords groups (or an empty one); "
                "give at least one group of alternatives an answer must contain."
            )
    if not items:
        raise ChatbotError(f"{path} holds no eval items.")
    return items


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def holds_gold(text: str, quotes: Iterable[str]) -> bool:
    """A passage hits when it contains a gold quote, however the source wraps its lines."""
    squashed = _squash(text)
    return any(_squash(q) in squashed for q in quotes)


def keywords_match(text: str, groups: Iterable[Iterable[str]]) -> bool:
    """True when every group has an alternative in the text; never true for no groups."""
    lowered = text.lower().replace("’", "'")
    groups = [list(group) for group in groups]
    return bool(groups) and all(
        any(alt.lower().replace("’", "'") in lowered for alt in group) for group in groups
    )


def sentence_citation_recall(answer: Answer) -> tuple[int, int]:
    """(sentences, sentences whose citations support them), in the spirit of ALCE's citation
    recall: the cited passages together hold most of the sentence's key terms and every number."""
    by_n = {c.n: c.passage for c in answer.citations}
    total = supported = 0
    for start, end in sentence_spans(answer.text):
        sentence = answer.text[start:end]
        terms = key_terms(without_markers(sentence))
        if not terms:
            continue
        total += 1
        cited = [by_n[n] for n in cited_numbers(sentence) if n in by_n]
        held = set().union(*(key_terms(f"{p.where} {p.chunk.text}") for p in cited))
        supported += bool(cited) and support(terms, held) >= SUPPORTED
    return total, supported


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _reading(llm) -> tuple[int, int] | None:
    """(model calls so far, prompt tokens read so far) of a model that counts them, else None."""
    if not getattr(llm, "counts_reading", False):
        return None
    return llm.calls, llm.tokens_read


def evaluate(
    bot,
    items: list[EvalItem],
    retrieval_only: bool = False,
    depth: int = 10,
    on_result: Callable[[ItemResult], None] | None = None,
) -> tuple[dict, list[ItemResult]]:
    """Run every item through retrieval (and, unless retrieval_only, the whole answer);
    on_result hears of each item as soon as it is done."""
    retriever = bot.retriever
    results = []
    for item in items:
        result = ItemResult(item)
        query = retrieval_query(item.question, validate_history(list(item.history)))
        if item.gold_quotes:
            for rank, passage in enumerate(retriever.retrieve(query, depth), start=1):
                if holds_gold(passage.chunk.text, item.gold_quotes):
                    result.gold_rank = rank
                    break
        if not retrieval_only:
            _answer_item(bot, item, result)
        results.append(result)
        if on_result:
            on_result(result)
    return summarise(results, retrieval_only), results


def _answer_item(bot, item: EvalItem, result: ItemResult) -> None:
    """The whole answer to one item, timed, and what it is measured by."""
    before = _reading(bot.llm)
    started = time.perf_counter()
    answer: Answer | None = None
    for piece in bot.stream(item.question, list(item.history)):
        if isinstance(piece, Answer):
            answer = piece
        elif isinstance(piece, Reading):
            result.reading_s = time.perf_counter() - started
        elif result.first_token_s is None:
            result.first_token_s = time.perf_counter() - started
            if before:
                result.read_to_first_token = _reading(bot.llm)[1] - before[1]
    result.total_s = time.perf_counter() - started
    if before:
        calls, read = _reading(bot.llm)
        result.model_calls, result.read_in_all = calls - before[0], read - before[1]
    result.answer = answer.text
    # The model may refuse in its own words; an answer that does neither is not a refusal,
    # whatever keywords it happens to contain.
    result.refused = answer.refused or looks_like_refusal(answer.text)
    result.prompt_tokens = answer.prompt_tokens
    result.correct = keywords_match(answer.text, item.answer_keywords)
    result.cited = len(answer.citations)
    result.cited_with_gold = sum(
        holds_gold(c.passage.chunk.text, item.gold_quotes) for c in answer.citations
    )
    result.passages = [p.chunk.id for p in answer.passages]
    result.notes = answer.notes + answer.checks
    if not answer.refused:
        result.sentences, result.sentences_supported = sentence_citation_recall(answer)


def summarise(results: list[ItemResult], retrieval_only: bool) -> dict:
    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 3) if flags else None

    ranked = [r for r in results if r.item.answerable and r.item.gold_quotes]
    summary: dict = {"items": len(results), "retrieval": {"items": len(ranked)}}
    for k in RECALL_AT:
        summary["retrieval"][f"recall@{k}"] = share(
            [r.gold_rank is not None and r.gold_rank <= k for r in ranked]
        )
    summary["retrieval"]["mrr"] = (
        round(sum(1 / r.gold_rank for r in ranked if r.gold_rank) / len(ranked), 3)
        if ranked
        else None
    )
    if retrieval_only:
        return summary
    answerable = [r for r in results if r.item.answerable]

    # A refusal is never a right answer, whatever its "what they do say" part happens to contain.
    def right(r) -> bool:
        return bool(r.correct) and not r.refused

    def by_kind(kind: str) -> list[bool]:
        return [right(r) for r in results if r.item.kind == kind]

    cited = sum(r.cited for r in answerable)
    sentences = sum(r.sentences for r in answerable)
    summary["answers"] = {
        "accuracy": share([right(r) for r in answerable]),
        "refusal_rate_unanswerable": share(
            [bool(r.refused) for r in results if r.item.kind == "unanswerable"]
        ),
        "false_refusals": share([bool(r.refused) for r in answerable]),
        "false_premise_correction": share(by_kind("false_premise")),
        "conversational_accuracy": share(by_kind("conversational")),
    }
    summary["citations"] = {
        "precision": round(sum(r.cited_with_gold for r in answerable) / cited, 3)
        if cited
        else None,
        "recall": (
            round(sum(r.sentences_supported for r in answerable) / sentences, 3)
            if sentences
            else None
        ),
        "answers_with_citation": share([r.cited > 0 for r in answerable]),
    }
    readings = [r.reading_s for r in results if r.reading_s is not None]
    firsts = [r.first_token_s for r in results if r.first_token_s is not None]
    totals = [r.total_s for r in results if r.total_s is not None]
    prompts = [r.prompt_tokens for r in results if r.prompt_tokens]
    summary["latency_s"] = {
        "passages_shown_p50": _round(_percentile(readings, 0.5)),
        "first_token_p50": _round(_percentile(firsts, 0.5)),
        "first_token_p95": _round(_percentile(firsts, 0.95)),
        "total_p50": _round(_percentile(totals, 0.5)),
        "total_p95": _round(_percentile(totals, 0.95)),
        "prompt_tokens_mean": round(statistics.mean(prompts)) if prompts else None,
    }
    for name in ("read_to_first_token", "read_in_all", "model_calls"):
        counted = [getattr(r, name) for r in results if getattr(r, name) is not None]
        summary["latency_s"][f"{name}_p50"] = _percentile(counted, 0.5)
        summary["latency_s"][f"{name}_max"] = max(counted, default=None)
    return summary


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def format_table(summary: dict) -> str:
    lines = [f"{'measure':<34} value"]
    for section, values in summary.items():
        if not isinstance(values, dict):
            lines.append(f"{section:<34} {values}")
            continue
        for name, value in values.items():
            lines.append(f"{section + '.' + name:<34} {'-' if value is None else value}")
    return "\n".join(lines)


def results_as_dicts(results: list[ItemResult]) -> list[dict]:
    return [
        {
            "id": r.item.id,
            "kind": r.item.kind,
            "question": r.item.question,
            "gold_rank": r.gold_rank,
            "answer": r.answer,
            "correct": r.correct,
            "refused": r.refused,
            "cited": r.cited,
            "cited_with_gold": r.cited_with_gold,
            "reading_s": _round(r.reading_s),
            "first_token_s": _round(r.first_token_s),
            "total_s": _round(r.total_s),
            "prompt_tokens": r.prompt_tokens,
            "read_to_first_token": r.read_to_first_token,
            "read_in_all": r.read_in_all,
            "model_calls": r.model_calls,
            "passages": r.passages,
            "notes": list(r.notes),
        }
        for r in results
    ]
