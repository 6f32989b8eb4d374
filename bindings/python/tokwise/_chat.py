"""Chat requests counted as providers bill them, and tokenizers of other families."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, NamedTuple, Optional, Sequence, Union

from . import _core

Text = Union[str, bytes, bytearray, memoryview]
Body = Union[Text, Mapping[str, Any]]
Exactness = Literal["exact", "calibrated", "estimate"]


def _json_text(obj: Any) -> Text:
    """A JSON document given as text or bytes passes through; anything else is serialized."""
    if isinstance(obj, (str, bytes, bytearray, memoryview)):
        return obj
    return json.dumps(obj, ensure_ascii=False)


# ====================
# Chat counting
# ====================


@dataclass(frozen=True)
class ChatCount:
    """The prompt tokens of one chat request, as the provider bills them.

    `by_kind` splits `total` into system, user, assistant, tool_definitions, tool_calls,
    tool_results, images, audio and framing (role markers, per-message constants, reply
    priming, hidden provider prompts); the kinds add up to the total. `label` says how far the
    count can be trusted: "exact" (the provider's published rules, reproduced against its
    API), "calibrated" (a rule extended beyond what was published; `notes` says which), or
    "estimate" (no public tokenizer, as for Claude 3 and later, or a part of unknown size).
    """

    total: int
    by_kind: dict[str, int]
    label: Exactness
    model: str
    """The model whose rules were applied."""
    encoding: str
    """The tokenizer text was counted with ("o200k_base", "cl100k_base")."""
    provider: str
    """"openai" or "anthropic"."""
    notes: tuple[str, ...]
    """Why the label is not "exact", and any default used, each naming a JSON path."""
    uncounted_parts: int
    """Parts that could not be counted (audio of unknown length, files, ...): when non-zero
    the label is "estimate" and the total a lower bound."""
    message_tokens: tuple[int, ...]
    """The tokens of each message (content and its own framing), in prompt order."""
    max_output_tokens: Optional[int]
    """The body's own output limit (max_completion_tokens / max_tokens / max_output_tokens)."""
    format: str
    """The API the body was read as: "openai_chat", "openai_responses", "anthropic_messages"."""

    def __int__(self) -> int:
        return self.total


class ChatCache:
    """A bounded, thread-safe cache of per-message token tallies for count_chat().

    A message already counted with the same content, model rules and options is not tokenized
    again, so counting step 50 of an agent loop costs about its new message. Memory is about
    100 bytes per entry; entries used in the last max_entries / 2 insertions survive. The key
    is a 128-bit non-cryptographic hash of the message.
    """

    def __init__(self, max_entries: int = 16384) -> None:
        self._core = _core.ChatCache(max_entries)

    @property
    def size(self) -> int:
        return self._core.size

    @property
    def hits(self) -> int:
        return self._core.hits

    @property
    def misses(self) -> int:
        return self._core.misses

    def clear(self) -> None:
        self._core.clear()


def count_chat(
    body: Body,
    model: Optional[str] = None,
    *,
    format: str = "auto",
    anthropic_text_factor: float = 1.0,
    unknown_image_size: Optional[tuple[int, int]] = None,
    cache: Optional[ChatCache] = None,
) -> ChatCount:
    """Counts the prompt tokens of a chat request body as the provider bills them.

    body: the request as JSON text or bytes, or as a dict (OpenAI Chat Completions, OpenAI
        Responses or Anthropic Messages; the API is detected from the fields unless `format`
        names it: "openai_chat", "openai_responses", "anthropic_messages").
    model: counts with this model's rules instead of the body's "model".
    anthropic_text_factor: Claude text tokens per o200k_base token. 1.0 is UNCALIBRATED:
        Anthropic publishes no tokenizer for Claude 3 and later; measure your ratio with its
        count_tokens endpoint.
    unknown_image_size: (width, height) for images whose size cannot be known (remote URLs,
        file ids); None counts the most tokens the model's rule allows.
    cache: a ChatCache shared by calls (and threads).

    Raises NotFoundError for an unknown model (never a silent fallback) and TokwiseError for a
    malformed body, naming the JSON path or byte offset. The GIL is released for large bodies.

        >>> tokwise.count_chat({"messages": [{"role": "user", "content": "Hello world"}]},
        ...                    model="gpt-4o").total
        9
    """
    width, height = unknown_image_size if unknown_image_size is not None else (0, 0)
    (total, by_kind, label, used_model, encoding, provider, notes, uncounted, per_message,
     max_output, body_format) = _core.count_chat(
        _json_text(body), model or "", format, anthropic_text_factor, width, height,
        None if cache is None else cache._core,
    )
    return ChatCount(
        total=total,
        by_kind=by_kind,
        label=label,
        model=used_model,
        encoding=encoding,
        provider=provider,
        notes=tuple(notes),
        uncounted_parts=uncounted,
        message_tokens=tuple(per_message),
        max_output_tokens=max_output,
        format=body_format,
    )


