// Helpers shared by the budget tests: models with documented prices, temp folders, a ledger
// factory.
#ifndef TOKWISE_TESTS_BUDGET_TEST_UTIL_H_
#define TOKWISE_TESTS_BUDGET_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tokwise/budget.h"
#include "tokwise/catalog.h"

namespace tokwise::testing {

// gpt-4o as OpenAI documents it (platform.openai.com/docs/models/gpt-4o and the pricing page):
// 128,000-token context, 16,384 max output, $2.50 / M input, $1.25 / M cached input,
// $10.00 / M output. Built here rather than taken from the catalog so these tests do not move
// when the catalog's data does.
inline ModelInfo Gpt4o() {
  ModelInfo m;
  m.id = "gpt-4o";
  m.provider = "openai";
  m.tokenizer = "o200k_base";
  m.context_window = 128000;
  m.max_output = 16384;
  m.prices.input = 2'500'000;
  m.prices.output = 10'000'000;
  m.prices.cache_read = 1'250'000;
  return m;
}

// Claude Sonnet 4.5 as Anthropic documents it (docs.anthropic.com pricing and models pages):
// 200,000-token context (1M with the long-context beta, used here), 64,000 max output;
// $3 / M input, $15 / M output, cache writes $3.75 (5 minutes) and $6 (1 hour), cache reads
// $0.30; above 200,000 input tokens the whole request is priced $6 / $22.50, writes $7.50 /
// $12, reads $0.60.
inline ModelInfo Sonnet45LongContext() {
  ModelInfo m;
  m.id = "claude-sonnet-4-5";
  m.provider = "anthropic";
  m.context_window = 1000000;
  m.max_output = 64000;
  m.prices.input = 3'000'000;
  m.prices.output = 15'000'000;
  m.prices.cache_read = 300'000;
  m.prices.cache_write_5m = 3'750'000;
  m.prices.cache_write_1h = 6'000'000;
  LongContextTier t;
  t.threshold_tokens = 200000;
  t.prices.input = 6'000'000;
  t.prices.output = 22'500'000;
  t.prices.cache_read = 600'000;
  t.prices.cache_write_5m = 7'500'000;
  t.prices.cache_write_1h = 12'000'000;
  m.long_context_tiers.push_back(t);
  return m;
}

// A self-hosted model: free to call.
inline ModelInfo FreeLocalModel() {
  ModelInfo m;
  m.id = "local-llama";
  m.provider = "self-hosted";
  m.context_window = 8192;
  m.max_output = 2048;
  m.prices.input = 0;
  m.prices.output = 0;
  return m;
}

// A model the catalog knows but cannot price (no published prices).
inline ModelInfo UnpricedModel() {
  ModelInfo m;
  m.id = "mystery-model";
  m.provider = "unknown";
  m.context_window = 32000;
  m.max_output = 4000;
  return m;
}

inline constexpr PicoUsd kUsd = 1'000'000'000'000;

// A temporary folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tokwise_budget_XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline BudgetSpec Spec(const std::string& json) {
  absl::StatusOr<BudgetSpec> s = BudgetSpec::FromJson(json);
  if (!s.ok()) throw std::runtime_error(std::string(s.status().message()));
  return *s;
}

inline std::unique_ptr<BudgetLedger> MakeLedger(const std::string& spec_json,
                                                LedgerOptions options) {
  absl::StatusOr<std::unique_ptr<BudgetLedger>> l =
      BudgetLedger::Open(Spec(spec_json), std::move(options));
  if (!l.ok()) throw std::runtime_error(std::string(l.status().message()));
  return std::move(*l);
}

inline PreflightRequest Req(const ModelInfo& m, int64_t input, std::optional<int64_t> max_out,
                            std::vector<std::string> scopes) {
  PreflightRequest r;
  r.model = &m;
  r.input_tokens = input;
  r.max_output_tokens = max_out;
  r.scopes = std::move(scopes);
  return r;
}

inline Usage InOut(int64_t in, int64_t out) {
  Usage u;
  u.input_uncached = in;
  u.output = out;
  return u;
}

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_BUDGET_TEST_UTIL_H_
