// Models with published prices for the cost-model tests, built here so that the tests do not
// depend on the embedded catalog's contents. Prices are micro-dollars per million tokens (=
// pico-dollars per token), copied from the providers' pricing pages cited beside each.
#ifndef TOKWISE_TESTS_COST_TEST_MODELS_H_
#define TOKWISE_TESTS_COST_TEST_MODELS_H_

#include "tokwise/catalog.h"

namespace tokwise::testing {

// OpenAI GPT-4o, https://platform.openai.com/docs/pricing: input $2.50, cached input $1.25,
// output $10.00 per 1M tokens; Batch API $1.25 / $5.00. Prompt caching is automatic for
// prompts of 1,024 tokens or more, with hits in 128-token increments
// (https://platform.openai.com/docs/guides/prompt-caching).
inline ModelInfo Gpt4o() {
  ModelInfo m;
  m.id = "gpt-4o";
  m.provider = "openai";
  m.tokenizer = "o200k_base";
  m.context_window = 128000;
  m.max_output = 16384;
  m.prices.input = 2'500'000;
  m.prices.cache_read = 1'250'000;
  m.prices.output = 10'000'000;
  m.prices.batch_input = 1'250'000;
  m.prices.batch_output = 5'000'000;
  m.min_cacheable_prefix = 1024;
  return m;
}

// OpenAI GPT-4o mini, same page: input $0.15, cached input $0.075, output $0.60.
inline ModelInfo Gpt4oMini() {
  ModelInfo m;
  m.id = "gpt-4o-mini";
  m.provider = "openai";
  m.tokenizer = "o200k_base";
  m.context_window = 128000;
  m.max_output = 16384;
  m.prices.input = 150'000;
  m.prices.cache_read = 75'000;
  m.prices.output = 600'000;
  m.min_cacheable_prefix = 1024;
  return m;
}

// Anthropic Claude Sonnet 4.5, https://docs.claude.com/en/docs/about-claude/pricing: input $3,
// 5-minute cache writes $3.75 (1.25x), 1-hour cache writes $6 (2x), cache hits $0.30 (0.1x),
// output $15; Batch $1.50 / $7.50. Prompts over 200K input tokens (1M-context beta): input $6,
// output $22.50. Minimum cacheable prompt 1,024 tokens (prompt-caching docs).
inline ModelInfo Sonnet45() {
  ModelInfo m;
  m.id = "claude-sonnet-4-5";
  m.provider = "anthropic";
  m.tokenizer = "claude";
  m.context_window = 1000000;
  m.max_output = 64000;
  m.prices.input = 3'000'000;
  m.prices.cache_write_5m = 3'750'000;
  m.prices.cache_write_1h = 6'000'000;
  m.prices.cache_read = 300'000;
  m.prices.output = 15'000'000;
  m.prices.batch_input = 1'500'000;
  m.prices.batch_output = 7'500'000;
  LongContextTier t;
  t.threshold_tokens = 200000;
  t.prices.input = 6'000'000;
  t.prices.output = 22'500'000;
  m.long_context_tiers.push_back(t);
  m.min_cacheable_prefix = 1024;
  return m;
}

// GPT-4 Turbo (gpt-4-1106-preview), OpenAI's pricing page for older models: input $10, output
// $30 per 1M tokens. The model of the SWE-agent GPT-4 trajectories in the shared data.
inline ModelInfo Gpt4Turbo1106() {
  ModelInfo m;
  m.id = "gpt-4-1106-preview";
  m.provider = "openai";
  m.tokenizer = "cl100k_base";
  m.context_window = 128000;
  m.max_output = 4096;
  m.prices.input = 10'000'000;
  m.prices.output = 30'000'000;
  return m;
}

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_COST_TEST_MODELS_H_
