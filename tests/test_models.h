// Models with published prices for the tests, built here so that the tests do not depend on
// the embedded catalog's contents (and do not move when its data does). Prices are
// micro-dollars per million tokens (= pico-dollars per token), copied from the providers'
// pricing and model pages cited beside each.
#ifndef TOKWISE_TESTS_TEST_MODELS_H_
#define TOKWISE_TESTS_TEST_MODELS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "tokwise/catalog.h"

namespace tokwise::testing {

// The fields every test model sets; the callers add caching, batch and tier prices.
inline ModelInfo TestModel(std::string id, std::string provider, std::string tokenizer,
                           uint32_t context_window, uint32_t max_output, PricePerMTok input,
                           PricePerMTok output) {
  ModelInfo m;
  m.id = std::move(id);
  m.provider = std::move(provider);
  m.tokenizer = std::move(tokenizer);
  m.context_window = context_window;
  m.max_output = max_output;
  m.prices.input = input;
  m.prices.output = output;
  return m;
}

// OpenAI GPT-4o, https://platform.openai.com/docs/pricing: input $2.50, cached input $1.25,
// output $10.00 per 1M tokens; Batch API $1.25 / $5.00. 128,000-token context, 16,384 max
// output (platform.openai.com/docs/models/gpt-4o). Prompt caching is automatic for prompts of
// 1,024 tokens or more, with hits in 128-token increments
// (https://platform.openai.com/docs/guides/prompt-caching).
inline ModelInfo Gpt4o() {
  ModelInfo m = TestModel("gpt-4o", "openai", "o200k_base", 128000, 16384, 2'500'000, 10'000'000);
  m.prices.cache_read = 1'250'000;
  m.prices.batch_input = 1'250'000;
  m.prices.batch_output = 5'000'000;
  m.min_cacheable_prefix = 1024;
  return m;
}

// OpenAI GPT-4o mini, same page: input $0.15, cached input $0.075, output $0.60.
inline ModelInfo Gpt4oMini() {
  ModelInfo m = TestModel("gpt-4o-mini", "openai", "o200k_base", 128000, 16384, 150'000, 600'000);
  m.prices.cache_read = 75'000;
  m.min_cacheable_prefix = 1024;
  return m;
}

// Anthropic Claude Sonnet 4.5, https://docs.claude.com/en/docs/about-claude/pricing: input $3,
// 5-minute cache writes $3.75 (1.25x), 1-hour cache writes $6 (2x), cache hits $0.30 (0.1x),
// output $15; Batch $1.50 / $7.50. 200,000-token context, 1M with the long-context beta (used
// here), 64,000 max output. Prompts over 200K input tokens: the whole request is priced input
// $6, output $22.50, cache writes $7.50 / $12, cache reads $0.60. Minimum cacheable prompt 1,024
// tokens (prompt-caching docs).
inline ModelInfo Sonnet45() {
  ModelInfo m =
      TestModel("claude-sonnet-4-5", "anthropic", "claude", 1000000, 64000, 3'000'000, 15'000'000);
  m.prices.cache_write_5m = 3'750'000;
  m.prices.cache_write_1h = 6'000'000;
  m.prices.cache_read = 300'000;
  m.prices.batch_input = 1'500'000;
  m.prices.batch_output = 7'500'000;
  LongContextTier t;
  t.threshold_tokens = 200000;
  t.prices.input = 6'000'000;
  t.prices.output = 22'500'000;
  t.prices.cache_read = 600'000;
  t.prices.cache_write_5m = 7'500'000;
  t.prices.cache_write_1h = 12'000'000;
  m.long_context_tiers.push_back(t);
  m.min_cacheable_prefix = 1024;
  return m;
}

// GPT-4 Turbo (gpt-4-1106-preview), OpenAI's pricing page for older models: input $10, output
// $30 per 1M tokens. The model of the SWE-agent GPT-4 trajectories in the shared data.
inline ModelInfo Gpt4Turbo1106() {
  return TestModel("gpt-4-1106-preview", "openai", "cl100k_base", 128000, 4096, 10'000'000,
                   30'000'000);
}

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_TEST_MODELS_H_
