"""Budgets from Python: pre-flight, commit, release, usage records, durability, threads.

The cookbook request (124 prompt tokens on gpt-4o, verified against the API; it asks for
max_tokens 1) projects 124 x $2.50 + 1 x $10 per M = $0.00032, so a $0.0005 daily budget admits
exactly one such call of three."""

import datetime as dt
import sys
import threading
from pathlib import Path

import pytest

import tokwise

DATA = Path(__file__).resolve().parent.parent / "data"
BODY = (DATA / "chat/cookbook_six_messages.json").read_text()
NOON = dt.datetime(2025, 1, 31, 12, tzinfo=dt.timezone.utc)
MIDNIGHT = dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc)
DAILY = {"budgets": [{"scope": "user:*", "usd_per_day": "0.0005"}]}


def test_a_budget_admits_one_call_of_three():
    records = []
    ledger = tokwise.BudgetLedger(DAILY, now=NOON, on_commit=records.append)
    decisions = [ledger.preflight(BODY, scopes=["user:alice"], step=3, conversation_id="c-1")
                 for _ in range(3)]
    assert [bool(d) for d in decisions] == [True, False, False]
    first, second = decisions[0], decisions[1]
    assert (first.input_tokens, first.input_label) == (124, "exact")
    assert first.reserved_output_tokens == 1
    assert first.projected_cost_pico == 320_000_000 and first.reservation != 0
    assert second.code == "budget_exceeded" and second.reservation == 0
    assert "user:alice" in second.message
    assert second.retry_at == MIDNIGHT  # A day limit reopens at midnight UTC.
    blocking = [limit for limit in second.limits if limit.blocking]
    assert blocking and blocking[0].scope == "user:alice" and blocking[0].metric == "usd"
    assert '"allowed":false' in second.json
    assert ledger.usage("user:alice") == (0, 320_000_000)

    record = ledger.commit(first, {"usage": {"prompt_tokens": 124, "completion_tokens": 1}})
    assert (record.seq, record.cost_pico, record.model, record.provider) == (
        1, 320_000_000, "gpt-4o", "openai")
    assert record.scopes == ("user:alice", "model:gpt-4o")
    assert (record.step, record.conversation_id, record.late) == (3, "c-1", False)
    assert record.admitted_at == NOON and record.usage.uncached_input == 124
    assert records == [record]  # on_commit saw the same record.
    assert ledger.usage("user:alice") == (320_000_000, 0)
    assert ledger.usage("model:gpt-4o", window="total", metric="tokens") == (125, 0)
    with pytest.raises(tokwise.NotFoundError):
        ledger.commit(first, tokwise.Usage(uncached_input=124, output=1))  # Settled already.

    # After midnight the day's budget is back.
    ledger.set_time(MIDNIGHT)
    assert ledger.preflight(BODY, scopes=["user:alice"], dry_run=True)


def test_release_counts_and_limits():
    ledger = tokwise.BudgetLedger(DAILY, now=NOON)
    d = ledger.preflight(BODY, scopes=["user:bob"])
    ledger.release(d)
    assert ledger.usage("user:bob") == (0, 0)
    with pytest.raises(tokwise.NotFoundError):
        ledger.release(d.reservation)
    # Counts given by the caller; a dry run reserves nothing.
    d = ledger.preflight(model="gpt-4o", input_tokens=124, max_output_tokens=1,
                         scopes=["user:bob"], dry_run=True)
    assert d and d.reservation == 0 and d.projected_cost_pico == 320_000_000
    assert str(d.projected_usd) == "0.000320000000"
    # The context window: 128,000 input leaves no room for output.
    d = ledger.preflight(model="gpt-4o", input_tokens=128_000, scopes=["user:bob"])
    assert d.code == "context_window" and d.max_output_that_fits == 0 and d.retry_at is None
    # Shrinking: a 16,384-token output does not fit after 120,000 input; 8,000 does.
    d = ledger.preflight(model="gpt-4o", input_tokens=120_000, max_output_tokens=16_384,
                         shrink_output=True, dry_run=True)
    assert d and d.reserved_output_tokens == 8000
    with pytest.raises(tokwise.NotFoundError):
        ledger.preflight(model="no-such-model", input_tokens=1)
    with pytest.raises(tokwise.TokwiseError, match="Not A Scope"):
        ledger.preflight(model="gpt-4o", input_tokens=1, scopes=["Not A Scope"])
    with pytest.raises(ValueError):
        ledger.preflight(model="gpt-4o")
    with pytest.raises(tokwise.FailedPreconditionError, match="audio"):
        ledger.commit(1, tokwise.Usage(uncached_input=10, audio_input=10))
    with pytest.raises(tokwise.TokwiseError, match="usd_per_dya"):
        tokwise.BudgetLedger({"budgets": [{"scope": "user:*", "usd_per_dya": 1}]})
    with pytest.raises(tokwise.FailedPreconditionError):
        tokwise.BudgetLedger().set_time(NOON)  # The system clock cannot be set.


def test_callback_exceptions_do_not_undo_a_commit(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))

    def explode(record):
        raise RuntimeError("callback failed")

    ledger = tokwise.BudgetLedger(on_commit=explode)
    d = ledger.preflight(model="gpt-4o", input_tokens=10, max_output_tokens=10)
    record = ledger.commit(d, tokwise.Usage(uncached_input=10, output=5))
    assert record.seq == 1
    assert len(seen) == 1 and "callback failed" in str(seen[0])
    assert ledger.usage("model:gpt-4o", "total", "requests") == (1, 0)


def test_the_ledger_is_durable(tmp_path):
    budgets = {"budgets": [{"scope": "workflow:*", "usd_total": "1"}]}
    with tokwise.BudgetLedger(budgets, tmp_path) as ledger:
        with pytest.raises(tokwise.FailedPreconditionError):
            tokwise.BudgetLedger(budgets, tmp_path)  # One folder, one ledger.
        for _ in range(2):
            d = ledger.preflight(model="gpt-4o", input_tokens=1000, max_output_tokens=100,
                                 scopes=["workflow:nightly"])
            ledger.commit(d, tokwise.Usage(uncached_input=1000, output=50))
    with pytest.raises(tokwise.FailedPreconditionError, match="closed"):
        ledger.usage("workflow:nightly")
    # Reopened, the spend is there: 2 x (1,000 x $2.50 + 50 x $10) per M = $0.006.
    reopened = tokwise.BudgetLedger(budgets, tmp_path)
    assert reopened.recovery_problem == ""
    assert reopened.usage("workflow:nightly", "total") == (6_000_000_000, 0)
    reopened.close()
    records = tokwise.read_usage_records(tmp_path)
    assert [r.seq for r in records] == [1, 2]
    assert all(r.cost_pico == 3_000_000_000 and r.usage.output == 50 for r in records)


def test_concurrent_preflights_never_exceed_a_limit():
    ledger = tokwise.BudgetLedger({"budgets": [{"scope": "team:*", "requests_per_day": 10}]})
    admitted = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            d = ledger.preflight(model="gpt-4o", input_tokens=100, max_output_tokens=10,
                                 scopes=["team:search"])
            with lock:
                admitted.append(bool(d))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 80 and sum(admitted) == 10
    assert ledger.usage("team:search", metric="requests") == (0, 10)
