"""tokwise.Encoding: tiktoken's Encoding surface over the C++ core, plus counting."""

from __future__ import annotations

import base64
import functools
import os
import re
import threading
from typing import AbstractSet, Collection, Iterable, Literal, NamedTuple, Sequence, Union

from . import _core
from ._errors import DisallowedSpecialTokenError, NotFoundError

Text = Union[str, bytes, bytearray, memoryview]
SpecialSet = Union[Literal["all"], AbstractSet[str]]
SpecialCollection = Union[Literal["all"], Collection[str]]

# tiktoken's default thread count for batch calls.
_MAX_THREADS = min(os.cpu_count() or 8, 32)

WorkerPool = _core.WorkerPool

_AS_TEXT = _core.SPECIAL_AS_TEXT
_RECOGNIZE = _core.SPECIAL_RECOGNIZE
_REJECT = _core.SPECIAL_REJECT


class CountUntilResult(NamedTuple):
    """Result of Encoding.count_until()."""

    count: int
    """Tokens counted: the whole count if it is at most the limit, else the limit."""
    exceeded: bool
    """True if the text has more tokens than the limit."""
    byte_offset: int
    """The first `count` tokens cover exactly the first byte_offset bytes of the UTF-8 text."""
    cut: int
    """Where the input can be cut at a character boundary at or before byte_offset: an index
    into the str (in characters), or into the bytes."""


