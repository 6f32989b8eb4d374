// Import of LiteLLM's model_prices_and_context_window.json, on a real excerpt of the file.
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"
#include "tokwise/catalog.h"

namespace tokwise {
namespace {

class LiteLlmImport : public ::testing::Test {
 protected:
  void SetUp() override {
    size_t skipped = 0;
    auto c = Catalog::FromLiteLlmJsonFile(testing::TestData("litellm_excerpt.json"), &skipped);
    ASSERT_TRUE(c.ok()) << c.status();
    catalog_ = std::move(*c);
    skipped_ = skipped;
  }
  const ModelInfo& Get(const std::string& id) {
    auto m = catalog_.Find(id);
    EXPECT_TRUE(m.ok()) << id << ": " << m.status();
    static const ModelInfo kEmpty;
    return m.ok() ? **m : kEmpty;
  }
  Catalog catalog_;
  size_t skipped_ = 0;
};

TEST_F(LiteLlmImport, ImportsChatModelsAndSkipsTheRest) {
  // 9 entries: sample_spec and the dall-e image model are skipped.
  EXPECT_EQ(catalog_.size(), 7u);
  EXPECT_EQ(skipped_, 2u);
  EXPECT_FALSE(catalog_.Find("1024-x-1024/dall-e-2").ok());
  EXPECT_FALSE(catalog_.Find("sample_spec").ok());
}

TEST_F(LiteLlmImport, ConvertsPerTokenFloatsExactly) {
  // The file's own values: gpt-4o input 2.5e-06 USD/token = 2.50 USD/M, etc.
  const ModelInfo& gpt4o = Get("gpt-4o");
  EXPECT_EQ(gpt4o.prices.input, 2'500'000);
  EXPECT_EQ(gpt4o.prices.output, 10'000'000);
  EXPECT_EQ(gpt4o.prices.cache_read, 1'250'000);
  EXPECT_EQ(gpt4o.prices.batch_input, 1'250'000);
  EXPECT_EQ(gpt4o.prices.batch_output, 5'000'000);
  EXPECT_EQ(gpt4o.prices.cache_write_5m, kNotOffered);
  EXPECT_EQ(gpt4o.context_window, 128000u);
  EXPECT_EQ(gpt4o.max_output, 16384u);
  EXPECT_EQ(gpt4o.provider, "openai");
  EXPECT_EQ(gpt4o.tokenizer, "o200k_base");
  // Values whose binary floats are inexact: 5.46875e-07, 1.923e-06, 2.1875e-06, 1.75e-05.
  const ModelInfo& nova = Get("amazon.nova-2-pro-preview-20251202-v1:0");
  EXPECT_EQ(nova.prices.cache_read, 546'875);
  EXPECT_EQ(nova.prices.input, 2'187'500);
  EXPECT_EQ(nova.prices.output, 17'500'000);
  EXPECT_EQ(nova.provider, "bedrock_converse");
  EXPECT_EQ(nova.tokenizer, "");
  const ModelInfo& llama = Get("cloudflare/@cf/meta/llama-2-7b-chat-fp16");
  EXPECT_EQ(llama.prices.input, 1'923'000);
  EXPECT_EQ(llama.context_window, 3072u);
}

TEST_F(LiteLlmImport, ReadsCacheTiersAndLongContext) {
  const ModelInfo& sonnet = Get("claude-sonnet-4-5-20250929");
  EXPECT_EQ(sonnet.provider, "anthropic");
  EXPECT_EQ(sonnet.tokenizer, "claude");
  EXPECT_EQ(sonnet.prices.cache_write_5m, 3'750'000);
  EXPECT_EQ(sonnet.prices.cache_write_1h, 6'000'000);
  EXPECT_EQ(sonnet.prices.cache_read, 300'000);
  EXPECT_EQ(sonnet.min_cacheable_prefix, 1024u);
  ASSERT_EQ(sonnet.long_context_tiers.size(), 1u);
  const LongContextTier& tier = sonnet.long_context_tiers[0];
  EXPECT_EQ(tier.threshold_tokens, 200000u);
  EXPECT_EQ(tier.prices.input, 6'000'000);
  EXPECT_EQ(tier.prices.output, 22'500'000);
  EXPECT_EQ(tier.prices.cache_read, 600'000);
  EXPECT_EQ(tier.prices.cache_write_5m, 7'500'000);
  EXPECT_EQ(tier.prices.cache_write_1h, 12'000'000);
  // Carried over as written, even where LiteLLM differs from Anthropic's page ($0.50/M).
  EXPECT_EQ(Get("claude-3-haiku-20240307").prices.cache_write_1h, 6'000'000);
  // Gemini: provider normalized to google; the >200k tier; a source of its own.
  const ModelInfo& tts = Get("gemini/gemini-2.5-pro-preview-tts");
  EXPECT_EQ(tts.provider, "google");
  EXPECT_EQ(tts.tokenizer, "gemini");
  ASSERT_EQ(tts.long_context_tiers.size(), 1u);
  EXPECT_EQ(tts.long_context_tiers[0].prices.input, 2'500'000);
  EXPECT_EQ(tts.long_context_tiers[0].prices.cache_read, 250'000);
  EXPECT_EQ(tts.source, "https://ai.google.dev/gemini-api/docs/pricing#gemini-2.5-pro-preview");
}

TEST_F(LiteLlmImport, MergesOverTheEmbeddedCatalog) {
  Catalog merged = Catalog::Default();
  ASSERT_TRUE(merged.Merge(catalog_).ok());
  // LiteLLM's gpt-5 (272k max_input_tokens taken as the window) replaces ours whole.
  EXPECT_EQ((*merged.Find("gpt-5"))->context_window, 272000u);
  // The dated Claude id is now its own entry; the undated one is still ours.
  EXPECT_EQ((*merged.Find("claude-sonnet-4-5-20250929"))->id, "claude-sonnet-4-5-20250929");
  EXPECT_EQ((*merged.Find("claude-sonnet-4-5"))->id, "claude-sonnet-4-5");
  // New entries are added; untouched ones remain.
  EXPECT_TRUE(merged.Find("amazon.nova-2-pro-preview-20251202-v1:0").ok());
  EXPECT_TRUE(merged.Find("gemini-2.0-flash").ok());
}

TEST(LiteLlmImportErrors, NameTheJsonPath) {
  auto bad_price = Catalog::FromLiteLlmJson(
      R"({"gpt-4o": {"input_cost_per_token": "2.5e-06", "output_cost_per_token": 1e-05,
                     "litellm_provider": "openai", "mode": "chat"}})");
  ASSERT_FALSE(bad_price.ok());
  EXPECT_NE(bad_price.status().message().find("$[\"gpt-4o\"].input_cost_per_token"),
            absl::string_view::npos)
      << bad_price.status();
  auto negative = Catalog::FromLiteLlmJson(
      R"({"m": {"input_cost_per_token": -1e-06, "output_cost_per_token": 1e-05}})");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("$.m.input_cost_per_token"), absl::string_view::npos)
      << negative.status();
  auto bad_max = Catalog::FromLiteLlmJson(
      R"({"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-05,
                "max_input_tokens": 1.5}})");
  ASSERT_FALSE(bad_max.ok());
  EXPECT_NE(bad_max.status().message().find("$.m.max_input_tokens"), absl::string_view::npos)
      << bad_max.status();
  EXPECT_FALSE(Catalog::FromLiteLlmJson(R"({"m": {"input_cost_per_token": 1e-06,)").ok());
  EXPECT_FALSE(Catalog::FromLiteLlmJson(R"({"m": 3})").ok());
  EXPECT_FALSE(Catalog::FromLiteLlmJsonFile("/nonexistent/litellm.json").ok());
}

}  // namespace
}  // namespace tokwise
