"""Chat messages -> tokens in llama.cpp's KV cache, with passages read ahead of time.

The passages a prompt quotes are fixed text, known when the index is built. Each one's KV state
is computed once, as it reads right after the fixed instructions (in a scratch sequence of its
own), and saved. At question time the prompt is stitched in the main sequence: the instructions,
then each passage's state placed at its position (llama.cpp shifts the positions), and only the
text between and after them — passage numbers, the question, the reminder — is read fresh. A
passage whose state is missing or damaged is read the ordinary way, and its state kept for next
time.

Every later call on the same prompt (the claim check, a name look-up) shares the stitched prefix
and reads only its own tokens. Without read-ahead the same tokens are read in full, so that both
ways can be compared on exactly the same prompt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.passage_states import StateStore

log = logging.getLogger(__name__)

MAIN, SCRATCH = 0, 1  # sequence ids: the prompt answered, and where states are made and loaded
SEQUENCES = 2
_CUT = "\x00passages\x00"  # stands for the first passage while rendering the instructions alone


@dataclass(frozen=True)
class Segment:
    tokens: tuple[int, ...]
    passage: str | None = None  # the passage text these tokens read, when they read one


@dataclass(frozen=True)
class Rendered:
    """A prompt as tokens, in segments: passages and the text around them."""

    segments: tuple[Segment, ...]
    head: tuple[int, ...]  # the instructions as a passage state is made after them
    stop: tuple[str, ...]
    stopping_criteria: object | None

    @property
    def tokens(self) -> list[int]:
        return [t for s in self.segments for t in s.tokens]


def passages_of(messages: Sequence[dict]) -> tuple[str, ...]:
    """The passage texts the last message quotes (its "passages" entry), in order."""
    return tuple(messages[-1].get("passages", ())) if messages else ()


def plain(messages: Sequence[dict]) -> list[dict[str, str]]:
    """The messages as a chat template or a server expects them: role and content only."""
    return [{"role": m["role"], "content": m["content"]} for m in messages]


class Renderer:
    """Renders messages with the model's own chat template and tokenises them in segments."""

    def __init__(self, llama):
        from llama_cpp import llama_chat_format

        self.llama = llama
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ValueError("the model has no chat template")
        eos_id, bos_id = llama.token_eos(), llama.token_bos()
        text = llama._model.token_get_text
        self._format = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=text(eos_id) if eos_id != -1 else "",
            bos_token=text(bos_id) if bos_id != -1 else "",
            stop_token_ids=[eos_id],
        )

    def _tokens(self, text: str, special: bool) -> tuple[int, ...]:
        if not text:
            return ()
        return tuple(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def render(self, messages: Sequence[dict]) -> Rendered:
        passages = passages_of(messages)
        result = self._format(messages=plain(messages))
        prompt, segments, cursor = result.prompt, [], 0
        for passage in passages:
            at = prompt.find(passage, cursor)
            if at < 0:
                continue  # not quoted as given: read as ordinary text
            segments.append(Segment(self._tokens(prompt[cursor:at], special=True)))
            segments.append(Segment(self._tokens(passage, special=False), passage))
            cursor = at + len(passage)
        segments.append(Segment(self._tokens(prompt[cursor:], special=True)))
        return Rendered(
            segments=tuple(s for s in segments if s.tokens),
            head=self._head(messages, passages),
            stop=tuple(result.stop or ()),
            stopping_criteria=result.stopping_criteria,
        )

    def _head(self, messages: Sequence[dict], passages: Sequence[str]) -> tuple[int, ...]:
        """What every passage state is made after: the fixed instructions and the words the
        passages are read after ("passages_after"; else the last message up to its first
        passage), as a prompt without earlier turns reads them."""
        if not passages:
            return ()
        last = messages[-1]["content"]
        lead = messages[-1].get("passages_after")
        if lead is None:
            lead = last[: last.find(passages[0])] if passages[0] in last else last
        head = [m for m in messages[:1] if m["role"] == "system"]
        head.append({"role": messages[-1]["role"], "content": lead + _CUT})
        prompt = self._format(messages=head).prompt
        return self._tokens(prompt[: prompt.find(_CUT)], special=True)


def cached_length(llama, tokens: Sequence[int]) -> int:
    """How many of the tokens, from the start, the KV cache holds already."""
    count = 0
    for a, b in zip(llama._input_ids, tokens, strict=False):
        if a != b:
            break
        count += 1
    return count


def state_key(basis: dict, head: Sequence[int], tokens: Sequence[int]) -> str:
    """What decides a passage's state: the model and llama.cpp's settings (basis), the tokens read
    before it and its own tokens."""
    parts = {"basis": basis, "head": list(head), "tokens": list(tokens)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ReadAhead:
    """Places prompts in a loaded llama_cpp.Llama's KV cache, passages from their saved states.

    `basis` holds what else decides a state (the model file's sha256, llama.cpp's version and
    settings); `store` is None to read everything in full; `reread` tokens at the end of each
    passage are read again at question time. Callers hold the model's lock.
    """

    def __init__(self, llama, store: StateStore | None, basis: dict, reread: int = 0):
        import llama_cpp.llama_cpp as low

        self.llama = llama
        self.low = low
        self.store = store
        self.basis = basis
        # The last tokens of each passage read again at question time, with the question and the
        # passages before them in view (CacheBlend's idea, at the passage's end).
        self.reread = reread
        self.memory = low.llama_get_memory(llama._ctx.ctx)
        self.renderer = Renderer(llama)
        self._heads: dict[tuple[int, ...], bytes] = {}  # the instructions' state, per process
        self.fresh_tokens = 0  # tokens read since `place` began, states made included

    def key(self, head: Sequence[int], tokens: Sequence[int]) -> str:
        return state_key(self.basis, head, tokens)

    def _decode(self, tokens: Sequence[int], start: int, seq: int) -> None:
        """Read tokens at positions start… into sequence seq (no logits wanted)."""
        batch = self.llama._batch
        size = self.llama.n_batch
        for offset in range(0, len(tokens), size):
            part = tokens[offset : offset + size]
            batch.batch.n_tokens = len(part)
            for i, token in enumerate(part):
                batch.batch.token[i] = token
                batch.batch.pos[i] = start + offset + i
                batch.batch.n_seq_id[i] = 1
                batch.batch.seq_id[i][0] = seq
                batch.batch.logits[i] = False
            batch.batch.logits[len(part) - 1] = True  # llama.cpp wants one output per batch
            self.llama._ctx.decode(batch)
        self.fresh_tokens += len(tokens)

    def _saved(self, seq: int) -> bytes:
        low, ctx = self.low, self.llama._ctx.ctx
        size = low.llama_state_seq_get_size(ctx, seq)
        buffer = (low.ctypes.c_uint8 * size)()
        written = low.llama_state_seq_get_data(ctx, buffer, size, seq)
        return bytes(memoryview(buffer)[:written])  # a slice of the array would be a list

    def _load(self, data: bytes, seq: int) -> bool:
        low = self.low
        buffer = (low.ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        return low.llama_state_seq_set_data(self.llama._ctx.ctx, buffer, len(data), seq) > 0

    def _clear(self, seq: int) -> None:
        self.low.llama_memory_seq_rm(self.memory, seq, -1, -1)

    def _head_state(self, head: tuple[int, ...]) -> bytes:
        if head not in self._heads:
            self._clear(SCRATCH)
            self._decode(head, 0, SCRATCH)
            self._heads = {head: self._saved(SCRATCH)}  # one set of instructions at a time
            self._clear(SCRATCH)
        return self._heads[head]

    def _made(self, head: tuple[int, ...], tokens: Sequence[int]) -> bytes:
        """A passage's state: read in the scratch sequence right after the instructions."""
        if not self._load(self._head_state(head), SCRATCH):
            raise RuntimeError("llama.cpp refused the instructions' own state")
        self._decode(tokens, len(head), SCRATCH)
        self.low.llama_memory_seq_rm(self.memory, SCRATCH, 0, len(head))
        state = self._saved(SCRATCH)
        self._clear(SCRATCH)
        return state

    def state(self, head: tuple[int, ...], tokens: Sequence[int]) -> bytes:
        """The passage's state: from the store, else made now and kept."""
        key = self.key(head, tokens)
        saved = self.store.get(key) if self.store else None
        if saved is not None:
            return saved
        state = self._made(head, tokens)
        if self.store:
            self.store.put(key, state)
        return state

    # --- placing a prompt ------------------------------------------------------------------
    def _put(self, state: bytes, tokens: Sequence[int], at: int, keep: int) -> bool:
        """The first `keep` tokens of a passage's state placed in the main sequence at position
        `at`; False (nothing placed) when the state does not hold exactly these tokens' cells."""
        low, memory = self.low, self.memory
        if not self._load(state, SCRATCH):
            return False
        first = low.llama_memory_seq_pos_min(memory, SCRATCH)
        last = low.llama_memory_seq_pos_max(memory, SCRATCH)
        if first < 0 or last - first + 1 != len(tokens):
            self._clear(SCRATCH)
            return False
        if keep < len(tokens):
            low.llama_memory_seq_rm(memory, SCRATCH, first + keep, -1)
        if first != at:
            low.llama_memory_seq_add(memory, SCRATCH, -1, -1, at - first)
        low.llama_memory_seq_cp(memory, SCRATCH, MAIN, -1, -1)
        self._clear(SCRATCH)
        return True

    def _extend(self, tokens: Sequence[int]) -> None:
        """Read tokens fresh at the end of the main sequence."""
        self.llama.eval(list(tokens))
        self.fresh_tokens += len(tokens)

    def place(self, rendered: Rendered) -> None:
        """Bring the main sequence to the prompt up to the end of its last passage: what is
        already there stays, passages come from their states, the rest is read. What follows the
        last passage is left to the generation, which reads it (and counts it) itself."""
        llama = self.llama
        self.fresh_tokens = 0
        cached = cached_length(llama, rendered.tokens)
        last = max((i for i, s in enumerate(rendered.segments) if s.passage), default=-1)
        position = 0
        for i, segment in enumerate(rendered.segments[: last + 1]):
            end = position + len(segment.tokens)
            if end <= cached:
                position = end
                continue
            if llama.n_tokens > position:  # drop what follows the part that is the same
                llama.n_tokens = position
                self.low.llama_memory_seq_rm(self.memory, MAIN, position, -1)
            placed = 0  # tokens of the segment placed from a state; the rest is read
            if self.store is not None and segment.passage is not None:
                state = self.state(rendered.head, segment.tokens)
                keep = max(1, len(segment.tokens) - self.reread)
                placed = keep if self._put(state, segment.tokens, position, keep) else 0
            elif i == 0 and segment.tokens == rendered.head and self.store is not None:
                placed = len(segment.tokens) * self._load(self._head_state(rendered.head), MAIN)
            if placed:
                llama.input_ids[position : position + placed] = segment.tokens[:placed]
                llama.n_tokens = position + placed
            if placed < len(segment.tokens):
                self._extend(segment.tokens[placed:])
            position = end

    def prepare(self, rendered: Rendered, make: bool = True) -> set[str]:
        """The keys of the passages the prompt quotes, their missing states made and kept (when
        `make`)."""
        keys = set()
        for segment in rendered.segments:
            if segment.passage is None or self.store is None:
                continue
            key = self.key(rendered.head, segment.tokens)
            keys.add(key)
            if make and not self.store.has(key):
                self.store.put(key, self._made(rendered.head, segment.tokens))
        return keys