def count_kinds() -> list[str]:
    """The kinds ChatCount.by_kind uses, in a fixed order."""
    return list(_core.count_kind_names())


# ====================
# Tokenizers of other families
# ====================


class TokenCount(NamedTuple):
    """A count and its label. For an estimate, `tokens` is the central value and [low, high]
    the range the true count is expected in; otherwise low == high == tokens."""

    tokens: int
    exactness: Exactness
    low: int
    high: int


SpecialPolicy = Optional[Literal["as_text", "recognize", "reject"]]


class Tokenizer:
    """A tokenizer of any family: a tiktoken encoding, a Hugging Face tokenizer.json (BPE:
    Llama 3, Qwen, DeepSeek, Gemma, Mistral, ...), a SentencePiece .model, or an estimate for a
    model whose tokenizer is not public. Immutable and thread-safe; heavy calls release the GIL.
    """

    def __init__(self, core: _core.Tokenizer) -> None:
        self._core = core

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike[str]]) -> Tokenizer:
        """Opens a tokenizer file by its content: a JSON object is a tokenizer.json, anything
        else a SentencePiece model. OSError if the file cannot be read."""
        path = os.fspath(path)
        # The core reports a missing file as NotFoundError; Python code expects an OSError.
        with open(path, "rb"):
            pass
        return cls(_core.tokenizer_from_file(path))

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def exactness(self) -> Exactness:
        """The label of every count this tokenizer gives."""
        return self._core.exactness  # type: ignore[return-value]

    @property
    def vocab_size(self) -> int:
        """One more than the largest token id; 0 for estimates."""
        return self._core.vocab_size

    def count(
        self,
        text: Text,
        *,
        special: SpecialPolicy = None,
        add_special_tokens: bool = False,
        errors: Literal["strict", "replace"] = "strict",
    ) -> TokenCount:
        """Counts the tokens of `text`.

        special: what to do with special-token strings in the text; None is the family's
            reference behaviour (tokenizer.json recognises its added tokens, tiktoken and
            SentencePiece encode them as text).
        add_special_tokens: add what the model puts around one text (Llama's BOS, ...).
        errors: "replace" repairs invalid UTF-8 with U+FFFD instead of raising.
        """
        tokens, exactness, low, high = self._core.count(
            text, special, add_special_tokens, errors == "replace"
        )
        return TokenCount(tokens, exactness, low, high)

    def encode(
        self,
        text: Text,
        *,
        special: SpecialPolicy = None,
        add_special_tokens: bool = False,
        errors: Literal["strict", "replace"] = "strict",
    ) -> list[int]:
        """The token ids of `text`. FailedPreconditionError for an estimating tokenizer."""
        return self._core.encode(text, special, add_special_tokens, errors == "replace")

    def decode_bytes(self, tokens: Iterable[int]) -> bytes:
        """The bytes of token ids, through the tokenizer's decoder."""
        return self._core.decode_bytes(list(tokens))

    def decode(self, tokens: Iterable[int], errors: str = "replace") -> str:
        return self.decode_bytes(tokens).decode("utf-8", errors=errors)

    def __repr__(self) -> str:
        return f"<Tokenizer {self.name!r} ({self.exactness})>"


PathLike = Union[str, "os.PathLike[str]"]


def tokenizer_for_model(
    model: str, search_path: Union[None, PathLike, Sequence[PathLike]] = None
) -> Tokenizer:
    """The tokenizer that counts for `model`, from tokwise's model registry: built-in encodings
    for OpenAI models, tokenizer files for open models (looked for under `search_path`, folders
    given as a list or as one ':'-separated string like TOKWISE_TOKENIZER_PATH, which tokwise
    never reads itself), estimates for closed models (claude-*, gemini-*).

    NotFoundError for an unknown model, or when its file is in none of the folders (the
    message names every path tried).
    """
    if search_path is None:
        dirs: list[str] = []
    elif isinstance(search_path, (str, os.PathLike)):
        dirs = [d for d in os.fspath(search_path).split(":") if d]
    else:
        dirs = [os.fspath(d) for d in search_path]
    return Tokenizer(_core.tokenizer_for_model(model, dirs))


__all__ = [
    "ChatCache",
    "ChatCount",
    "TokenCount",
    "Tokenizer",
    "count_chat",
    "count_kinds",
    "tokenizer_for_model",
]
