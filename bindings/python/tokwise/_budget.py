"""Budgets: pre-flight checks, reservations, commit / release, and usage records."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Literal, Mapping, NamedTuple, Optional, Union

from . import _core
from ._chat import Body, Text, _json_text
from ._cost import Catalog, Model, Usage, UsageLike, _model, format_usd, normalize_usage
from ._errors import FailedPreconditionError

Time = Union[int, _dt.datetime]
"""Unix microseconds, or an aware datetime."""

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _micros(t: Time) -> int:
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            raise ValueError("give an aware datetime (e.g. tzinfo=datetime.timezone.utc)")
        delta = t - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return int(t)


def _datetime(us: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(microseconds=us)


class LimitStatus(NamedTuple):
    """Where one limit stands for a call."""

    scope: str
    """The call's scope ("user:alice"), not the template ("user:*")."""
    metric: str
    """"requests", "input_tokens", "output_tokens", "tokens" or "usd" (pico-dollars)."""
    window: str
    """"minute", "hour", "day", "month" or "total"."""
    max: int
    period_start_us: int
    period_end_us: int
    used: int
    """Committed in the period."""
    reserved: int
    """Held by admitted calls not yet committed."""
    remaining: int
    request: int
    """What this call adds."""
    blocking: bool
    """This limit denied the call."""


@dataclass(frozen=True)
class Decision:
    """The answer of a pre-flight. True in a boolean context when the call may go ahead."""

    allowed: bool
    code: str
    """"allowed", "context_window", "max_output", "budget_exceeded", "rate_limited",
    "unpriced"."""
    message: str
    """Why the call was denied (naming the scope and limit), or what was reserved."""
    reservation: int
    """The reservation to commit or release; 0 when denied or on a dry run."""
    expires_at_us: int
    input_tokens: int
    input_label: str
    """How far the input count can be trusted: the chat count's label for a body, "exact"
    for a count you gave."""
    reserved_output_tokens: int
    """Send this as the request's max tokens (it is lower than asked if the output shrank)."""
    projected_cost_pico: int
    cost_known: bool
    max_output_that_fits: int
    """The largest max output that would fit the window, the model and every limit now."""
    retry_at_us: Optional[int]
    """When denied: the earliest time a retry can pass; None if waiting cannot help."""
    limits: tuple[LimitStatus, ...]
    json: str
    """The decision as one JSON object."""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def projected_usd(self) -> Decimal:
        return Decimal(self.projected_cost_pico).scaleb(-12)

    @property
    def retry_at(self) -> Optional[_dt.datetime]:
        return None if self.retry_at_us is None else _datetime(self.retry_at_us)


def _decision(t: tuple[Any, ...]) -> Decision:
    (code, message, reservation, expires_at, input_tokens, reserved_output, projected,
     cost_known, fits, retry_at, limits, json_text, label) = t
    return Decision(
        allowed=code == "allowed",
        code=code,
        message=message,
        reservation=reservation,
        expires_at_us=expires_at,
        input_tokens=input_tokens,
        input_label=label,
        reserved_output_tokens=reserved_output,
        projected_cost_pico=projected,
        cost_known=cost_known,
        max_output_that_fits=fits,
        retry_at_us=None if retry_at < 0 else retry_at,
        limits=tuple(LimitStatus(*limit) for limit in limits),
        json=json_text,
    )


@dataclass(frozen=True)
class UsageRecord:
    """One committed call, as the ledger journaled it."""

    seq: int
    """Journal sequence number: 1, 2, ... per ledger."""
    admitted_at_us: int
    """Time of the pre-flight, which decides the periods charged."""
    committed_at_us: int
    scopes: tuple[str, ...]
    """Every scope charged, "model:<id>" included."""
    model: str
    provider: str
    usage: Usage
    cost_pico: Optional[int]
    """The exact cost charged; None if the call could not be priced."""
    step: Optional[int]
    conversation_id: str
    late: bool
    """Committed after its reservation had expired."""

    @property
    def admitted_at(self) -> _dt.datetime:
        return _datetime(self.admitted_at_us)

    @property
    def committed_at(self) -> _dt.datetime:
        return _datetime(self.committed_at_us)

    def __str__(self) -> str:
        cost = "unknown" if self.cost_pico is None else "$" + format_usd(self.cost_pico)
        return f"#{self.seq} {self.model} {self.usage.total} tokens {cost} {list(self.scopes)}"


