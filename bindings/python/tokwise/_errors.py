"""The exceptions tokwise raises: one hierarchy under TokwiseError.

TokwiseError is a ValueError, as tiktoken's errors are, so code written for tiktoken that
catches ValueError keeps working. Where tiktoken raises KeyError (unknown token, unknown model)
the tokwise class is also a KeyError; where a file cannot be read it is also an OSError.
"""

from __future__ import annotations


class TokwiseError(ValueError):
    """Base class of every error raised by tokwise.

    Attributes (None when they do not apply):
        byte_offset: offset in the input text's UTF-8 bytes the error refers to.
        token: the special token involved.
        index: index of the failing text in a batch call, or of the failing token id.
    """

    byte_offset: int | None = None
    token: str | None = None
    index: int | None = None

    def __str__(self) -> str:
        # KeyError (a base of some subclasses) would quote the message.
        if len(self.args) == 1:
            return str(self.args[0])
        return super().__str__()


class InvalidUtf8Error(TokwiseError):
    """Input bytes are not valid UTF-8 (pass errors="replace" to repair them instead)."""


class DisallowedSpecialTokenError(TokwiseError):
    """The text holds a special token the call disallows (tiktoken raises ValueError here)."""

    def __str__(self) -> str:
        if self.token is None:
            return super().__str__()
        where = f" at byte offset {self.byte_offset}" if self.byte_offset is not None else ""
        batch = f"text {self.index}: " if self.index is not None else ""
        return (
            f"{batch}the text holds {self.token!r}{where}, which this call disallows.\n"
            f"To encode it as a special token pass allowed_special={{{self.token!r}}}; "
            "to encode it as ordinary text pass disallowed_special=()."
        )


class NotFoundError(TokwiseError, KeyError):
    """An unknown encoding or model name."""


class UnknownTokenError(TokwiseError, KeyError):
    """A token id, or a byte string, that is not a token of the encoding."""


class InvalidDataError(TokwiseError):
    """A malformed rank file; the message names the line."""


class TokwiseOSError(TokwiseError, OSError):
    """A file could not be opened, read or written (a ledger's journal, a tokenizer file)."""


class FailedPreconditionError(TokwiseError):
    """Well-formed input the call cannot serve with this model or in this state: tokens in a
    bucket the model has no price for (cache writes on an OpenAI model, audio tokens, batch
    rates it does not offer), a model whose context window is unknown, encoding with an
    estimating tokenizer, a ledger folder another ledger holds open. The message says which."""


__all__ = [
    "TokwiseError",
    "InvalidUtf8Error",
    "DisallowedSpecialTokenError",
    "NotFoundError",
    "UnknownTokenError",
    "InvalidDataError",
    "TokwiseOSError",
    "FailedPreconditionError",
]
