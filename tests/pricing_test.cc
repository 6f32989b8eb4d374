// Pricing of usage, before and after a call, and the context-window check.
//
// Each expected cost is worked out by hand from published prices (named at each test) and
// the token counts of the bug reports cited in issue 5; none is read back from our output.
#include "tokwise/pricing.h"

#include <string>

#include "gtest/gtest.h"
#include "tokwise/catalog.h"
#include "tokwise/usage.h"

namespace tokwise {
namespace {

const ModelInfo& Get(std::string_view name) {
  auto m = Catalog::Default().Find(name);
  EXPECT_TRUE(m.ok()) << name << ": " << m.status();
  static const ModelInfo kEmpty;
  return m.ok() ? **m : kEmpty;
}

std::string Usd(const absl::StatusOr<CostBreakdown>& c) {
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? FormatUsd(c->total) : "error";
}

TEST(Pricing, OpenAiCachedTokensAreNotChargedTwice) {
  // Issue 5, first case: {prompt 2006, completion 300, cached 1920} at $2.50 input / $1.25
  // cached / $10 output (gpt-4o, OpenAI pricing page): 86 * 2.50 + 1920 * 1.25 + 300 * 10
  // = 215 + 2400 + 3000 micro-dollars = $0.005615. (The bug charged all 2006 at $2.50 and
  // the 1920 again: $0.010415.)
  const ModelInfo& gpt4o = Get("gpt-4o");
  auto c = PriceAfterCall(gpt4o, R"({"usage": {"prompt_tokens": 2006, "completion_tokens": 300,
      "prompt_tokens_details": {"cached_tokens": 1920}}})");
  EXPECT_EQ(Usd(c), "0.005615");
  EXPECT_EQ(c->uncached_input, 215'000'000);
  EXPECT_EQ(c->cache_read, 2'400'000'000);
  EXPECT_EQ(c->output, 3'000'000'000);
  EXPECT_NE(Usd(c), "0.010415");
}

TEST(Pricing, ProviderDiscountIsApplied) {
  // Issue 5, second case: {prompt 27147, completion 351, cached 27146} at $1.40 / $0.26 cache
  // read / $4.40 (the prices of that bug report): 1 * 1.40 + 27146 * 0.26 + 351 * 4.40 =
  // 1.4 + 7057.96 + 1544.4 micro-dollars = $0.00860376 (the bug: $0.0395502).
  auto catalog = Catalog::FromJson(R"({"models": [{"id": "report-model", "provider": "x",
      "tokenizer": "o200k_base", "context_window": 128000, "max_output": 128000,
      "prices": {"input": "1.40", "output": "4.40", "cache_read": "0.26"},
      "source": "https://example.invalid/issue-5"}]})");
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  const ModelInfo& m = **catalog->Find("report-model");
  auto c = PriceAfterCall(m, R"({"prompt_tokens": 27147, "completion_tokens": 351,
      "prompt_tokens_details": {"cached_tokens": 27146}})");
  EXPECT_EQ(Usd(c), "0.00860376");
  EXPECT_EQ(c->total, 8'603'760'000);
}

TEST(Pricing, AnthropicCacheWritesAreNotChargedAsInput) {
  // Issue 5, third case: {input 6, cache_creation 159217 (5-minute), cache_read 0, output
  // 2745} at $5 input / $6.25 cache write / $25 output (Claude Opus 4.5, Anthropic pricing
  // page): 30 + 995106.25 + 68625 micro-dollars = $1.06376125 (the gateway: $1.85984625).
  auto c = PriceAfterCall(Get("claude-opus-4-5"), R"({"input_tokens": 6,
      "cache_creation_input_tokens": 159217, "cache_read_input_tokens": 0,
      "cache_creation": {"ephemeral_5m_input_tokens": 159217, "ephemeral_1h_input_tokens": 0},
      "output_tokens": 2745})");
  EXPECT_EQ(Usd(c), "1.06376125");
  EXPECT_EQ(c->cache_write_5m, 995'106'250'000);
}

