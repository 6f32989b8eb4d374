// The context-accumulation model against the reference examples and the providers' documented
// caching rules. Expected figures are the article's (or arithmetic on documented prices),
// never the model's own output.
#include "tokwise/cost_model.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "test_models.h"
#include "tokwise/scenario.h"

namespace tokwise {
namespace {

using testing::Gpt4o;
using testing::Sonnet45;

constexpr size_t K(TokenKind k) { return static_cast<size_t>(k); }

ScenarioResult Eval(const Scenario& s, const ModelInfo& m, const EvalOptions& o = {}) {
  auto r = Evaluate(s, m, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ScenarioResult{};
}

ScenarioResult EvalPreset(std::string_view name, const EvalOptions& o = {}) {
  auto s = BuildPreset(name);
  EXPECT_TRUE(s.ok()) << s.status();
  return Eval(*s, Gpt4o(), o);
}

EvalOptions NoCache() {
  EvalOptions o;
  o.cache.mode = CacheMode::kOff;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Reference examples
// ---------------------------------------------------------------------------------------------

TEST(ReferenceTest, SingleCallIs550Tokens) {
  // system 200 + user 50 + output 300 = 550.
  const ScenarioResult r = EvalPreset("single-call", NoCache());
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.tokens.input(), 250u);
  EXPECT_EQ(r.tokens.output, 300u);
  EXPECT_EQ(r.total_tokens(), 550u);
  EXPECT_DOUBLE_EQ(r.Multiplier(), 1.0);
  // GPT-4o list prices: 250 x $2.50/M + 300 x $10/M = $0.000625 + $0.003 = $0.003625.
  EXPECT_EQ(r.total_cost(), int64_t{3'625'000'000});
  EXPECT_EQ(FormatDollars(r.total_cost(), 6), "$0.003625");
}

TEST(ReferenceTest, RagCallHas2800RetrievedTokens) {
  const ScenarioResult r = EvalPreset("rag", NoCache());
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kRetrieved)], 800u + 1100u + 900u);
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kRetrieved)], 2800u);
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kSystem)], 200u);
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kUser)], 50u);
  EXPECT_EQ(r.tokens.output, 400u);
  EXPECT_EQ(r.total_tokens(), 200u + 50u + 2800u + 400u);
}

TEST(ReferenceTest, FiveStepResearchAgentIs11950Tokens) {
  const ScenarioResult r = EvalPreset("research-agent", NoCache());
  // The article's step sizes: 550, 1,200, 2,100, 3,300, 4,800; each re-sends the previous.
  const std::vector<uint64_t> step = {550, 1200, 2100, 3300, 4800};
  ASSERT_EQ(r.steps.size(), step.size());
  for (size_t k = 0; k < step.size(); ++k) {
    EXPECT_EQ(r.steps[k].total(), step[k]) << "step " << k + 1;
    EXPECT_EQ(r.steps[k].resent, k == 0 ? 0 : step[k - 1]) << "step " << k + 1;
  }
  // Step 1 = system 200 + user 21 + tool call 18 + tool result 311.
  EXPECT_EQ(r.steps[0].new_tokens[K(TokenKind::kSystem)], 200u);
  EXPECT_EQ(r.steps[0].new_tokens[K(TokenKind::kUser)], 21u);
  EXPECT_EQ(r.steps[0].new_tokens[K(TokenKind::kToolCall)], 18u);
  EXPECT_EQ(r.steps[0].new_tokens[K(TokenKind::kToolResult)], 311u);
  EXPECT_EQ(r.total_tokens(), 11950u);
  // 11,950 / 550 = 21.7x.
  EXPECT_EQ(std::round(r.Multiplier() * 10) / 10, 21.7);
  EXPECT_EQ(r.steps.back().cumulative_tokens, 11950u);
}