def _record(t: tuple[Any, ...]) -> UsageRecord:
    (seq, admitted, committed, scopes, model, provider, usage, cost, cost_known, step, conv,
     late) = t
    return UsageRecord(
        seq=seq,
        admitted_at_us=admitted,
        committed_at_us=committed,
        scopes=tuple(scopes),
        model=model,
        provider=provider,
        usage=Usage(**usage),
        cost_pico=cost if cost_known else None,
        step=None if step < 0 else step,
        conversation_id=conv,
        late=late,
    )


class ScopeUsage(NamedTuple):
    used: int
    """Committed in the current period."""
    reserved: int
    """Held by admitted calls not yet committed."""


class BudgetLedger:
    """Pre-flight budget checks, reservations and a durable spend ledger.

    Before each model call, ask the ledger whether the call fits: the model's context window,
    the budgets of every scope the call belongs to ("user:alice", "workflow:triage",
    "agent:coder", "model:gpt-4o", ...) and rate limits. An admitted call holds a reservation
    until you commit the provider's real usage or release it. Check and reserve is atomic
    across the call's scopes, so concurrent calls never together exceed a limit. With `dir`,
    committed spend is journaled there and survives restarts. Thread-safe; every call releases
    the GIL while it works.

        ledger = tokwise.BudgetLedger({"budgets": [{"scope": "user:*", "usd_per_day": "5"}]})
        d = ledger.preflight(body, scopes=["user:alice"])
        if d:
            response = call_the_provider(max_tokens=d.reserved_output_tokens)
            ledger.commit(d, response["usage"])
        else:
            print(d.message)
    """

    def __init__(
        self,
        budgets: Union[None, Text, Mapping[str, Any]] = None,
        dir: Union[None, str, os.PathLike[str]] = None,
        *,
        catalog: Optional[Catalog] = None,
        on_commit: Optional[Callable[[UsageRecord], None]] = None,
        now: Optional[Time] = None,
        reservation_ttl: Optional[float] = None,
        fsync: Literal["every_commit", "every_n", "never"] = "every_commit",
        fsync_every_n: int = 64,
        fallback_model: Union[None, str, Model] = None,
    ) -> None:
        """Opens a ledger.

        budgets: {"budgets": [{"scope": "user:*", "usd_per_day": "5", "tokens_per_month":
            2000000}, {"scope": "model:gpt-4o", "requests_per_minute": 500}]} as a dict or
            JSON. Limit keys: <metric>_per_<minute|hour|day|month> or <metric>_total, metric
            requests, input_tokens, output_tokens, tokens or usd. None: no limits (spend is
            still metered).
        dir: keep the journal and snapshots there; None keeps everything in memory.
        catalog: where pre-flight models are looked up (default: Catalog.default()).
        on_commit: called with each UsageRecord after a successful commit, on the committing
            thread. Its exceptions go to sys.unraisablehook: the commit has happened.
        now: a manual clock starting at this time (moved by set_time()), for replaying logged
            calls and for tests; None reads the system clock.
        reservation_ttl: seconds a reservation holds budget if never settled (default 600).
        fallback_model: price calls to unpriced models at this model's prices, so dollar
            limits still apply; None denies them where a dollar limit applies.
        """
        callback = None
        if on_commit is not None:

            def callback(t: tuple[Any, ...]) -> None:
                on_commit(_record(t))

        self._core = _core.Ledger(
            None if budgets is None else _json_text(budgets),
            "" if dir is None else os.fspath(dir),
            None if catalog is None else catalog._core,
            None if now is None else _micros(now),
            callback,
            None if reservation_ttl is None else round(reservation_ttl * 1_000_000),
            fsync,
            fsync_every_n,
            None if fallback_model is None else _model(fallback_model)._core,
        )

    def preflight(
        self,
        body: Optional[Body] = None,
        *,
        model: Optional[str] = None,
        input_tokens: Optional[int] = None,
        max_output_tokens: Optional[int] = None,
        scopes: Iterable[str] = (),
        expected_cache_read: int = 0,
        expected_cache_write_5m: int = 0,
        expected_cache_write_1h: int = 0,
        step: Optional[int] = None,
        conversation_id: Optional[str] = None,
        dry_run: bool = False,
        shrink_output: bool = False,
        min_output_tokens: int = 1,
        ttl: Optional[float] = None,
        format: str = "auto",
        anthropic_text_factor: float = 1.0,
    ) -> Decision:
        """Decides whether a call fits and, unless dry_run, reserves it.

        Either give the chat request `body` (JSON text, bytes or a dict: it is counted as
        tokwise.count_chat() counts it, and its "model" and max tokens are used unless `model`
        / `max_output_tokens` are given), or `model` and `input_tokens`.
        scopes: "kind:name" keys the call is charged to; "model:<id>" is added for you.
        max_output_tokens: default: the body's, else the model's max output (or what remains of
            the window if less).
        shrink_output: if the output does not fit, admit with the largest that does (at least
            min_output_tokens); send max_tokens = decision.reserved_output_tokens.
        ttl: seconds this reservation holds budget if never settled.

        A denial is not an exception: the Decision is falsy and says why. NotFoundError for an
        unknown model; TokwiseError for malformed requests (bad scope keys, negative counts).
        """
        args = (
            max_output_tokens, list(scopes), expected_cache_read, expected_cache_write_5m,
            expected_cache_write_1h, step, conversation_id, dry_run, shrink_output,
            min_output_tokens, None if ttl is None else round(ttl * 1_000_000),
        )
        if body is not None:
            if input_tokens is not None:
                raise ValueError("give either a body or input_tokens, not both")
            return _decision(self._core.preflight_chat(
                _json_text(body), model or "", format, anthropic_text_factor, *args))
        if model is None or input_tokens is None:
            raise ValueError("give a chat body, or model and input_tokens")
        return _decision(self._core.preflight(model, input_tokens, *args))

    def commit(
        self,
        reservation: Union[Decision, int],
        usage: UsageLike,
        *,
        cost_pico: Optional[int] = None,
    ) -> UsageRecord:
        """Reconciles a reservation with what the provider billed: frees what was held, charges
        the real tokens and cost to every scope (in the periods of the pre-flight), journals the
        record and calls on_commit.

        usage: a Usage, or the provider's usage object / response (normalized first).
        cost_pico: the exact cost to charge instead of pricing the usage (e.g. a cost the
            provider reported; needed for audio tokens, which the catalog has no prices for).
        NotFoundError for an unknown reservation, one already settled, or one expired more than
        an hour ago.
        """
        u = normalize_usage(usage)
        if (u.audio_input or u.audio_output) and cost_pico is None:
            raise FailedPreconditionError(
                f"the usage holds {u.audio_input + u.audio_output} audio tokens, which the "
                "catalog has no prices for: pass cost_pico"
            )
        rid = reservation.reservation if isinstance(reservation, Decision) else reservation
        return _record(self._core.commit(
            rid, u.uncached_input, u.cache_read, u.cache_write_5m, u.cache_write_1h, u.output,
            u.reasoning, cost_pico))

    def release(self, reservation: Union[Decision, int]) -> None:
        """Gives back a reservation whose call failed; nothing is charged. NotFoundError if it
        is unknown or already settled (releasing an expired one does nothing)."""
        rid = reservation.reservation if isinstance(reservation, Decision) else reservation
        self._core.release(rid)

    def usage(
        self,
        scope: str,
        window: Literal["minute", "hour", "day", "month", "total"] = "day",
        metric: Literal["requests", "input_tokens", "output_tokens", "tokens", "usd"] = "usd",
    ) -> ScopeUsage:
        """Where a scope stands in the current period of a window ("usd" in pico-dollars)."""
        return ScopeUsage(*self._core.scope_usage(scope, window, metric))

    def set_time(self, now: Time) -> None:
        """Moves a manual clock (a ledger opened with now=...)."""
        self._core.set_time(_micros(now))

    @property
    def recovery_problem(self) -> str:
        """What opening found wrong in the journal ("" if it was clean)."""
        return self._core.recovery_problem

    def close(self) -> None:
        """Flushes the journal and releases the folder. Later calls raise."""
        self._core.close()

    def __enter__(self) -> BudgetLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_usage_records(dir: Union[str, os.PathLike[str]]) -> list[UsageRecord]:
    """Every usage record journaled in a ledger folder, oldest first (records folded into a
    snapshot are gone unless the ledger archived its journals). A torn or corrupt tail ends the
    file it is in. Safe while a ledger has the folder open."""
    records, _ = _core.read_usage_records(os.fspath(dir))
    return [_record(r) for r in records]


__all__ = [
    "BudgetLedger",
    "Decision",
    "LimitStatus",
    "ScopeUsage",
    "UsageRecord",
    "read_usage_records",
]