def _repair_surrogates(text: str) -> str:
    # What tiktoken does with a str that cannot be UTF-8 encoded: surrogate pairs become the
    # character they stand for, lone surrogates become U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Encoding:
    """A byte-level BPE encoding (o200k_base, cl100k_base, ...), immutable and thread-safe.

    The methods mirror tiktoken.Encoding, so code using tiktoken switches by changing the
    import. Counting methods come on top: count(), count_until(), count_batch().
    """

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ) -> None:
        """Makes an encoding from its parts, like tiktoken.Encoding(...).

        Give an encoding with different special tokens a different name.
        """
        lines = b"\n".join(
            base64.b64encode(token) + b" " + str(rank).encode("ascii")
            for token, rank in mergeable_ranks.items()
        )
        core = _core.from_tiktoken_bytes(
            lines, name, pat_str, dict(special_tokens), explicit_n_vocab or 0
        )
        self._init(core)
        self.__dict__["_mergeable_ranks"] = mergeable_ranks

    @classmethod
    def _from_core(cls, core: _core.Encoding) -> Encoding:
        enc = cls.__new__(cls)
        enc._init(core)
        return enc

    def _init(self, core: _core.Encoding) -> None:
        self._core = core
        self.name: str = core.name
        self._pat_str: str = core.pattern
        self._special_tokens: dict[str, int] = core.special_tokens
        self.n_vocab: int = core.n_vocab
        self.max_token_value: int = core.n_vocab - 1
        self._special_token_values = frozenset(self._special_tokens.values())
        self._options_lock = threading.Lock()
        self._options_cache: dict[tuple[object, object, bool], _core.Options | None] = {}

    @classmethod
    def from_tiktoken_file(
        cls,
        path: str | os.PathLike[str],
        name: str,
        *,
        pat_str: str | None = None,
        special_tokens: dict[str, int] | None = None,
        explicit_n_vocab: int | None = None,
    ) -> Encoding:
        """Loads a `.tiktoken` rank file, e.g. OpenAI's r50k_base.tiktoken.

        For a known encoding name (p50k_base, p50k_edit, r50k_base, gpt2, ...) the split
        pattern and special tokens are known; give them for any other.
        """
        try:
            known_pat, known_special, known_n = _core.known_encoding_spec(name)
        except NotFoundError:
            if pat_str is None or special_tokens is None:
                raise NotFoundError(
                    f"unknown encoding {name!r}: give pat_str and special_tokens"
                ) from None
            known_pat, known_special, known_n = pat_str, special_tokens, 0
        core = _core.from_tiktoken_file(
            os.fspath(path),
            name,
            known_pat if pat_str is None else pat_str,
            dict(known_special if special_tokens is None else special_tokens),
            known_n if explicit_n_vocab is None else explicit_n_vocab,
        )
        return cls._from_core(core)

    def __repr__(self) -> str:
        return f"<Encoding {self.name!r}>"

    # ====================
    # Special-token arguments
    # ====================

    def _options(
        self, allowed_special: SpecialSet, disallowed_special: SpecialCollection, replace: bool
    ) -> _core.Options | None:
        """Turns tiktoken's allowed/disallowed arguments into core options (cached).

        None means the plain tiktoken default (every special token disallowed).
        """
        # A string other than "all" is a mistake (a set of one token was meant); tiktoken
        # fails on it with TypeError too, instead of reading it as a set of characters.
        for name, value in (("allowed_special", allowed_special),
                            ("disallowed_special", disallowed_special)):
            if isinstance(value, str) and value != "all":
                raise TypeError(
                    f'{name} must be "all" or a collection of strings, not the string {value!r}'
                )
        key = (
            allowed_special if isinstance(allowed_special, str) else frozenset(allowed_special),
            disallowed_special
            if isinstance(disallowed_special, str)
            else frozenset(disallowed_special),
            replace,
        )
        try:
            return self._options_cache[key]
        except KeyError:
            pass
        specials = self.special_tokens_set
        allowed = specials if allowed_special == "all" else set(allowed_special) & specials
        if disallowed_special == "all":
            disallowed = specials - allowed
        else:
            disallowed = set(disallowed_special) & specials
        # A token both allowed and disallowed is disallowed: tiktoken checks that first.
        groups = {
            _RECOGNIZE: allowed - disallowed,
            _REJECT: disallowed,
            _AS_TEXT: specials - allowed - disallowed,
        }
        # The largest group becomes the default policy, so "all" on an encoding with a
        # thousand special tokens (o200k_harmony) does not make a thousand overrides.
        default = max(groups, key=lambda p: len(groups[p]))
        overrides = {t: p for p, tokens in groups.items() if p != default for t in tokens}
        options = _core.Options(default, overrides, replace)
        with self._options_lock:
            if len(self._options_cache) > 256:
                self._options_cache.clear()
            self._options_cache[key] = options
        return options

    def _check_extra_disallowed(self, text: Text, disallowed_special: SpecialCollection) -> None:
        """tiktoken also rejects disallowed strings that are not special tokens of the encoding.

        Rare, so done here: when such strings are given, every disallowed string is searched
        for, and the leftmost is reported, as tiktoken does.
        """
        if isinstance(disallowed_special, str):
            return
        disallowed = set(disallowed_special)
        if not disallowed - self.special_tokens_set:
            return
        haystack = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
        match = _disallowed_regex(frozenset(disallowed)).search(haystack)
        if match:
            err = DisallowedSpecialTokenError(f"disallowed: {match.group()!r}")
            err.token = match.group()
            err.byte_offset = len(haystack[: match.start()].encode("utf-8"))
            raise err

    # ====================
    # Encoding
    # ====================

    def encode_ordinary(self, text: Text) -> list[int]:
        """Encodes text with special-token strings treated as ordinary text.

        Same as encode(text, disallowed_special=()), but faster.

        >>> enc.encode_ordinary("hello world")
        [15339, 1917]
        """
        try:
            return self._core.encode_ordinary(text)
        except UnicodeEncodeError:
            return self._core.encode_ordinary(_repair_surrogates(text))  # type: ignore[arg-type]

    def encode(
        self,
        text: Text,
        *,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = "all",
    ) -> list[int]:
        """Encodes text into token ids, with tiktoken's rules for special tokens.

        By default a special-token string in the text (such as "<|endoftext|>") raises
        DisallowedSpecialTokenError (a ValueError). allowed_special lists the special tokens to
        encode as such ("all" for every one); disallowed_special those that raise ("all": every
        special token not allowed; () disables the check, encoding them as text). A special
        token neither allowed nor disallowed is encoded as text.

        >>> enc.encode("hello <|endoftext|>", allowed_special="all")
        [15339, 220, 100257]
        """
        try:
            if not allowed_special and disallowed_special == "all":
                return self._core.encode(text)
            self._check_extra_disallowed(text, disallowed_special)
            return self._core.encode_opts(
                text, self._options(allowed_special, disallowed_special, False)
            )
        except UnicodeEncodeError:
            return self.encode(
                _repair_surrogates(text),  # type: ignore[arg-type]
                allowed_special=allowed_special,
                disallowed_special=disallowed_special,
            )

    def encode_to_numpy(
        self,
        text: Text,
        *,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = "all",
    ):  # -> numpy.ndarray[numpy.uint32]
        """As encode(), returning a numpy uint32 array (numpy must be installed)."""
        import numpy as np

        try:
            self._check_extra_disallowed(text, disallowed_special)
            options = self._options(allowed_special, disallowed_special, False)
            buffer = self._core.encode_to_bytes(text, options)
        except UnicodeEncodeError:
            return self.encode_to_numpy(
                _repair_surrogates(text),  # type: ignore[arg-type]
                allowed_special=allowed_special,
                disallowed_special=disallowed_special,
            )
        return np.frombuffer(buffer, dtype=np.uint32)

    def encode_ordinary_batch(
        self,
        text: Sequence[Text],
        *,
        num_threads: int = _MAX_THREADS,
        pool: WorkerPool | None = None,
    ) -> list[list[int]]:
        """encode_ordinary() of each text, on num_threads threads (without the GIL), or on
        pool's threads if a WorkerPool is given."""
        threads = num_threads if pool is None else pool
        try:
            return self._core.encode_batch(text, threads, None, False)
        except UnicodeEncodeError:
            return self._core.encode_batch(_repair_all(text), threads, None, False)

    def encode_batch(
        self,
        text: Sequence[Text],
        *,
        num_threads: int = _MAX_THREADS,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = "all",
        pool: WorkerPool | None = None,
    ) -> list[list[int]]:
        """encode() of each text, on num_threads threads (without the GIL), or on pool's
        threads if a WorkerPool is given.

        An error names the index of the first failing text (its `index` attribute).
        """
        for t in text if not isinstance(disallowed_special, str) else ():
            self._check_extra_disallowed(t, disallowed_special)
        options = (
            None
            if not allowed_special and disallowed_special == "all"
            else self._options(allowed_special, disallowed_special, False)
        )
        threads = num_threads if pool is None else pool
        try:
            return self._core.encode_batch(text, threads, options, True)
        except UnicodeEncodeError:
            return self._core.encode_batch(_repair_all(text), threads, options, True)

    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of a string or byte string that is exactly one token (special ones included).

        Raises UnknownTokenError (a KeyError) otherwise.
        """
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core.encode_single_token(text_or_bytes)

    # ====================
    # Counting (not in tiktoken)
    # ====================

    def count(
        self,
        text: Text,
        *,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = (),
        errors: Literal["strict", "replace"] = "strict",
    ) -> int:
        """The number of tokens of text, without building the list.

        Unlike encode(), special-token strings count as ordinary text by default, which is how
        providers treat user text; allowed_special / disallowed_special work as in encode().
        text may be str or UTF-8 bytes; errors="replace" counts invalid UTF-8 bytes as U+FFFD
        (else InvalidUtf8Error).

        >>> enc.count("hello world")
        2
        """
        try:
            if not allowed_special and not disallowed_special and errors == "strict":
                return self._core.count(text)
            return self._core.count_opts(text, self._count_options(
                text, allowed_special, disallowed_special, errors))
        except UnicodeEncodeError:
            return self.count(
                _repair_surrogates(text),  # type: ignore[arg-type]
                allowed_special=allowed_special,
                disallowed_special=disallowed_special,
                errors=errors,
            )

    def _count_options(
        self,
        text: Text,
        allowed_special: SpecialSet,
        disallowed_special: SpecialCollection,
        errors: str,
    ) -> _core.Options | None:
        if errors not in ("strict", "replace"):
            raise ValueError(f'errors must be "strict" or "replace", not {errors!r}')
        self._check_extra_disallowed(text, disallowed_special)
        return self._options(allowed_special, disallowed_special, errors == "replace")

    def count_until(
        self,
        text: Text,
        limit: int,
        *,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = (),
        errors: Literal["strict", "replace"] = "strict",
    ) -> CountUntilResult:
        """Counts tokens up to limit and stops.

        With the default arguments the work is proportional to the limit, not to the text:
        asking whether a 10 MB document fits in 1,000 tokens costs about as much as counting
        4 kB. See CountUntilResult for the fields.
        """
        if limit < 0:
            raise ValueError("limit must be >= 0")
        try:
            options = (
                None
                if not allowed_special and not disallowed_special and errors == "strict"
                else self._count_options(text, allowed_special, disallowed_special, errors)
            )
            return CountUntilResult(*self._core.count_until(text, limit, options))
        except UnicodeEncodeError:
            return self.count_until(
                _repair_surrogates(text),  # type: ignore[arg-type]
                limit,
                allowed_special=allowed_special,
                disallowed_special=disallowed_special,
                errors=errors,
            )

    def count_batch(
        self,
        texts: Sequence[Text],
        *,
        num_threads: int = 1,
        allowed_special: SpecialSet = frozenset(),
        disallowed_special: SpecialCollection = (),
        errors: Literal["strict", "replace"] = "strict",
        pool: WorkerPool | None = None,
    ) -> list[int]:
        """count() of each text, on num_threads threads (without the GIL), or on pool's
        threads if a WorkerPool is given (its threads, and their caches, stay for the next
        batch).

        An error names the index of the first failing text (its `index` attribute).
        """
        options = None
        if allowed_special or disallowed_special or errors != "strict":
            for t in texts if not isinstance(disallowed_special, str) else ():
                self._check_extra_disallowed(t, disallowed_special)
            options = self._count_options("", allowed_special, disallowed_special, errors)
        threads = num_threads if pool is None else pool
        try:
            return self._core.count_batch(texts, threads, options)
        except UnicodeEncodeError:
            return self._core.count_batch(_repair_all(texts), threads, options)

    # ====================
    # Decoding
    # ====================

    def decode_bytes(self, tokens: Iterable[int]) -> bytes:
        """The bytes of the tokens, concatenated.

        >>> enc.decode_bytes([15339, 1917])
        b'hello world'
        """
        return self._core.decode_bytes(tokens)

    def decode(self, tokens: Iterable[int], errors: str = "replace") -> str:
        """The text of the tokens. Lossy by default, like tiktoken: bytes that are not valid
        UTF-8 (a token can hold part of a character) become U+FFFD; errors="strict" raises.
        """
        return self._core.decode_bytes(tokens).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        """The bytes of one token (special tokens included); UnknownTokenError (a KeyError) if
        the id is not a token."""
        return self._core.decode_single_token_bytes(token)

    def decode_tokens_bytes(self, tokens: Iterable[int]) -> list[bytes]:
        """The bytes of each token, e.g. [b'hello', b' world']."""
        return [self._core.decode_single_token_bytes(t) for t in tokens]

    def decode_with_offsets(self, tokens: Iterable[int]) -> tuple[str, list[int]]:
        """The text of the tokens and, per token, the index of the character its first byte
        belongs to (the character it starts, or the one it continues). Raises
        UnicodeDecodeError if the bytes are not valid UTF-8."""
        token_bytes = self.decode_tokens_bytes(tokens)
        offsets = []
        chars = 0
        for b in token_bytes:
            # A token that starts with a continuation byte belongs to the previous character.
            starts_inside = bool(b) and 0x80 <= b[0] < 0xC0
            offsets.append(max(0, chars - starts_inside))
            chars += sum(1 for c in b if not 0x80 <= c < 0xC0)
        return b"".join(token_bytes).decode("utf-8", errors="strict"), offsets

    def decode_batch(
        self,
        batch: Sequence[Iterable[int]],
        *,
        errors: str = "replace",
        num_threads: int = _MAX_THREADS,
    ) -> list[str]:
        """decode() of each token list. Decoding is a memory copy, so it runs on the calling
        thread; num_threads is accepted for compatibility."""
        return [self._core.decode_bytes(t).decode("utf-8", errors=errors) for t in batch]

    def decode_bytes_batch(
        self, batch: Sequence[Iterable[int]], *, num_threads: int = _MAX_THREADS
    ) -> list[bytes]:
        """decode_bytes() of each token list (on the calling thread, see decode_batch)."""
        return [self._core.decode_bytes(t) for t in batch]

    # ====================
    # Miscellaneous
    # ====================

    def token_byte_values(self) -> list[bytes]:
        """The bytes of every ordinary token, sorted."""
        return sorted(self._mergeable_ranks.keys())

    @property
    def eot_token(self) -> int:
        """The id of "<|endoftext|>" (KeyError if the encoding has none, as in tiktoken)."""
        return self._special_tokens["<|endoftext|>"]

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        """The texts of the special tokens."""
        return set(self._special_tokens)

    def is_special_token(self, token: int) -> bool:
        """Whether the id is a special token's."""
        return token in self._special_token_values

    @functools.cached_property
    def _mergeable_ranks(self) -> dict[bytes, int]:
        """Ordinary token bytes -> rank (built on first use: it is large)."""
        return self._core.mergeable_ranks()

    def __getstate__(self) -> object:
        from . import _registry_get

        # Built-in encodings pickle by name, like tiktoken's registered ones.
        if _registry_get(self.name) is self:
            return self.name
        return {
            "name": self.name,
            "pat_str": self._pat_str,
            "mergeable_ranks": self._mergeable_ranks,
            "special_tokens": self._special_tokens,
        }

    def __setstate__(self, value: object) -> None:
        from . import get_encoding

        if isinstance(value, str):
            self._init(get_encoding(value)._core)
            return
        assert isinstance(value, dict)
        self.__init__(**value)  # type: ignore[misc]