TEST(ReferenceTest, ResearchAgentAsBilledReadsEachResultInTheNextCall) {
  // The same steps as a provider sees them: call k writes tool call k, call k+1 reads its
  // result. The inputs are the article's step sizes shifted by one call.
  const ScenarioResult r = EvalPreset("research-agent-billed", NoCache());
  const std::vector<uint64_t> input = {200 + 21, 550, 1200, 2100, 3300};
  const std::vector<uint64_t> output = {18, 23, 30, 1200, 1500};
  ASSERT_EQ(r.steps.size(), input.size());
  uint64_t total = 0;
  for (size_t k = 0; k < input.size(); ++k) {
    EXPECT_EQ(r.steps[k].input, input[k]) << "call " << k + 1;
    EXPECT_EQ(r.steps[k].output, output[k]) << "call " << k + 1;
    total += input[k] + output[k];
  }
  EXPECT_EQ(r.total_tokens(), total);
  // The article's count minus each tool result once: 11,950 - (311 + 627 + 870).
  EXPECT_EQ(r.total_tokens(), 11950u - (311 + 627 + 870));
}

TEST(ReferenceTest, TenStepLoopCosts55TimesTheFirstCall) {
  // Each step adds as much as the whole first call (550): step k holds k x 550 tokens.
  const ScenarioResult r = EvalPreset("agent-loop-10", NoCache());
  ASSERT_EQ(r.steps.size(), 10u);
  EXPECT_EQ(r.steps[0].total(), 550u);
  EXPECT_EQ(r.total_tokens(), 55u * 550u);
  EXPECT_EQ(r.total_tokens() / r.steps[0].total(), 55u);
}

TEST(ReferenceTest, LoopInputGrowsAsNTimesNPlusOneOverTwo) {
  // In input tokens: a loop whose every call adds X tokens of input sends n(n+1)/2 X in all.
  constexpr uint32_t kX = 550;
  for (uint32_t n = 1; n <= 30; ++n) {
    AgentLoopSpec a;
    a.user = kX;  // Call 1's new input.
    a.timing = ResultTiming::kNextCall;
    a.steps.assign(n - 1, AgentStep{0, kX, 0, 0});  // Each later call reads X more.
    a.steps.push_back(AgentStep{});
    const ScenarioResult r = Eval(BuildAgentLoop(a), Gpt4o(), NoCache());
    ASSERT_EQ(r.calls, n);
    EXPECT_EQ(r.tokens.input(), uint64_t{kX} * n * (n + 1) / 2) << "n = " << n;
  }
}

TEST(ReferenceTest, MultiAgentIs35500Tokens) {
  const ScenarioResult r = EvalPreset("multi-agent", NoCache());
  ASSERT_EQ(r.sequences.size(), 4u);
  EXPECT_EQ(r.sequences[0].name, "orchestrator");
  EXPECT_EQ(r.sequences[0].tokens.total(), 4500u);
  EXPECT_EQ(r.sequences[1].name, "research");
  EXPECT_EQ(r.sequences[1].tokens.total(), 9000u);
  EXPECT_EQ(r.sequences[2].name, "analysis");
  EXPECT_EQ(r.sequences[2].tokens.total(), 12500u);
  EXPECT_EQ(r.sequences[3].name, "writing");
  EXPECT_EQ(r.sequences[3].tokens.total(), 9500u);
  EXPECT_EQ(r.total_tokens(), 35500u);
  // About 64.5x the 550-token direct answer (35,500 / 550 = 64.54).
  EXPECT_EQ(std::round(r.Multiplier() * 10) / 10, 64.5);

  // The orchestrator reads each agent's answer: its tool results are the agents' last outputs.
  const MultiAgentSpec spec = ReferenceMultiAgent();
  uint64_t answers = 0;
  for (const SubAgentSpec& a : spec.agents) answers += a.loop.steps.back().output;
  uint64_t orchestrator_results = 0;
  for (const StepResult& s : r.steps) {
    if (s.sequence == 0) orchestrator_results += s.new_tokens[K(TokenKind::kToolResult)];
  }
  EXPECT_EQ(orchestrator_results, answers);
}