TEST(Pricing, OpenAiReasoningIsPricedOnceAsOutput) {
  // o3 at $2 input / $8 output (OpenAI pricing page): 100 prompt + 1500 completion tokens of
  // which 1200 reasoning = 200 + 12000 micro-dollars = $0.0122 (adding the reasoning again
  // would give $0.0218).
  auto c = PriceAfterCall(Get("o3"), R"({"prompt_tokens": 100, "completion_tokens": 1500,
      "completion_tokens_details": {"reasoning_tokens": 1200}})");
  EXPECT_EQ(Usd(c), "0.0122");
}

TEST(Pricing, GeminiThoughtsArePricedAsOutput) {
  // Gemini 2.5 Flash at $0.30 input / $0.03 cached / $2.50 output (Gemini pricing page):
  // prompt 1000 of which 600 cached, 200 candidates + 800 thoughts = 400 * 0.30 + 600 * 0.03
  // + 1000 * 2.50 = 120 + 18 + 2500 micro-dollars = $0.002638 (without the thoughts,
  // $0.000638).
  auto c = PriceAfterCall(Get("gemini-2.5-flash"), R"({"usageMetadata": {
      "promptTokenCount": 1000, "cachedContentTokenCount": 600, "candidatesTokenCount": 200,
      "thoughtsTokenCount": 800, "totalTokenCount": 2000}})");
  EXPECT_EQ(Usd(c), "0.002638");
}

TEST(Pricing, LongContextTierRepricesTheWholeRequest) {
  // Gemini 2.5 Pro (Gemini pricing page): $1.25 / $10 up to 200k prompt tokens, $2.50 / $15
  // above, for the whole request.
  const ModelInfo& pro = Get("gemini-2.5-pro");
  // 200,000 + 1,000 output: base rates, 250,000 + 10,000 micro-dollars = $0.26.
  auto at = PriceBeforeCall(pro, 200000, 1000);
  EXPECT_EQ(Usd(at), "0.26");
  EXPECT_EQ(at->tier_threshold, 0u);
  // 200,001: the tier, 500,002.5 + 15,000 micro-dollars = $0.5150025.
  auto above = PriceBeforeCall(pro, 200001, 1000);
  EXPECT_EQ(Usd(above), "0.5150025");
  EXPECT_EQ(above->tier_threshold, 200000u);
  // Anthropic counts cache reads toward the 200k threshold: Sonnet 4.5 with the 1M window,
  // 10 input + 250,000 cache read + 100 output, all at long-context rates ($6 input, $0.60
  // cache read, $22.50 output; Anthropic pricing page): 60 + 150,000 + 2,250 micro-dollars.
  NormalizedUsage u;
  u.uncached_input = 10;
  u.cache_read = 250000;
  u.output = 100;
  auto c = PriceUsage(Get("claude-sonnet-4-5[1m]"), u);
  EXPECT_EQ(Usd(c), "0.15231");
}

