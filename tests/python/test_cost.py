"""The catalog, usage, prices and scenarios from Python. Costs are worked out by hand from
published prices (issue 5's billing bugs) or read from real agent traces (the SWE-agent runs
in the shared data record what they were billed); scenario figures are the article's own."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

import tokwise

DATA = Path(__file__).resolve().parent.parent / "data"
OPENAI_CACHED = {"usage": {"prompt_tokens": 2006, "completion_tokens": 300,
                           "prompt_tokens_details": {"cached_tokens": 1920}}}
REPORT_CATALOG = {"models": [{
    "id": "report-model", "provider": "x", "tokenizer": "o200k_base", "context_window": 128000,
    "max_output": 128000, "prices": {"input": "1.40", "output": "4.40", "cache_read": "0.26"},
    "source": "https://example.invalid/issue-5"}]}


def test_catalog_lookup():
    m = tokwise.lookup("openai/gpt-4o-2024-08-06")
    # gpt-4o as OpenAI publishes it.
    assert (m.id, m.provider, m.tokenizer) == ("gpt-4o", "openai", "o200k_base")
    assert (m.context_window, m.max_output) == (128000, 16384)
    assert m.prices["input"] == 2_500_000 and m.prices["output"] == 10_000_000
    assert m.prices["cache_read"] == 1_250_000 and m.prices["cache_write_5m"] is None
    assert m.source.startswith("https://") and "gpt-4o-2024-08-06" in m.aliases
    catalog = tokwise.Catalog.default()
    assert catalog is tokwise.Catalog.default()
    assert "gpt-4o" in catalog and "gpt-9" not in catalog and len(catalog) > 10
    assert catalog["claude-opus-4-5"].prices["cache_write_5m"] == 6_250_000
    ids = [model.id for model in catalog]
    assert ids == sorted(ids) and "gpt-4o" in ids
    with pytest.raises(tokwise.NotFoundError):
        tokwise.lookup("ft:gpt-4o-mini:org::id")  # Fine-tunes cost more: never guessed.
    with pytest.raises(KeyError):
        catalog["no-such-model"]


def test_own_catalogs(tmp_path):
    mine = tokwise.Catalog.from_json(REPORT_CATALOG)
    assert len(mine) == 1 and mine.lookup("report-model").prices["input"] == 1_400_000
    assert "gpt-4o" not in mine
    merged = tokwise.Catalog.from_json(json.dumps(REPORT_CATALOG), over_default=True)
    assert "gpt-4o" in merged and "report-model" in merged
    litellm = tokwise.Catalog.from_json(
        {"their-model": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
                         "litellm_provider": "openai", "max_input_tokens": 128000,
                         "max_output_tokens": 16384, "mode": "chat"}}, format="litellm")
    assert litellm["their-model"].prices["input"] == 2_500_000
    bad = tmp_path / "catalog.json"
    bad.write_text('{"models": [{"id": 5}]}')
    with pytest.raises(tokwise.TokwiseError, match=r"catalog\.json: .*\$\.models\[0\]"):
        tokwise.Catalog.from_file(bad)
    with pytest.raises(OSError):
        tokwise.Catalog.from_file(tmp_path / "missing.json")


def test_normalize_usage():
    u = tokwise.normalize_usage(OPENAI_CACHED)
    assert (u.uncached_input, u.cache_read, u.output, u.format) == (86, 1920, 300, "openai-chat")
    assert u.input_total == 2006 and u.total == 2306
    a = tokwise.normalize_usage(json.dumps({"input_tokens": 6, "cache_creation_input_tokens": 10,
                                            "cache_read_input_tokens": 20, "output_tokens": 5}))
    # Anthropic's cache tokens are beside input_tokens, not inside.
    assert (a.uncached_input, a.cache_write_5m, a.cache_read, a.input_total) == (6, 10, 20, 36)
    assert tokwise.normalize_usage(u) is u
    with pytest.raises(tokwise.TokwiseError, match="prompt_tokens"):
        tokwise.normalize_usage({"prompt_tokens": -1, "completion_tokens": 3})


def test_issue_5_costs_exactly():
    # 1. OpenAI's cached tokens are inside prompt_tokens: 86 x $2.50 + 1920 x $1.25 + 300 x $10
    #    per M = $0.005615 (the bug charged the 1920 twice: $0.010415).
    c = tokwise.price_usage(OPENAI_CACHED, "gpt-4o")
    assert c.total_pico == 5_615_000_000 and str(c) == "$0.005615"
    assert c.usd == Decimal("0.005615")
    assert c.by_bucket == {"uncached_input": 215_000_000, "cache_read": 2_400_000_000,
                           "cache_write_5m": 0, "cache_write_1h": 0, "output": 3_000_000_000}
    # 2. The provider's cache discount: 1 x $1.40 + 27146 x $0.26 + 351 x $4.40 per M.
    report = tokwise.Catalog.from_json(REPORT_CATALOG)["report-model"]
    c = report.price_usage({"prompt_tokens": 27147, "completion_tokens": 351,
                            "prompt_tokens_details": {"cached_tokens": 27146}})
    assert str(c) == "$0.00860376" and c.total_pico == 8_603_760_000
    # 3. Anthropic's cache writes are beside input_tokens: 6 x $5 + 159217 x $6.25 + 2745 x $25
    #    per M = $1.06376125 (the gateway charged $1.85984625).
    c = tokwise.price_usage({"input_tokens": 6, "cache_creation_input_tokens": 159217,
                             "cache_read_input_tokens": 0, "output_tokens": 2745,
                             "cache_creation": {"ephemeral_5m_input_tokens": 159217,
                                                "ephemeral_1h_input_tokens": 0}},
                            tokwise.lookup("claude-opus-4-5"))
    assert str(c) == "$1.06376125" and c.by_bucket["cache_write_5m"] == 995_106_250_000


@pytest.mark.parametrize("trace,cost", [
    ("sweagent_gpt4_swe-agent__test-repo-i1.traj", "0.53839"),
    ("sweagent_gpt4_pydicom__pydicom-1458.traj", "1.26719"),
])
def test_swe_agent_runs_cost_what_they_were_billed(shared_data, trace, cost):
    # SWE-agent's "gpt4" is gpt-4-1106-preview ($10 / $30 per M); its model_stats record the
    # tokens sent and received over the run and the cost it was billed.
    stats = json.loads((shared_data / "traces" / trace).read_text())["info"]["model_stats"]
    usage = tokwise.Usage(uncached_input=stats["tokens_sent"], output=stats["tokens_received"])
    c = tokwise.price_usage(usage, "gpt-4-1106-preview")
    assert c.usd == Decimal(cost) == Decimal(str(stats["instance_cost"]))


def test_price_errors_and_batch():
    gpt4o = tokwise.lookup("gpt-4o")
    # Batch API: half prices, the cached part at half its price too.
    assert tokwise.price_usage(OPENAI_CACHED, gpt4o, batch=True).total_pico == 2_807_500_000
    # Cache writes on a model that sells none: refused, naming the bucket, never priced at 0.
    with pytest.raises(tokwise.FailedPreconditionError, match="cache"):
        tokwise.price_usage(tokwise.Usage(cache_write_5m=100), gpt4o)
    with pytest.raises(tokwise.FailedPreconditionError):
        tokwise.price_usage(tokwise.Usage(uncached_input=10, audio_input=10), gpt4o)
    with pytest.raises(tokwise.TokwiseError, match="reasoning"):
        tokwise.price_usage(tokwise.Usage(output=1, reasoning=2), gpt4o)


def test_before_the_call_and_the_window():
    # 1,000 input + 100 output on gpt-4o: $0.0025 + $0.001.
    assert str(tokwise.price_before_call("gpt-4o", 1000, 100)) == "$0.0035"
    # pricing.h's example: 120,000 input leaves 8,000 of gpt-4o's 128,000 window.
    w = tokwise.check_context_window("gpt-4o", 120_000, 16_000)
    assert (w.fits, w.input_fits, w.output_within_max, w.largest_max_output) == (
        False, True, True, 8000)
    assert tokwise.lookup("gpt-4o").check_window(1, 16384).fits
    assert tokwise.format_usd(8_603_760_000) == "0.00860376"
    assert tokwise.format_usd(2_000_000_000_000) == "2.00"
    assert tokwise.format_usd(5_615_000_000, 8) == "0.00561500"


def test_research_agent_is_21_7_times_the_direct_answer():
    # The article's 5-step research agent: steps of 550, 1,200, 2,100, 3,300 and 4,800 tokens,
    # each re-sending the one before: 11,950 tokens, 21.7x the 550-token direct answer.
    r = tokwise.simulate("research-agent", "claude-sonnet-4-5", cache="off")
    assert (r.total_tokens, r.direct_answer_tokens, round(r.multiplier, 1)) == (11950, 550, 21.7)
    assert [s.total for s in r.steps] == [550, 1200, 2100, 3300, 4800]
    assert [s.resent for s in r.steps] == [0, 550, 1200, 2100, 3300]
    assert r.steps[-1].cumulative_tokens == 11950 and r.cache_mode == "off"
    # Without caching every input token is uncached: $3 / $15 per M, exactly.
    assert r.cost_pico == r.input_tokens * 3_000_000 + r.output_tokens * 15_000_000
    assert r.steps[-1].cumulative_cost_pico == r.cost_pico
    assert json.loads(r.to_json())["scenario"] == r.scenario
    assert "21.7x" in r.table()
    assert "research-agent" in tokwise.presets()


def test_scenario_specs():
    spec_path = DATA / "scenarios/research_agent.json"
    # The spec names its model and 5-minute caching.
    r = tokwise.simulate(spec_path)
    assert (r.total_tokens, r.model, r.cache_mode) == (11950, "claude-sonnet-4-5", "5m")
    # The second call writes its 1,177-token prompt; the third reads it back.
    assert r.steps[1].cache_write_5m == r.steps[1].input == 1177
    assert r.steps[2].cache_read == 1177
    spec = json.loads(spec_path.read_text())
    assert tokwise.simulate(spec, cache="off").cost_pico > r.cost_pico  # Caching saves.
    assert tokwise.simulate(json.dumps({"type": "single", "system": 200, "user": 50,
                                        "output": 300}), "gpt-4o").total_tokens == 550
    with pytest.raises(tokwise.TokwiseError, match=r"\$\.steps\[0\]\.tool_reslt"):
        tokwise.simulate({"type": "agent", "steps": [{"tool_reslt": 1}]}, "gpt-4o")
    with pytest.raises(tokwise.NotFoundError, match="research-agent"):
        tokwise.simulate("no-such-preset", "gpt-4o")
    with pytest.raises(ValueError, match="names no model"):
        tokwise.simulate("single-call")
    with pytest.raises(tokwise.FailedPreconditionError):
        tokwise.simulate("single-call", "gpt-4o", cache="5m")  # OpenAI sells no cache writes.