def _repair_all(texts: Sequence[Text]) -> list[Text]:
    return [_repair_surrogates(t) if isinstance(t, str) else t for t in texts]


@functools.lru_cache(maxsize=128)
def _disallowed_regex(tokens: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in tokens))


class IncrementalCounter:
    """The exact token count of a text that arrives in pieces (a streamed response).

    append() str or UTF-8 bytes; `count` always equals Encoding.count() of everything
    appended so far (special-token strings count as text). Appending costs about the size of
    what is appended. An incomplete UTF-8 character at the end of bytes input is held back
    until its remaining bytes arrive. One thread at a time per counter.
    """

    def __init__(self, encoding: Encoding) -> None:
        self._counter = _core.IncrementalCounter(encoding._core)

    def append(self, text: Text) -> None:
        """Appends text; InvalidUtf8Error (the counter unchanged) on invalid UTF-8 bytes."""
        try:
            self._counter.append(text)
        except UnicodeEncodeError:
            self._counter.append(_repair_surrogates(text))  # type: ignore[arg-type]

    @property
    def count(self) -> int:
        return self._counter.count

    @property
    def bytes(self) -> int:
        """UTF-8 bytes appended so far."""
        return self._counter.bytes

    @property
    def pending_bytes(self) -> int:
        """Bytes held back as an incomplete character."""
        return self._counter.pending_bytes

    def reset(self) -> None:
        self._counter.reset()
