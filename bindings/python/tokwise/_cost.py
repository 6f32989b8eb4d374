"""The model catalog, usage objects, exact prices and cost scenarios.

Money is exact integer arithmetic: a price is an int number of micro-dollars per million tokens
(USD 2.50 / M = 2_500_000), which is the same number as pico-dollars per token, so every cost
is an int number of pico-dollars (1e-12 USD). `Cost.usd` gives it as an exact Decimal.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Literal, Mapping, NamedTuple, Optional, Union

from . import _core
from ._chat import Text, _json_text
from ._errors import TokwiseError

UsageLike = Union["Usage", Text, Mapping[str, Any]]

# ====================
# Catalog and models
# ====================


class WindowCheck(NamedTuple):
    """Whether a call fits a model's limits (Model.check_window)."""

    fits: bool
    """All of the limits below hold."""
    input_fits: bool
    """input <= the model's max input (if it sets one) and <= its window."""
    output_within_max: bool
    """The requested output <= the model's max output."""
    largest_max_output: int
    """The largest max_tokens this input allows: min(window - input, max output)."""
    context_window: int


class Model:
    """A model of a catalog: its limits and prices. Immutable.

    Prices are int micro-dollars per million tokens, or None where the provider does not offer
    the bucket (no caching, no batch).
    """

    def __init__(self, core: _core.Model) -> None:
        self._core = core

    id = property(lambda self: self._core.id, doc="The canonical id, e.g. 'gpt-4o'.")
    provider = property(lambda self: self._core.provider)
    tokenizer = property(
        lambda self: self._core.tokenizer,
        doc="'o200k_base', 'cl100k_base', ...; 'claude' / 'gemini' for closed tokenizers.",
    )
    context_window = property(lambda self: self._core.context_window)
    max_output = property(lambda self: self._core.max_output)
    max_input = property(
        lambda self: self._core.max_input, doc="An input limit below the window, else 0."
    )
    prices = property(
        lambda self: self._core.prices,
        doc="input, output, cache_read, cache_write_5m, cache_write_1h, batch_input, "
        "batch_output: micro-USD per million tokens, or None.",
    )
    long_context_tiers = property(
        lambda self: self._core.long_context_tiers,
        doc="[(threshold_tokens, prices)]: above the threshold of input the whole request is "
        "priced at the tier.",
    )
    min_cacheable_prefix = property(lambda self: self._core.min_cacheable_prefix)
    prices_effective = property(lambda self: self._core.prices_effective)
    source = property(lambda self: self._core.source, doc="The page the prices come from.")
    aliases = property(lambda self: self._core.aliases)
    notes = property(lambda self: self._core.notes)

    def check_window(self, input_tokens: int, max_output_tokens: int) -> WindowCheck:
        """Whether input + max_output_tokens fit: exactly, input + output <= window, output <=
        max output, input <= max input. FailedPreconditionError if the window is unknown."""
        return WindowCheck(*self._core.check_window(input_tokens, max_output_tokens))

    def price_usage(self, usage: UsageLike, *, batch: bool = False) -> Cost:
        """What `usage` costs on this model (see tokwise.price_usage)."""
        return price_usage(usage, self, batch=batch)

    def price_before_call(
        self, input_tokens: int, max_output_tokens: int, *, batch: bool = False
    ) -> Cost:
        """The worst case before the call (see tokwise.price_before_call)."""
        return price_before_call(self, input_tokens, max_output_tokens, batch=batch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and other.id == self.id and other.prices == self.prices

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Model {self.id!r} ({self.provider})>"


class Catalog:
    """Models with their context windows, output limits and prices.

    Catalog.default() is compiled into tokwise (every entry names the page its prices come
    from). Keep your own prices in tokwise's JSON form or LiteLLM's
    model_prices_and_context_window.json form and lay them over it with over_default=True.
    Immutable and thread-safe.
    """

    _default: Optional[Catalog] = None
    _lock = threading.Lock()

    def __init__(self, core: _core.Catalog) -> None:
        self._core = core

    @classmethod
    def default(cls) -> Catalog:
        """The catalog compiled into tokwise (the same object every time)."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    cls._default = cls(_core.default_catalog())
        return cls._default

    @classmethod
    def from_json(
        cls,
        data: Union[Text, Mapping[str, Any]],
        *,
        format: Literal["tokwise", "litellm"] = "tokwise",
        over_default: bool = False,
    ) -> Catalog:
        """A catalog from JSON (text, bytes or a dict).

        format: "tokwise" ({"models": [{"id", "provider", "tokenizer", "context_window",
            "max_output", "prices": {"input": "2.50", ...}, "source"}]}, prices in USD per
            million tokens read exactly) or "litellm" (USD per token, converted exactly).
        over_default: lay the entries over the default catalog (same id replaces ours).
        TokwiseError names the JSON path of what is wrong.
        """
        if format not in ("tokwise", "litellm"):
            raise ValueError(f"format must be 'tokwise' or 'litellm', not {format!r}")
        return cls(_core.catalog_from_json(_json_text(data), format == "litellm", over_default))

    @classmethod
    def from_file(
        cls,
        path: Union[str, os.PathLike[str]],
        *,
        format: Literal["tokwise", "litellm"] = "tokwise",
        over_default: bool = False,
    ) -> Catalog:
        """As from_json(), from a file; errors name it."""
        with open(path, "rb") as f:
            data = f.read()
        try:
            return cls.from_json(data, format=format, over_default=over_default)
        except TokwiseError as e:
            raise type(e)(f"{os.fspath(path)}: {e}") from None

    def lookup(self, model: str) -> Model:
        """A model by name, case-insensitively: ids and aliases, provider prefixes
        ("openai/gpt-4o"), Bedrock and Vertex ids, dated snapshots. NotFoundError (also a
        KeyError) for an unknown model: never priced at 0."""
        return Model(self._core.find(model))

    def __getitem__(self, model: str) -> Model:
        return self.lookup(model)

    def __contains__(self, model: object) -> bool:
        if not isinstance(model, str):
            return False
        try:
            self._core.find(model)
        except TokwiseError:
            return False
        return True

    def __len__(self) -> int:
        return self._core.size

    def __iter__(self) -> Iterator[Model]:
        """Every model, in order of id."""
        return (Model(m) for m in self._core.models())

    def __repr__(self) -> str:
        return f"<Catalog of {len(self)} models>"


def lookup(model: str) -> Model:
    """A model of the default catalog (see Catalog.lookup)."""
    return Catalog.default().lookup(model)


def _model(model: Union[str, Model]) -> Model:
    return model if isinstance(model, Model) else lookup(model)


def check_context_window(
    model: Union[str, Model], input_tokens: int, max_output_tokens: int
) -> WindowCheck:
    """Whether a call fits the model (see Model.check_window)."""
    return _model(model).check_window(input_tokens, max_output_tokens)


# ====================
# Usage and prices
# ====================


@dataclass(frozen=True)
class Usage:
    """A call's usage in billing buckets. Every prompt-side token is in exactly one of
    uncached_input, cache_read, cache_write_5m and cache_write_1h; reasoning is the part of
    output spent reasoning (priced as output, never twice)."""

    uncached_input: int = 0
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    output: int = 0
    reasoning: int = 0
    audio_input: int = 0
    """Audio tokens OpenAI reports (inside the buckets above, billed at audio prices the
    catalog does not hold: pricing refuses them)."""
    audio_output: int = 0
    format: Optional[str] = None
    """The format it was read from ("openai-chat", "anthropic", ...); None if built by hand."""

    @property
    def input_total(self) -> int:
        return self.uncached_input + self.cache_read + self.cache_write_5m + self.cache_write_1h

    @property
    def total(self) -> int:
        return self.input_total + self.output


def normalize_usage(
    usage: UsageLike,
    format: Literal["auto", "openai-chat", "openai-responses", "anthropic", "gemini"] = "auto",
) -> Usage:
    """Reads a provider's usage object into billing buckets.

    `usage` is the usage object or a whole response holding it ({"usage": ...},
    {"usageMetadata": ...}), as JSON text, bytes or a dict. The rules that trip people up are
    applied: OpenAI and Gemini count cached tokens INSIDE the prompt count; Anthropic counts
    cache reads and writes BESIDE input_tokens; OpenAI reasoning is inside completion tokens;
    Gemini thoughts are beside candidates. TokwiseError names the JSON path of what is wrong.

        >>> tokwise.normalize_usage({"prompt_tokens": 2006, "completion_tokens": 300,
        ...     "prompt_tokens_details": {"cached_tokens": 1920}}).uncached_input
        86
    """
    if isinstance(usage, Usage):
        return usage
    d = _core.normalize_usage(_json_text(usage), format)
    return Usage(**d)


@dataclass(frozen=True)
class Cost:
    """An exact cost in pico-dollars (1e-12 USD): str(cost) is "$0.005615"."""

    total_pico: int
    by_bucket: dict[str, int]
    """uncached_input, cache_read, cache_write_5m, cache_write_1h, output: pico-dollars."""
    tier_threshold: int = 0
    """The long-context tier applied (its threshold), or 0 for the base prices."""
    batch: bool = False

    @property
    def usd(self) -> Decimal:
        """The cost in dollars, exactly."""
        return Decimal(self.total_pico).scaleb(-12)

    def __str__(self) -> str:
        return "$" + format_usd(self.total_pico)


def _cost(t: tuple[int, dict[str, int], int, bool]) -> Cost:
    return Cost(total_pico=t[0], by_bucket=t[1], tier_threshold=t[2], batch=t[3])


def price_usage(usage: UsageLike, model: Union[str, Model], *, batch: bool = False) -> Cost:
    """What a usage costs on a model, exactly.

    usage: a Usage, or a provider's usage object / response (normalized first).
    model: a Model or a name in the default catalog.
    batch: Batch API rates (FailedPreconditionError if the model has none).

    The long-context tier is chosen by the usage's whole input and prices the whole request.
    FailedPreconditionError for tokens in a bucket the model does not price (cache writes on
    an OpenAI model, audio), naming the bucket: never priced at 0.

        >>> str(tokwise.price_usage({"prompt_tokens": 2006, "completion_tokens": 300,
        ...     "prompt_tokens_details": {"cached_tokens": 1920}}, "gpt-4o"))
        '$0.005615'
    """
    u = normalize_usage(usage)
    m = _model(model)
    return _cost(
        _core.price_usage(
            m._core, u.uncached_input, u.cache_read, u.cache_write_5m, u.cache_write_1h,
            u.output, u.reasoning, u.audio_input, u.audio_output, batch,
        )
    )


def price_before_call(
    model: Union[str, Model], input_tokens: int, max_output_tokens: int, *, batch: bool = False
) -> Cost:
    """The worst case before a call: every input token uncached at the full input price (with
    the long-context tier for that input) plus max_output_tokens of output."""
    return _cost(_core.price_before_call(_model(model)._core, input_tokens, max_output_tokens,
                                         batch))


def format_usd(pico_usd: int, min_decimals: int = 2) -> str:
    """Exact decimal dollars without floating point, no "$": the shortest form with at least
    `min_decimals` decimals. 8_603_760_000 -> "0.00860376"; 2_000_000_000_000 -> "2.00"."""
    return _core.format_usd(pico_usd, min_decimals)


# ====================
# Scenarios
# ====================


class Step(NamedTuple):
    """One evaluated call of a scenario. Token counts; costs in pico-dollars."""

    sequence: int
    call: int
    summarization: bool
    time_ms: int
    resent: int
    """Input carried from earlier calls."""
    new_input: int
    input: int
    output: int
    uncached: int
    cache_read: int
    cache_write_5m: int
    cache_write_1h: int
    cost_pico: int
    cumulative_tokens: int
    cumulative_cost_pico: int
    over_context_window: bool
    over_max_output: bool

    @property
    def total(self) -> int:
        return self.input + self.output


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario evaluated on a model: every call's context rebuilt (what was carried forward
    re-sent), prompt caching applied, every call priced exactly."""

    scenario: str
    model: str
    cache_mode: str
    """The caching modelled: "off", "auto", "5m" or "1h"."""
    batch: bool
    total_tokens: int
    input_tokens: int
    output_tokens: int
    cost_pico: int
    calls: int
    direct_answer_tokens: int
    multiplier: float
    """total_tokens / direct_answer_tokens: 21.7 for the 5-step research agent."""
    steps: tuple[Step, ...]
    _core: Any = field(repr=False, compare=False, default=None)

    @property
    def usd(self) -> Decimal:
        return Decimal(self.cost_pico).scaleb(-12)

    def to_json(self) -> str:
        """The whole result as JSON (money in integer pico-dollars, "cost_pico")."""
        return self._core.to_json()

    def table(self) -> str:
        """The per-call table `tokwise simulate` prints."""
        return self._core.table()


def presets() -> dict[str, str]:
    """The built-in reference scenarios, name -> summary, in a fixed order."""
    return dict(_core.presets())


def _scenario(scenario: Union[str, bytes, Mapping[str, Any], os.PathLike[str]]) -> Any:
    if isinstance(scenario, os.PathLike):
        with open(scenario, "rb") as f:
            return _core.scenario_from_json(f.read())
    if isinstance(scenario, str) and not scenario.lstrip().startswith("{"):
        return _core.scenario_preset(scenario)
    return _core.scenario_from_json(_json_text(scenario))


def simulate(
    scenario: Union[str, bytes, Mapping[str, Any], os.PathLike[str]],
    model: Union[None, str, Model] = None,
    *,
    cache: Optional[Literal["provider", "off", "auto", "5m", "1h"]] = None,
    batch: bool = False,
    max_output_tokens: Optional[int] = None,
    window_tokens: Optional[int] = None,
    summarize_above_tokens: Optional[int] = None,
    summary_tokens: int = 500,
    token_ratio: float = 1.0,
) -> ScenarioResult:
    """Evaluates a cost scenario: what a sequence of calls costs when each re-sends its context.

    scenario: a preset name (see presets(): "single-call", "rag", "research-agent", ...), a
        JSON spec as text, bytes, a dict or a path ({"type": "agent", "system": 200,
        "steps": [...]}; types single, rag, agent, multi_agent, conversation, calls).
    model: a Model or a name; None uses the spec's "model".
    cache: the caching to model (default: the spec's "cache", else what the provider does
        unasked).
    batch: Batch API prices (no caching).
    max_output_tokens, window_tokens, summarize_above_tokens / summary_tokens: what-ifs: cap
        each call's output; keep only that much non-pinned history; summarize it past a size.
    token_ratio: multiply every count (a scenario measured with another tokenizer; an
        approximation: measure the ratio on your own text).

        >>> r = tokwise.simulate("research-agent", "claude-sonnet-4-5")
        >>> r.total_tokens, round(r.multiplier, 1)
        (11950, 21.7)
    """
    core_scenario = _scenario(scenario)
    core_model = None if model is None else _model(model)._core
    core = _core.evaluate(
        core_scenario, core_model, cache, batch, max_output_tokens, window_tokens,
        summarize_above_tokens, summary_tokens, round(token_ratio * 1_000_000),
    )
    return ScenarioResult(
        scenario=core.scenario,
        model=core.model,
        cache_mode=core.cache_mode,
        batch=core.batch,
        total_tokens=core.total_tokens,
        input_tokens=core.input_tokens,
        output_tokens=core.output_tokens,
        cost_pico=core.cost,
        calls=core.calls,
        direct_answer_tokens=core.direct_answer_tokens,
        multiplier=core.multiplier,
        steps=tuple(Step(*s) for s in core.steps()),
        _core=core,
    )


__all__ = [
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
]
