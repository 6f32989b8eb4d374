// Helpers shared by the budget tests: models without prices, temp folders, a ledger factory.
// The models with documented prices are in test_models.h.
#ifndef TOKWISE_TESTS_BUDGET_TEST_UTIL_H_
#define TOKWISE_TESTS_BUDGET_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "test_models.h"
#include "tokwise/budget.h"
#include "tokwise/catalog.h"

namespace tokwise::testing {

// A self-hosted model: free to call.
inline ModelInfo FreeLocalModel() {
  return TestModel("local-llama", "self-hosted", "", 8192, 2048, 0, 0);
}

// A model the catalog knows but cannot price (no published prices).
inline ModelInfo UnpricedModel() {
  return TestModel("mystery-model", "unknown", "", 32000, 4000, kNotOffered, kNotOffered);
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