TEST(ReferenceTest, SystemPromptTaxOf50Messages) {
  // 500 tokens x 50 messages = 25,000 system-prompt tokens.
  const ScenarioResult r = EvalPreset("system-prompt-tax", NoCache());
  EXPECT_EQ(r.calls, 50u);
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kSystem)], 500u * 50u);
  EXPECT_EQ(r.input_by_kind[K(TokenKind::kSystem)], 25000u);
  // At GPT-4o's $2.50/M that is $0.0625.
  EXPECT_EQ(r.input_cost_by_kind[K(TokenKind::kSystem)], 25000 * int64_t{2'500'000});
}

TEST(ReferenceTest, ConversationResendsEveryEarlierTurn) {
  // Turn k re-sends the system prompt and the k-1 earlier exchanges of 350 tokens.
  const ScenarioResult r = EvalPreset("conversation-20", NoCache());
  ASSERT_EQ(r.steps.size(), 20u);
  uint64_t total = 0;
  for (uint64_t k = 1; k <= 20; ++k) {
    const uint64_t expected = 200 + (k - 1) * 350 + 50 + 300;
    EXPECT_EQ(r.steps[k - 1].total(), expected);
    total += expected;
  }
  EXPECT_EQ(r.total_tokens(), total);
  EXPECT_EQ(r.total_tokens(), 20u * 200 + 350u * 20 * 21 / 2);
}

// ---------------------------------------------------------------------------------------------
// Prompt caching
// ---------------------------------------------------------------------------------------------

// Two calls: system `system` (pinned) + user 500 -> 100 out; `gap_ms` later user 100 -> 100.
Scenario TwoCalls(uint32_t system, int64_t gap_ms) {
  Scenario s("two calls");
  s.AddInput(TokenKind::kSystem, system, ItemFlags{true});
  s.AddInput(TokenKind::kUser, 500);
  s.AddOutput(TokenKind::kAssistant, 100);
  s.BeginCall(gap_ms);
  s.AddInput(TokenKind::kUser, 100);
  s.AddOutput(TokenKind::kAssistant, 100);
  return s;
}

EvalOptions Mode(CacheMode m) {
  EvalOptions o;
  o.cache.mode = m;
  return o;
}

