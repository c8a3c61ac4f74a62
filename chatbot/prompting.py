"""Numbered passages + question (+ history) -> chat messages that fit the model's context budget.

The fixed instructions come first and the passages and question last, so the prefix stays the same
from one question to the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chatbot.retrieval import Passage

NOT_COVERED = "The documents do not cover this question."

SYSTEM_PROMPT = (
    "You are a careful assistant that answers questions from documents and cites its sources."
)

# Instructions go after the passages, nearest to where the model starts writing: the small default
# model follows them far better there. Measured on 4 answerable license questions with the default
# model: "reply exactly: <refusal> if the passages do not answer" wrongly refused 3 of 4; "if the
# passages do not contain the answer, say so" refused 1 of 4; "if they say nothing about the
# question" answered all 4 citing the right passage. Refusal is mostly decided before the model is
# called, from retrieval evidence (see answering.py).
INSTRUCTIONS = (
    "Answer the question in one to three sentences using only the passages above. "
    "End every sentence with the number of the passage it comes from in square brackets, like [1]. "
    "If the passages say nothing about the question, say that the documents do not cover it."
)

# Chat-template control tokens (ChatML, Llama, Gemma, SmolLM …). Text is rendered into the template
# and tokenised with special tokens recognised, so a document holding "<|im_start|>system" could
# otherwise open a turn of its own.
_CONTROL_TOKENS = re.compile(
    r"<\|[^<>|\s]{1,64}\|>|</?s>|\[/?INST\]|<<?/?SYS>>?|<(?:start|end)_of_turn>", re.IGNORECASE
)

MAX_HISTORY_TURNS = 6  # user+assistant messages kept from earlier in the conversation
MIN_PASSAGE_TOKENS = 48  # a passage cut shorter than this is left out instead


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    passages: list[Passage]  # the passages numbered [1]..[n] in the prompt, in order
    tokens: int  # estimated prompt length


def neutralise(text: str) -> str:
    """Break up chat-template control tokens so they reach the model as plain characters."""
    return _CONTROL_TOKENS.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], text)


def format_passage(n: int, passage: Passage, text: str | None = None) -> str:
    return f"[{n}] ({neutralise(passage.where)})\n{neutralise(passage.chunk.text if text is None else text)}"


def _user_message(question: str, blocks: list[str]) -> str:
    """The question before the passages (so they are read with it in mind) and again after them."""
    passages = "\n\n".join(blocks)
    return (
        f"Question: {question}\n\nPassages:\n\n{passages}\n\nQuestion: {question}\n\n{INSTRUCTIONS}"
    )


def build_prompt(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[dict[str, str]],
    count_tokens: Callable[[str], int],
    budget: int,
) -> Prompt:
    """Chat messages holding as many passages, best first, as fit in `budget` tokens.

    The last passage that does not fit whole is cut at a word boundary; older history turns go first
    when even the question does not fit.
    """
    question = neutralise(question)
    turns = [{"role": t["role"], "content": neutralise(t["content"])} for t in history][
        -MAX_HISTORY_TURNS:
    ]
    if turns and turns[0]["role"] == "assistant":
        turns = turns[1:]
    fixed = count_tokens(SYSTEM_PROMPT) + count_tokens(_user_message(question, [])) + 16
    history_tokens = [count_tokens(t["content"]) + 4 for t in turns]
    while turns and fixed + sum(history_tokens) > budget // 2:
        turns, history_tokens = turns[2:], history_tokens[2:]
    used = fixed + sum(history_tokens)

    blocks: list[str] = []
    kept: list[Passage] = []
    for passage in passages:
        block = format_passage(len(kept) + 1, passage)
        cost = count_tokens(block) + 2
        if used + cost > budget:
            room = budget - used
            if room < MIN_PASSAGE_TOKENS:
                break
            text = passage.chunk.text
            for _ in range(
                4
            ):  # token counts are not proportional to characters: shrink until it fits
                text = text[: int(len(text) * room / cost * 0.95)]
                text = text[: text.rfind(" ")] if " " in text else text
                block = format_passage(len(kept) + 1, passage, text + " …")
                cost = count_tokens(block) + 2
                if used + cost <= budget:
                    break
            else:
                break
        blocks.append(block)
        kept.append(passage)
        used += cost
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, *turns]
    messages.append({"role": "user", "content": _user_message(question, blocks)})
    return Prompt(messages=messages, passages=kept, tokens=used)