TEST(Pricing, BatchRates) {
  // gpt-4o Batch API $1.25 / $5 (OpenAI pricing page): 1000 in + 1000 out = $0.00625.
  PriceOptions batch;
  batch.batch = true;
  EXPECT_EQ(Usd(PriceBeforeCall(Get("gpt-4o"), 1000, 1000, batch)), "0.00625");
  // Claude Opus 4.5 batch $2.50 / $12.50; cache reads at half of $0.50 under batch:
  // 1000 cache read = 250 micro-dollars, 100 input = 250, 100 output = 1250.
  NormalizedUsage u;
  u.uncached_input = 100;
  u.cache_read = 1000;
  u.output = 100;
  auto c = PriceUsage(Get("claude-opus-4-5"), u, batch);
  EXPECT_EQ(c->cache_read, 250'000'000);
  EXPECT_EQ(Usd(c), "0.00175");
  // Gemini 2.5 Pro batch above 200k: $1.25 / $7.50 (Gemini pricing page, Batch).
  EXPECT_EQ(Usd(PriceBeforeCall(Get("gemini-2.5-pro"), 300000, 0, batch)), "0.375");
  // A model without batch prices.
  EXPECT_EQ(PriceBeforeCall(Get("cerebras/gpt-oss-120b"), 10, 10, batch).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(Pricing, BeforeTheCallIsTheWorstCase) {
  // gpt-4o: 1000 input at $2.50 + 500 max output at $10 = 2500 + 5000 micro-dollars.
  auto c = PriceBeforeCall(Get("gpt-4o"), 1000, 500);
  EXPECT_EQ(Usd(c), "0.0075");
}

TEST(Pricing, RefusesWhatItCannotPrice) {
  NormalizedUsage writes;
  writes.cache_write_5m = 10;
  auto c = PriceUsage(Get("gpt-4o"), writes);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(c.status().message().find("cache write 5m"), absl::string_view::npos);
  auto audio = PriceAfterCall(Get("gpt-4o"), R"({"prompt_tokens": 100, "completion_tokens": 10,
      "prompt_tokens_details": {"audio_tokens": 50}})");
  EXPECT_EQ(audio.status().code(), absl::StatusCode::kUnimplemented);
  // Past the int64 pico-dollar range (USD 9.2 million): an error, not a wrapped number.
  NormalizedUsage huge;
  huge.output = uint64_t{1} << 53;
  EXPECT_EQ(PriceUsage(Get("gpt-4"), huge).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ContextWindow, ExactBoundaries) {
  // The issue's example: a 128,000-token window with 1 input token allows 127,999.
  auto catalog = Catalog::FromJson(R"({"models": [{"id": "w", "provider": "x",
      "tokenizer": "o200k_base", "context_window": 128000, "max_output": 128000,
      "prices": {"input": 1, "output": 1}, "source": "https://example.invalid"}]})");
  ASSERT_TRUE(catalog.ok());
  const ModelInfo& w = **catalog->Find("w");
  auto one = CheckContextWindow(w, 1, 127999);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->fits);
  EXPECT_EQ(one->largest_max_output, 127999u);
  EXPECT_FALSE(CheckContextWindow(w, 1, 128000)->fits);
  EXPECT_TRUE(CheckContextWindow(w, 128000, 0)->fits);
  EXPECT_FALSE(CheckContextWindow(w, 128001, 0)->input_fits);
  EXPECT_FALSE(CheckContextWindow(w, UINT64_MAX, UINT64_MAX)->fits);

  // gpt-4o: 128,000 window, 16,384 max output (OpenAI model page).
  const ModelInfo& gpt4o = Get("gpt-4o");
  EXPECT_EQ(CheckContextWindow(gpt4o, 1, 0)->largest_max_output, 16384u);
  auto tight = CheckContextWindow(gpt4o, 120000, 16000);
  EXPECT_FALSE(tight->fits);
  EXPECT_TRUE(tight->output_within_max);
  EXPECT_EQ(tight->largest_max_output, 8000u);
  EXPECT_FALSE(CheckContextWindow(gpt4o, 10, 16385)->output_within_max);

  // gpt-5: 400,000 window but at most 272,000 input tokens (OpenAI model page).
  const ModelInfo& gpt5 = Get("gpt-5");
  EXPECT_TRUE(CheckContextWindow(gpt5, 272000, 128000)->fits);
  auto over = CheckContextWindow(gpt5, 272001, 1000);
  EXPECT_FALSE(over->fits);
  EXPECT_FALSE(over->input_fits);
  EXPECT_EQ(over->largest_max_output, 0u);

  ModelInfo unknown;
  unknown.id = "unknown-window";
  EXPECT_EQ(CheckContextWindow(unknown, 1, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tokwise