TEST(CachingTest, FiveMinuteWriteThenRead) {
  const ModelInfo m = Sonnet45();
  const ScenarioResult r = Eval(TwoCalls(1500, 60'000), m, Mode(CacheMode::kExplicit5m));
  ASSERT_EQ(r.steps.size(), 2u);
  // Call 1 writes its whole input (breakpoints after the system prompt and at the end).
  EXPECT_EQ(r.steps[0].tokens.cache_read, 0u);
  EXPECT_EQ(r.steps[0].tokens.cache_write_5m, 2000u);
  EXPECT_EQ(r.steps[0].tokens.uncached, 0u);
  // Call 2 (a minute later) reads those 2,000 and writes the new 200 (output 100 + user 100).
  EXPECT_EQ(r.steps[1].tokens.cache_read, 2000u);
  EXPECT_EQ(r.steps[1].tokens.cache_write_5m, 200u);
  EXPECT_EQ(r.steps[1].tokens.uncached, 0u);
  // Prices: write $3.75/M, read $0.30/M, output $15/M.
  EXPECT_EQ(r.steps[0].cost.total(), 2000 * int64_t{3'750'000} + 100 * int64_t{15'000'000});
  EXPECT_EQ(r.steps[1].cost.total(),
            2000 * int64_t{300'000} + 200 * int64_t{3'750'000} + 100 * int64_t{15'000'000});
}

TEST(CachingTest, GapLongerThanLifetimeRewrites) {
  const ModelInfo m = Sonnet45();
  // Six minutes: the 5-minute entry expired, so call 2 writes everything again.
  ScenarioResult r = Eval(TwoCalls(1500, 6 * 60'000), m, Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.steps[1].tokens.cache_read, 0u);
  EXPECT_EQ(r.steps[1].tokens.cache_write_5m, 2200u);
  // The 1-hour cache is still alive after six minutes.
  r = Eval(TwoCalls(1500, 6 * 60'000), m, Mode(CacheMode::kExplicit1h));
  EXPECT_EQ(r.steps[1].tokens.cache_read, 2000u);
  EXPECT_EQ(r.steps[1].tokens.cache_write_1h, 200u);
  EXPECT_EQ(r.steps[1].cost.cache_write_1h, 200 * int64_t{6'000'000});
  // ... but not after 61 minutes.
  r = Eval(TwoCalls(1500, 61 * 60'000), m, Mode(CacheMode::kExplicit1h));
  EXPECT_EQ(r.steps[1].tokens.cache_read, 0u);
  // A gap of exactly the lifetime still hits (expired only when the gap is longer).
  r = Eval(TwoCalls(1500, 5 * 60'000), m, Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.steps[1].tokens.cache_read, 2000u);
}

TEST(CachingTest, ReadsRestartTheLifetime) {
  // Calls every 4 minutes for 16 minutes: each read refreshes the 5-minute entry, so every
  // call after the first reads the previous prefix although the first write is long expired.
  Scenario s("refresh");
  s.AddInput(TokenKind::kSystem, 2000, ItemFlags{true});
  for (int k = 0; k < 5; ++k) {
    if (k > 0) s.BeginCall(4 * 60'000);
    s.AddInput(TokenKind::kUser, 10);
    s.AddOutput(TokenKind::kAssistant, 10);
  }
  const ScenarioResult r = Eval(s, Sonnet45(), Mode(CacheMode::kExplicit5m));
  ASSERT_EQ(r.steps.size(), 5u);
  for (size_t k = 1; k < 5; ++k) {
    EXPECT_EQ(r.steps[k].tokens.cache_read, r.steps[k - 1].input) << "call " << k + 1;
    EXPECT_EQ(r.steps[k].tokens.cache_write_5m, 20u) << "call " << k + 1;
  }
}

TEST(CachingTest, MinimumCacheablePrefix) {
  const ModelInfo m = Sonnet45();  // 1,024 tokens.
  // A 600-token input cannot be cached: nothing is written or read, all input is ordinary.
  ScenarioResult r = Eval(TwoCalls(100, 1000), m, Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.steps[0].tokens.cache_write_5m, 0u);
  EXPECT_EQ(r.steps[0].tokens.uncached, 600u);
  // Call 2's input is 800: still below the minimum.
  EXPECT_EQ(r.steps[1].tokens.cache_read, 0u);
  EXPECT_EQ(r.steps[1].tokens.cache_write_5m, 0u);
  EXPECT_EQ(r.steps[1].tokens.uncached, 800u);

  // With a 1,000-token system prompt call 1 (1,500) is cacheable at its end, though its
  // system-prompt breakpoint (1,000) is not.
  r = Eval(TwoCalls(1000, 1000), m, Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.steps[0].tokens.cache_write_5m, 1500u);
  EXPECT_EQ(r.steps[1].tokens.cache_read, 1500u);

  // A model with a 2,048 minimum (Anthropic's Haiku 3.5) caches neither.
  ModelInfo haiku = m;
  haiku.min_cacheable_prefix = 2048;
  r = Eval(TwoCalls(1000, 1000), haiku, Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.tokens.cache_write_5m + r.tokens.cache_read, 0u);
}

TEST(CachingTest, AutomaticCachingReadsIn128TokenIncrements) {
  // GPT-4o: prompts of 1,024+ tokens, hits in 128-token increments, no write surcharge.
  const ModelInfo m = Gpt4o();
  const ScenarioResult r = Eval(TwoCalls(1500, 60'000), m);  // Provider default = automatic.
  EXPECT_EQ(r.cache_mode, CacheMode::kAutomatic);
  EXPECT_EQ(r.steps[0].tokens.cache_read, 0u);
  EXPECT_EQ(r.steps[0].tokens.uncached, 2000u);  // Written at the ordinary input price.
  // Call 2 shares a 2,000-token prefix; the hit is 1,024 + 7 x 128 = 1,920.
  EXPECT_EQ(r.steps[1].tokens.cache_read, 1920u);
  EXPECT_EQ(r.steps[1].tokens.uncached, 2200u - 1920u);
  EXPECT_EQ(r.steps[1].cost.input(), 1920 * int64_t{1'250'000} + 280 * int64_t{2'500'000});
  // The research agent's call 3 reads call 2's 1,177-token prompt as 1,152.
  const ScenarioResult a = EvalPreset("research-agent");
  EXPECT_EQ(a.steps[2].tokens.cache_read, 1152u);
}

TEST(CachingTest, ModesMustMatchTheProvider) {
  // Explicit modes need cache-write prices; automatic needs their absence.
  auto r = Evaluate(TwoCalls(1500, 0), Gpt4o(), Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  r = Evaluate(TwoCalls(1500, 0), Sonnet45(), Mode(CacheMode::kAutomatic));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  ModelInfo no_1h = Sonnet45();
  no_1h.prices.cache_write_1h = kNotOffered;
  r = Evaluate(TwoCalls(1500, 0), no_1h, Mode(CacheMode::kExplicit1h));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  // Anthropic caches only on request: its provider default is no caching.
  const ScenarioResult d = Eval(TwoCalls(1500, 0), Sonnet45());
  EXPECT_EQ(d.cache_mode, CacheMode::kOff);
  EXPECT_EQ(d.tokens.cache_read + d.tokens.cache_write_5m, 0u);
}

TEST(CachingTest, WritePayoffFromRates) {
  // Anthropic's multipliers: 5-minute writes 1.25x, 1-hour writes 2x, reads 0.1x.
  const Prices p = Sonnet45().prices;
  EXPECT_EQ(*CacheWritePayoffReads(p, CacheMode::kExplicit5m), 1u);
  EXPECT_EQ(*CacheWritePayoffReads(p, CacheMode::kExplicit1h), 2u);
  EXPECT_EQ(*CacheWritePayoffReads(Gpt4o().prices, CacheMode::kAutomatic), 1u);
  // A read no cheaper than input never pays.
  Prices flat = p;
  flat.cache_read = flat.input;
  EXPECT_EQ(CacheWritePayoffReads(flat, CacheMode::kExplicit5m).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CacheWritePayoffReads(p, CacheMode::kOff).status().code(),
            absl::StatusCode::kInvalidArgument);

  // The same threshold from whole evaluations: a 2,000-token system prompt sent 1 + r times
  // (each call's own question and answer are transient, so only the prompt is cached).
  auto reuse = [](uint32_t reads, CacheMode mode) {
    Scenario s("reuse");
    s.AddInput(TokenKind::kSystem, 2000, ItemFlags{true});
    for (uint32_t k = 0; k <= reads; ++k) {
      if (k > 0) s.BeginCall(60'000);
      s.AddInput(TokenKind::kUser, 20, ItemFlags{false, true});
      s.AddOutput(TokenKind::kAssistant, 20, ItemFlags{false, true});
    }
    EvalOptions o;
    o.cache.mode = mode;
    auto r = Evaluate(s, Sonnet45(), o);
    return r.ok() ? r->total_cost() : PicoUsd{-1};
  };
  EXPECT_LT(reuse(1, CacheMode::kExplicit5m), reuse(1, CacheMode::kOff));
  EXPECT_GT(reuse(1, CacheMode::kExplicit1h), reuse(1, CacheMode::kOff));
  EXPECT_LT(reuse(2, CacheMode::kExplicit1h), reuse(2, CacheMode::kOff));
}

TEST(CachingTest, PinnedPrefixSurvivesASummary) {
  // After a summary replaces the history, the pinned system prompt is still a cache hit.
  Scenario s("chat");
  s.AddInput(TokenKind::kSystem, 1500, ItemFlags{true});
  for (int k = 0; k < 6; ++k) {
    if (k > 0) s.BeginCall(30'000);
    s.AddInput(TokenKind::kUser, 200);
    s.AddOutput(TokenKind::kAssistant, 400);
  }
  EvalOptions o = Mode(CacheMode::kExplicit5m);
  o.context.summarize_above_tokens = 2000;
  o.context.summary_tokens = 300;
  o.context.summary_prompt_tokens = 50;
  const ScenarioResult r = Eval(s, Sonnet45(), o);
  // History after call k is 600k tokens: above 2,000 before call 5 (2,400).
  size_t summaries = 0;
  for (size_t i = 0; i < r.steps.size(); ++i) {
    if (!r.steps[i].summarization) continue;
    ++summaries;
    // The call after the summary re-sends system 1,500 + summary 300 and reads the system
    // prompt from the cache.
    ASSERT_LT(i + 1, r.steps.size());
    EXPECT_EQ(r.steps[i + 1].resent, 1500u + 300u);
    EXPECT_EQ(r.steps[i + 1].tokens.cache_read, 1500u);
    EXPECT_EQ(r.steps[i].output, 300u);
  }
  EXPECT_EQ(summaries, 1u);
  EXPECT_EQ(r.calls, 7u);
}

// ---------------------------------------------------------------------------------------------
// Prices and limits
// ---------------------------------------------------------------------------------------------

TEST(PricingTest, LongContextTierPricesTheWholeCall) {
  // Sonnet 4.5 above 200K input tokens: $6 input, $22.50 output for the whole request.
  Scenario s("long");
  s.AddInput(TokenKind::kRetrieved, 250000);
  s.AddOutput(TokenKind::kAssistant, 1000);
  ScenarioResult r = Eval(s, Sonnet45(), Mode(CacheMode::kOff));
  EXPECT_EQ(r.total_cost(), 250000 * int64_t{6'000'000} + 1000 * int64_t{22'500'000});
  // With caching, the tier's cache prices scale with its input price (Anthropic lists
  // $7.50 for 5-minute writes above 200K: $3.75 x 6 / 3).
  r = Eval(s, Sonnet45(), Mode(CacheMode::kExplicit5m));
  EXPECT_EQ(r.cost.cache_write_5m, 250000 * int64_t{7'500'000});
  // At exactly 200K the base prices apply.
  Scenario t("edge");
  t.AddInput(TokenKind::kRetrieved, 200000);
  r = Eval(t, Sonnet45(), Mode(CacheMode::kOff));
  EXPECT_EQ(r.total_cost(), 200000 * int64_t{3'000'000});
}

TEST(PricingTest, BatchUsesBatchPricesWithoutCaching) {
  EvalOptions o;
  o.batch = true;
  const ScenarioResult r = EvalPreset("research-agent", o);
  EXPECT_TRUE(r.batch);
  EXPECT_EQ(r.tokens.cache_read, 0u);
  EXPECT_EQ(r.total_cost(), static_cast<PicoUsd>(r.tokens.input()) * 1'250'000 +
                                static_cast<PicoUsd>(r.tokens.output) * 5'000'000);
  ModelInfo no_batch = Gpt4o();
  no_batch.prices.batch_input = kNotOffered;
  auto e = Evaluate(*BuildPreset("single-call"), no_batch, o);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(PricingTest, MissingBasePriceIsAnError) {
  ModelInfo m = Gpt4o();
  m.prices.output = kNotOffered;
  auto r = Evaluate(*BuildPreset("single-call"), m);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("gpt-4o"), absl::string_view::npos);
}

TEST(PricingTest, OverflowIsAnErrorNotAWrongNumber) {
  // 4 x 10^9 output tokens at $15/M is $60,000 a call; 200 calls pass int64 pico-dollars.
  Scenario s("huge");
  for (int k = 0; k < 200; ++k) s.AddOutput(TokenKind::kAssistant, 4'000'000'000u), s.BeginCall();
  auto r = Evaluate(s, Sonnet45(), Mode(CacheMode::kOff));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(LimitsTest, FlagsCallsOverTheContextWindow) {
  ConversationSpec c;
  c.system = 1000;
  c.turns = ConversationSpec::Uniform(100, 500, 1000);  // Turn 100 re-sends ~150K tokens.
  const ScenarioResult r = Eval(BuildConversation(c), Gpt4o(), Mode(CacheMode::kOff));
  // Turn k's input + output is 1,000 + 1,500 k; above 128,000 from turn 85 on.
  EXPECT_EQ(r.calls_over_context_window, 16u);
  EXPECT_FALSE(r.steps[83].over_context_window);
  EXPECT_TRUE(r.steps[84].over_context_window);
}

TEST(ScenarioTest, HeaderExample) {
  // The usage example at the top of tokwise/cost_model.h.
  Scenario s("chat");
  s.AddInput(TokenKind::kSystem, 200, ItemFlags{/*pinned=*/true});
  s.AddInput(TokenKind::kUser, 50);
  s.AddOutput(TokenKind::kAssistant, 300);
  s.BeginCall(/*gap_ms=*/60'000);
  s.AddInput(TokenKind::kUser, 40);
  s.AddOutput(TokenKind::kAssistant, 250);
  const ScenarioResult r = Eval(s, Gpt4o());
  EXPECT_EQ(r.steps[1].resent, 550u);
  EXPECT_EQ(r.total_tokens(), 1390u);
}

TEST(ScenarioTest, InputAfterOutputStartsTheNextCall) {
  Scenario s;
  s.AddInput(TokenKind::kUser, 10);
  s.AddOutput(TokenKind::kAssistant, 5);
  s.AddOutput(TokenKind::kReasoning, 7, ItemFlags{false, true});
  s.AddInput(TokenKind::kUser, 3);
  ASSERT_EQ(s.calls().size(), 2u);
  EXPECT_EQ(s.calls()[0].num_input, 1u);
  EXPECT_EQ(s.calls()[0].num_output, 2u);
  const ScenarioResult r = Eval(s, Gpt4o(), Mode(CacheMode::kOff));
  // Transient reasoning is billed as output but not re-sent.
  EXPECT_EQ(r.steps[0].output, 12u);
  EXPECT_EQ(r.steps[1].resent, 15u);
  EXPECT_EQ(r.output_by_kind[K(TokenKind::kReasoning)], 7u);
}

TEST(ScenarioTest, EvaluationIsDeterministicAndReusable) {
  ScenarioEvaluator ev;
  ScenarioResult a, b;
  const Scenario s = *BuildPreset("multi-agent");
  ASSERT_TRUE(ev.Evaluate(s, Sonnet45(), Mode(CacheMode::kExplicit5m), &a).ok());
  ASSERT_TRUE(ev.Evaluate(*BuildPreset("rag"), Gpt4o(), {}, &b).ok());
  ASSERT_TRUE(ev.Evaluate(s, Sonnet45(), Mode(CacheMode::kExplicit5m), &b).ok());
  EXPECT_EQ(a.total_cost(), b.total_cost());
  EXPECT_EQ(a.steps.size(), b.steps.size());
  EXPECT_EQ(a.tokens.cache_read, b.tokens.cache_read);
}

TEST(MoneyTest, FormatUsd) {
  EXPECT_EQ(FormatDollars(0, 2), "$0.00");
  EXPECT_EQ(FormatDollars(1'234'567'890'000'000, 2), "$1,234.57");
  EXPECT_EQ(FormatDollars(-5'000'000, 6), "-$0.000005");
  EXPECT_EQ(FormatDollars(4'999'999, 6), "$0.000005");  // Half away from zero.
  // Beyond int64 pico-dollars: 10^22 pico = $10 billion.
  const PicoUsdWide big = static_cast<PicoUsdWide>(10'000'000'000) * 1'000'000'000'000;
  EXPECT_EQ(FormatDollars(big, 0), "$10,000,000,000");
}

}  // namespace
}  // namespace tokwise
