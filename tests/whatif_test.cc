// What-ifs, self-hosting break-even and forecasts.
#include "tokwise/whatif.h"

#include "gtest/gtest.h"
#include "test_models.h"
#include "tokwise/scenario.h"

namespace tokwise {
namespace {

using testing::Gpt4o;
using testing::Gpt4oMini;
using testing::Sonnet45;

constexpr size_t K(TokenKind k) { return static_cast<size_t>(k); }

EvalOptions NoCache() {
  EvalOptions o;
  o.cache.mode = CacheMode::kOff;
  return o;
}

WhatIfComparison Compare(std::string_view preset, const ModelInfo& m, const EvalOptions& base,
                         const std::vector<WhatIf>& w) {
  auto s = BuildPreset(preset);
  EXPECT_TRUE(s.ok());
  auto c = CompareWhatIfs(*s, m, base, w);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : WhatIfComparison{};
}

TEST(WhatIfTest, CachingSavesMoneyNotTokens) {
  const ModelInfo m = Sonnet45();
  const EvalOptions base = NoCache();
  const WhatIfComparison c = Compare(
      "multi-agent", m, base,
      {CachingWhatIf(base, CacheMode::kExplicit5m), CachingWhatIf(base, CacheMode::kExplicit1h)});
  ASSERT_EQ(c.deltas.size(), 2u);
  for (const WhatIfDelta& d : c.deltas) {
    EXPECT_EQ(d.token_delta, 0) << d.label;
    EXPECT_LT(d.cost_delta, 0) << d.label;
    EXPECT_EQ(d.cost_delta, d.result.total_cost() - c.baseline.total_cost());
  }
  // Calls ten seconds apart never outlive 5 minutes, so the cheaper 5-minute writes win.
  EXPECT_LT(c.deltas[0].cost_delta, c.deltas[1].cost_delta);
}

TEST(WhatIfTest, CheaperModelSameTokenizer) {
  // GPT-4o -> GPT-4o mini share o200k_base: same tokens, prices from the mini model.
  const ModelInfo mini = Gpt4oMini();
  const EvalOptions base = NoCache();
  WhatIf w = CheaperModelWhatIf(base, mini);
  w.options.cache.mode = CacheMode::kOff;
  const WhatIfComparison c = Compare("single-call", Gpt4o(), base, {w});
  const WhatIfDelta& d = c.deltas[0];
  EXPECT_EQ(d.model, "gpt-4o-mini");
  EXPECT_EQ(d.token_delta, 0);
  // 250 x $0.15/M + 300 x $0.60/M = $0.0002175, against $0.003625.
  EXPECT_EQ(d.result.total_cost(), 250 * int64_t{150'000} + 300 * int64_t{600'000});
  EXPECT_EQ(d.cost_delta, d.result.total_cost() - int64_t{3'625'000'000});
}

TEST(WhatIfTest, CheaperModelOtherTokenizerScalesEachItem) {
  // A tokenizer producing 10% more tokens: 200 -> 220, 50 -> 55, 300 -> 330.
  const EvalOptions base = NoCache();
  const WhatIfComparison c =
      Compare("single-call", Gpt4o(), base, {CheaperModelWhatIf(base, Sonnet45(), 1'100'000)});
  EXPECT_EQ(c.deltas[0].result.total_tokens(), 605u);
  EXPECT_EQ(c.deltas[0].token_delta, 55);
  // Or a caller's hook, e.g. one measured per kind.
  WhatIf hook = CheaperModelWhatIf(base, Sonnet45());
  hook.options.retokenize = [](TokenKind k, uint32_t n) {
    return k == TokenKind::kSystem ? n * 2 : n;
  };
  const WhatIfComparison h = Compare("single-call", Gpt4o(), base, {hook});
  EXPECT_EQ(h.deltas[0].result.input_by_kind[K(TokenKind::kSystem)], 400u);
}

TEST(WhatIfTest, FewerAndSmallerChunks) {
  const EvalOptions base = NoCache();
  const WhatIfComparison c = Compare(
      "rag", Gpt4o(), base, {RagWhatIf(base, 2, std::nullopt), RagWhatIf(base, std::nullopt, 500)});
  // The first two chunks (800 + 1,100) instead of three: 900 fewer.
  EXPECT_EQ(c.deltas[0].token_delta, -900);
  EXPECT_EQ(c.deltas[0].result.input_by_kind[K(TokenKind::kRetrieved)], 1900u);
  // Chunks capped at 500: 1,500 instead of 2,800.
  EXPECT_EQ(c.deltas[1].token_delta, -1300);
  // Dollar delta: 900 input tokens at $2.50/M.
  EXPECT_EQ(c.deltas[0].cost_delta, -900 * int64_t{2'500'000});
}

TEST(WhatIfTest, HistoryWindowBoundsTheResend) {
  const EvalOptions base = NoCache();
  const WhatIfComparison c = Compare("conversation-20", Gpt4o(), base, {WindowWhatIf(base, 1000)});
  const ScenarioResult& r = c.deltas[0].result;
  ASSERT_EQ(r.steps.size(), 20u);
  for (const StepResult& s : r.steps) {
    // System prompt (pinned, 200) plus at most 1,000 tokens of history.
    EXPECT_LE(s.resent, 200u + 1000u);
  }
  // Whole messages go, oldest first: the newest that fit in 1,000 tokens before turn 20 are
  // replies 17-19 and user messages 18-19: 3 x 300 + 2 x 50.
  EXPECT_EQ(r.steps[19].resent, 200u + 1000u);
  EXPECT_LT(c.deltas[0].token_delta, 0);
  EXPECT_LT(c.deltas[0].cost_delta, 0);
}

TEST(WhatIfTest, SummariesAreBilledCalls) {
  const EvalOptions base = NoCache();
  const WhatIfComparison c =
      Compare("conversation-20", Gpt4o(), base, {SummarizeWhatIf(base, 4000, 500)});
  const ScenarioResult& r = c.deltas[0].result;
  int summaries = 0;
  for (const StepResult& s : r.steps) summaries += s.summarization;
  EXPECT_GT(summaries, 0);
  EXPECT_EQ(r.calls, 20u + static_cast<uint32_t>(summaries));
  EXPECT_LT(c.deltas[0].token_delta, 0);
}

TEST(WhatIfTest, RestartKeepsPinnedAndCarriesANote) {
  const EvalOptions base = NoCache();
  const WhatIfComparison c =
      Compare("conversation-20", Gpt4o(), base, {RestartWhatIf(base, 5, 300)});
  const ScenarioResult& r = c.deltas[0].result;
  // Call 6 starts over: system 200 re-sent, the 300-token note and the user's 50 are new.
  EXPECT_EQ(r.steps[5].resent, 200u);
  EXPECT_EQ(r.steps[5].new_input, 350u);
  // Call 7 re-sends system, note and turn 6.
  EXPECT_EQ(r.steps[6].resent, 200u + 300u + 350u);
}

TEST(WhatIfTest, BatchHalvesGpt4oPrices) {
  // Batch API: $1.25 / $5.00, half of $2.50 / $10.00.
  const EvalOptions base = NoCache();
  const WhatIfComparison c = Compare("research-agent", Gpt4o(), base, {BatchWhatIf(base)});
  EXPECT_EQ(c.deltas[0].token_delta, 0);
  EXPECT_EQ(c.deltas[0].cost_delta * -2, c.baseline.total_cost());
}

TEST(WhatIfTest, LowerMaxOutputShrinksWhatIsResent) {
  const EvalOptions base = NoCache();
  const WhatIfComparison c =
      Compare("research-agent", Gpt4o(), base, {MaxOutputWhatIf(base, 1000)});
  // Draft 1,200 -> 1,000 (also 200 less re-sent by step 5), final 1,500 -> 1,000.
  EXPECT_EQ(c.deltas[0].output_delta, -700);
  EXPECT_EQ(c.deltas[0].input_delta, -200);
  EXPECT_EQ(c.deltas[0].token_delta, -900);
}

TEST(WhatIfTest, StandardSetRunsOnEveryPreset) {
  for (const PresetInfo& p : Presets()) {
    for (const ModelInfo& m : {Gpt4o(), Sonnet45()}) {
      const Scenario s = *BuildPreset(p.name);
      const EvalOptions base;
      const ModelInfo mini = Gpt4oMini();
      const std::vector<WhatIf> w = StandardWhatIfs(s, m, base, &mini);
      EXPECT_GE(w.size(), 3u) << p.name;
      auto c = CompareWhatIfs(s, m, base, w);
      EXPECT_TRUE(c.ok()) << p.name << " " << m.id << ": " << c.status();
    }
  }
}

TEST(SelfHostingTest, BreakEvenAgainstTheApi) {
  // One single-call run on GPT-4o: 550 tokens for $0.003625, i.e. $6.590909 per million.
  const ScenarioResult api = *Evaluate(*BuildPreset("single-call"), Gpt4o(), NoCache());
  SelfHostingInput in;
  in.hourly_micro_usd = 2'000'000;  // $2.00 an hour.
  in.tokens_per_second = 500;       // 1.8 million tokens an hour.
  const SelfHostingResult r = *SelfHostingBreakEven(api, in);
  EXPECT_EQ(r.self_hosted_per_mtok, 1'111'112);  // $2 / 1.8 = $1.111111..., rounded up.
  EXPECT_EQ(r.api_per_mtok, 6'590'909);
  // $2 x 720 hours = $1,440 a month; capacity 500 x 3,600 x 720 tokens.
  EXPECT_EQ(r.monthly_fixed_cost, static_cast<PicoUsdWide>(1440) * 1'000'000'000'000);
  EXPECT_EQ(r.monthly_capacity_tokens, 1'296'000'000u);
  // $1,440 / ($0.003625 / 550 tokens) = 218,482,758.6 tokens, rounded up.
  EXPECT_EQ(r.break_even_monthly_tokens, 218'482'759u);
  EXPECT_EQ(r.break_even_monthly_runs, 397'242u);
  EXPECT_TRUE(r.pays_off);

  // A slow deployment never reaches its break-even volume.
  in.hourly_micro_usd = 20'000'000;
  in.tokens_per_second = 10;
  EXPECT_FALSE(SelfHostingBreakEven(api, in)->pays_off);

  in.tokens_per_second = 0;
  EXPECT_EQ(SelfHostingBreakEven(api, in).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ForecastTest, SystemPromptTaxPerDay) {
  // A 500-token system prompt, one call per user: 500 x 10,000 = 5,000,000 tokens a day.
  SingleCallSpec c = ReferenceSingleCall();
  c.system = 500;
  const ScenarioResult run = *Evaluate(BuildSingleCall(c), Gpt4o(), NoCache());
  ForecastInput in;
  in.users = 10'000;
  in.runs_per_user_per_day = 1;
  ForecastResult f = *Forecast(run, in);
  EXPECT_EQ(f.daily.system_tokens, 5'000'000u);
  EXPECT_EQ(f.monthly.system_tokens, 150'000'000u);
  EXPECT_EQ(f.daily.runs, 10'000u);
  EXPECT_EQ(f.daily.tokens, 10'000u * 850u);
  EXPECT_EQ(f.daily.cost, static_cast<PicoUsdWide>(run.total_cost()) * 10'000);
  // $2.50/M x 5 million = $12.50 a day of system prompt.
  EXPECT_EQ(f.daily.system_cost, static_cast<PicoUsdWide>(12'500'000) * 1'000'000);

  // The widely shared "5 billion a day" needs 1,000 calls per user, not 1.
  in.runs_per_user_per_day = 1000;
  f = *Forecast(run, in);
  EXPECT_EQ(f.daily.system_tokens, 5'000'000'000u);
}

TEST(ForecastTest, WideMoneyAndOverflow) {
  const ScenarioResult run = *Evaluate(*BuildPreset("single-call"), Gpt4o(), NoCache());
  ForecastInput in;
  in.users = 100'000'000;
  in.runs_per_user_per_day = 10'000;
  // 10^12 runs a day x $0.003625 = $3.625 billion: 3.625 x 10^21 pico-dollars, past int64.
  const ForecastResult f = *Forecast(run, in);
  EXPECT_EQ(f.daily.cost, static_cast<PicoUsdWide>(3'625'000'000) * 1'000'000'000'000);
  EXPECT_EQ(FormatDollars(f.daily.cost, 2), "$3,625,000,000.00");
  in.users = 1'000'000'000'000;
  in.runs_per_user_per_day = 1'000'000'000;
  EXPECT_EQ(Forecast(run, in).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace tokwise
