"""tokwise: exact, fast LLM token counting, chat-request counts, exact costs and budgets.

A drop-in for tiktoken's encoding API, over tokwise's C++ core:

    import tokwise as tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    enc.encode("hello world")          # [15339, 1917]
    enc = tiktoken.encoding_for_model("gpt-4o")
    enc.name                           # 'o200k_base'
    enc.count("hello world")           # 2, without building the list

o200k_base, o200k_harmony and cl100k_base are built in (no download, no file). Older
encodings (p50k_base, r50k_base, gpt2) load from their rank file with
Encoding.from_tiktoken_file(path, name).

Beyond tiktoken:

    tokwise.count_chat(body, model="gpt-4o")          # a chat request as billed: .total,
                                                      # .by_kind, .label ("exact", ...)
    tokwise.lookup("gpt-4o").prices                   # the catalog: limits and prices
    tokwise.price_usage(response["usage"], "gpt-4o")  # exact cost: str() -> "$0.005615"
    tokwise.simulate("research-agent", "claude-sonnet-4-5").multiplier   # 21.7
    ledger = tokwise.BudgetLedger({"budgets": [{"scope": "user:*", "usd_per_day": "5"}]})
    decision = ledger.preflight(body, scopes=["user:alice"])   # then commit() or release()
    tokwise.tokenizer_for_model("meta-llama/Llama-3.1-8B", search_path=...)  # other families

Encodings, tokenizers, catalogs and ledgers may be shared by threads; heavy calls release the
GIL. Money is exact: prices are int micro-dollars per million tokens, costs int pico-dollars.
"""

from __future__ import annotations

import threading

from . import _core
from ._budget import (
    BudgetLedger,
    Decision,
    LimitStatus,
    ScopeUsage,
    UsageRecord,
    read_usage_records,
)
from ._chat import (
    ChatCache,
    ChatCount,
    TokenCount,
    Tokenizer,
    count_chat,
    count_kinds,
    tokenizer_for_model,
)
from ._cost import (
    Catalog,
    Cost,
    Model,
    ScenarioResult,
    Step,
    Usage,
    WindowCheck,
    check_context_window,
    format_usd,
    lookup,
    normalize_usage,
    presets,
    price_before_call,
    price_usage,
    simulate,
)
from ._encoding import CountUntilResult, Encoding, IncrementalCounter, WorkerPool
from ._errors import (
    DisallowedSpecialTokenError,
    FailedPreconditionError,
    InvalidDataError,
    InvalidUtf8Error,
    NotFoundError,
    TokwiseError,
    TokwiseOSError,
    UnknownTokenError,
)

__version__: str = _core.__version__
"""The library version, from the C header's TOKWISE_VERSION_STRING."""

_lock = threading.Lock()
_encodings: dict[str, Encoding] = {}


def _registry_get(name: str) -> Encoding | None:
    return _encodings.get(name)


def _not_built_in(name: str, model: str | None = None) -> NotFoundError:
    subject = f"model {model!r} uses encoding {name!r}, which" if model else f"encoding {name!r}"
    return NotFoundError(
        f"{subject} is not built into tokwise; load its rank file with "
        f"tokwise.Encoding.from_tiktoken_file(path, {name!r})"
    )


def get_encoding(encoding_name: str) -> Encoding:
    """A built-in encoding by name: "o200k_base", "o200k_harmony" or "cl100k_base".

    Returns the same object for the same name. NotFoundError (a ValueError and a KeyError)
    for other names.
    """
    enc = _encodings.get(encoding_name)
    if enc is not None:
        return enc
    if encoding_name not in _core.builtin_encoding_names():
        try:
            _core.known_encoding_spec(encoding_name)
        except NotFoundError:
            raise NotFoundError(
                f"unknown encoding {encoding_name!r}; built in: "
                f"{', '.join(list_encoding_names())}"
            ) from None
        raise _not_built_in(encoding_name)
    with _lock:
        enc = _encodings.get(encoding_name)
        if enc is None:
            enc = Encoding._from_core(_core.get_encoding(encoding_name))
            _encodings[encoding_name] = enc
    return enc


def encoding_name_for_model(model_name: str) -> str:
    """The name of the encoding a model uses, like tiktoken's: dated snapshots
    ("gpt-4o-2024-08-06") and provider prefixes ("openai/gpt-4o") resolve; an unknown model
    raises NotFoundError (a KeyError, as in tiktoken)."""
    return _core.encoding_name_for_model(model_name)


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding of a model, e.g. encoding_for_model("gpt-4o").name == "o200k_base"."""
    name = encoding_name_for_model(model_name)
    if name not in _core.builtin_encoding_names():
        raise _not_built_in(name, model_name)
    return get_encoding(name)


def list_encoding_names() -> list[str]:
    """The names get_encoding() accepts."""
    return list(_core.builtin_encoding_names())


__all__ = [
    "__version__",
    "Encoding",
    "CountUntilResult",
    "IncrementalCounter",
    "WorkerPool",
    "get_encoding",
    "encoding_for_model",
    "encoding_name_for_model",
    "list_encoding_names",
    "TokwiseError",
    "InvalidUtf8Error",
    "DisallowedSpecialTokenError",
    "NotFoundError",
    "UnknownTokenError",
    "InvalidDataError",
    "TokwiseOSError",
    "FailedPreconditionError",
    # Chat requests and tokenizers.
    "ChatCache",
    "ChatCount",
    "TokenCount",
    "Tokenizer",
    "count_chat",
    "count_kinds",
    "tokenizer_for_model",
    # Catalog, usage, prices, scenarios.
    "Catalog",
    "Cost",
    "Model",
    "ScenarioResult",
    "Step",
    "Usage",
    "WindowCheck",
    "check_context_window",
    "format_usd",
    "lookup",
    "normalize_usage",
    "presets",
    "price_before_call",
    "price_usage",
    "simulate",
    # Budgets.
    "BudgetLedger",
    "Decision",
    "LimitStatus",
    "ScopeUsage",
    "UsageRecord",
    "read_usage_records",
]
