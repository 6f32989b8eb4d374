// tokwise/whatif.h: what-ifs against a baseline, self-hosting break-even, and forecasts.
//
//   tokwise::EvalOptions base;                       // provider-default caching
//   std::vector<tokwise::WhatIf> w = {tokwise::CachingWhatIf(base,
//   tokwise::CacheMode::kExplicit5m),
//                                     tokwise::BatchWhatIf(base)};
//   auto cmp = tokwise::CompareWhatIfs(scenario, model, base, w);
//   // cmp->deltas[0].cost_delta < 0: caching saves that many pico-dollars per run
//
//   auto f = tokwise::Forecast(cmp->baseline, {/*users=*/10'000, /*runs_per_user_per_day=*/20});
//   // f->monthly.cost, f->monthly.system_tokens (the system-prompt tax), ...
//
// Thread safety: pure functions of their arguments.
#ifndef TOKWISE_WHATIF_H_
#define TOKWISE_WHATIF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/catalog.h"
#include "tokwise/cost_model.h"

namespace tokwise {

// ---------------------------------------------------------------------------------------------
// What-ifs
// ---------------------------------------------------------------------------------------------

// One variant of the baseline: another model and/or other evaluation options.
struct WhatIf {
  std::string label;
  // The model to evaluate with (a copy); empty = the baseline's.
  std::optional<ModelInfo> model;
  EvalOptions options;
};

// Each constructor copies `base` and changes one thing.
// Prompt caching in `mode` (kExplicit5m / kExplicit1h for models with cache-write prices,
// kAutomatic for the others, kOff to show what the provider's automatic caching saves).
WhatIf CachingWhatIf(const EvalOptions& base, CacheMode mode);
// Another model. If its tokenizer differs, `token_ratio_ppm` (or base.retokenize, if set,
// left in place) converts counts: see EvalOptions::token_ratio_ppm for the approximation. The
// baseline's caching mode is kept where the model offers it, else its provider's default.
WhatIf CheaperModelWhatIf(const EvalOptions& base, const ModelInfo& model,
                          uint32_t token_ratio_ppm = 1'000'000);
// Fewer and/or smaller retrieved chunks per call (nullopt = unchanged).
WhatIf RagWhatIf(const EvalOptions& base, std::optional<uint32_t> max_chunks,
                 std::optional<uint32_t> max_chunk_tokens);
// Keep only the last `window_tokens` of non-pinned history.
WhatIf WindowWhatIf(const EvalOptions& base, uint64_t window_tokens);
// Summarize the history into `summary_tokens` whenever it exceeds `above_tokens` (the
// summarization calls are billed).
WhatIf SummarizeWhatIf(const EvalOptions& base, uint64_t above_tokens, uint32_t summary_tokens);
// Restart each sequence every `every_calls` calls, carrying a `carry_tokens` note.
WhatIf RestartWhatIf(const EvalOptions& base, uint32_t every_calls, uint32_t carry_tokens);
// Batch prices (no caching: see EvalOptions::batch).
WhatIf BatchWhatIf(const EvalOptions& base);
// A lower cap on each call's output.
WhatIf MaxOutputWhatIf(const EvalOptions& base, uint32_t max_output_tokens);

struct WhatIfDelta {
  std::string label;
  std::string model;      // The model the variant used.
  ScenarioResult result;  // The variant, evaluated.
  // Variant minus baseline: negative = the variant saves.
  int64_t input_delta = 0;
  int64_t output_delta = 0;
  int64_t token_delta = 0;
  PicoUsd cost_delta = 0;
};

struct WhatIfComparison {
  ScenarioResult baseline;
  std::vector<WhatIfDelta> deltas;  // One per variant, in order.
};

// Evaluates the baseline and each variant. Errors: the first failing evaluation's status,
// prefixed with the variant's label.
absl::StatusOr<WhatIfComparison> CompareWhatIfs(const Scenario& scenario, const ModelInfo& model,
                                                const EvalOptions& baseline,
                                                const std::vector<WhatIf>& variants);

// The what-ifs that apply to `scenario` on `model`, sized from the scenario: caching modes the
// model offers (and caching off, if the baseline caches); `cheaper` if given; half the
// retrieved chunks of the largest retrieval (if any); for multi-call sequences, with H the
// largest non-pinned history a sequence accumulates: a window of H/4, a summary of H/16 when
// the history passes H/4, and a restart every half of the longest sequence's calls carrying a
// 300-token note (sizes rounded to hundreds); batch prices (if offered); outputs capped at half
// the largest output of a call.
std::vector<WhatIf> StandardWhatIfs(const Scenario& scenario, const ModelInfo& model,
                                    const EvalOptions& base, const ModelInfo* cheaper = nullptr,
                                    uint32_t cheaper_token_ratio_ppm = 1'000'000);

// ---------------------------------------------------------------------------------------------
// Self-hosting break-even
// ---------------------------------------------------------------------------------------------

struct SelfHostingInput {
  // What the deployment costs per hour, all GPUs together, in micro-dollars ($2.50 =
  // 2'500'000), whether or not it is busy.
  int64_t hourly_micro_usd = 0;
  // Tokens per second the deployment sustains for this workload, input and output together.
  // Approximation: one blended rate; prefill is far faster than decoding, so measure it on a
  // mix like yours.
  uint64_t tokens_per_second = 0;
  uint32_t hours_per_month = 720;  // 30 days, as Forecast() counts a month.
};

struct SelfHostingResult {
  // Micro-dollars per million tokens: self-hosted at full load (rounded up), and the API's
  // blended price for this scenario (its cost over its tokens, rounded to nearest).
  int64_t self_hosted_per_mtok = 0;
  int64_t api_per_mtok = 0;
  PicoUsdWide monthly_fixed_cost = 0;    // The deployment for a month.
  uint64_t monthly_capacity_tokens = 0;  // What it can process in a month.
  // The monthly volume at which the API bill equals the fixed cost (rounded up); above it
  // self-hosting is cheaper, if the deployment can carry it.
  uint64_t break_even_monthly_tokens = 0;
  // Scenario runs a month at the break-even volume (rounded up).
  uint64_t break_even_monthly_runs = 0;
  bool pays_off = false;  // break_even_monthly_tokens <= monthly_capacity_tokens.
};

// Compares self-hosting with the API price of `api` (one evaluated scenario run).
// InvalidArgument for a non-positive hourly price or throughput, or a scenario with no tokens
// or no cost.
absl::StatusOr<SelfHostingResult> SelfHostingBreakEven(const ScenarioResult& api,
                                                       const SelfHostingInput& input);

// ---------------------------------------------------------------------------------------------
// Forecast
// ---------------------------------------------------------------------------------------------

struct ForecastInput {
  uint64_t users = 0;
  // How many times a user triggers the scenario a day (chat messages, agent tasks).
  uint64_t runs_per_user_per_day = 0;
  uint32_t days_per_month = 30;
};

// Tokens and money for one period.
struct ForecastPeriod {
  uint64_t runs = 0;
  uint64_t input_tokens = 0;
  uint64_t output_tokens = 0;
  uint64_t tokens = 0;
  PicoUsdWide cost = 0;
  // The system-prompt tax: system-prompt tokens sent (every call re-sends them) and what they
  // cost; tool definitions likewise.
  uint64_t system_tokens = 0;
  PicoUsdWide system_cost = 0;
  uint64_t tool_definition_tokens = 0;
  PicoUsdWide tool_definition_cost = 0;
};

struct ForecastResult {
  ForecastPeriod daily;
  ForecastPeriod monthly;
};

// users x runs per user per day x one evaluated run. Each run is priced as evaluated: a
// prompt cache shared between users (a system prompt warm across users) is not modelled.
// TODO: cross-run caching of the shared prefix; without it, caching savings on the
// system-prompt tax are understated for busy services.
// OutOfRange if a token count would exceed 2^64.
absl::StatusOr<ForecastResult> Forecast(const ScenarioResult& per_run, const ForecastInput& input);

}  // namespace tokwise

#endif  // TOKWISE_WHATIF_H_
