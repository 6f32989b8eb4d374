// tokwise/pricing.h: what a request costs, before and after the call, and whether it fits.
//
//   const tokwise::ModelInfo* m = *tokwise::Catalog::Default().Find("gpt-4o");
//   auto usage = tokwise::NormalizeUsage(response_json);
//   auto cost = tokwise::PriceUsage(*m, *usage);          // exact pico-dollars
//   tokwise::FormatUsd(cost->total);                       // "0.005615"
//
//   auto fit = tokwise::CheckContextWindow(*m, /*input_tokens=*/120000, /*output=*/16000);
//   // fit->fits == false; fit->largest_max_output == 8000
//
// All arithmetic is exact integer pico-dollars (see catalog.h); nothing is rounded except
// where a batch discount is applied to a cache price (see PriceOptions::batch).
//
// Thread safety: every function here may be called from any number of threads at once.
#ifndef TOKWISE_PRICING_H_
#define TOKWISE_PRICING_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "tokwise/catalog.h"
#include "tokwise/usage.h"

namespace tokwise {

struct PriceOptions {
  // Price at Batch API rates: batch_input / batch_output for uncached input and output.
  // Cache buckets under batch are priced at their standard price times the model's
  // batch_input / input ratio (Anthropic documents that the discounts stack; OpenAI lists
  // batch cached-input prices at the same 50%). A fraction of a pico-dollar from that ratio
  // is rounded to nearest. FailedPrecondition if the model has no batch prices.
  bool batch = false;
};

struct CostBreakdown {
  PicoUsd uncached_input = 0;
  PicoUsd cache_read = 0;
  PicoUsd cache_write_5m = 0;
  PicoUsd cache_write_1h = 0;
  PicoUsd output = 0;  // Reasoning included.
  PicoUsd total = 0;
  // The long-context tier applied: its threshold, or 0 for the base prices.
  uint32_t tier_threshold = 0;
  bool batch = false;
};

// Prices buckets for a model. The long-context tier is chosen by usage.input_total() >
// threshold (the highest tier passed applies to the whole request, output included).
// Errors: FailedPrecondition naming the bucket and model when tokens fall in a bucket the
// model does not offer (e.g. cache writes on an OpenAI model) or batch is asked of a model
// without batch prices; Unimplemented for audio tokens (audio prices are not in the
// catalog); OutOfRange if the total passes int64 pico-dollars (about USD 9.2 million).
absl::StatusOr<CostBreakdown> PriceUsage(const ModelInfo& model, const NormalizedUsage& usage,
                                         const PriceOptions& options = {});

// Worst-case price before the call: every input token uncached at the full input price, and
// `max_output_tokens` of output (the request's max_tokens). Same errors as PriceUsage.
absl::StatusOr<CostBreakdown> PriceBeforeCall(const ModelInfo& model, uint64_t input_tokens,
                                              uint64_t max_output_tokens,
                                              const PriceOptions& options = {});

// After the call: NormalizeUsage(usage_json, format) then PriceUsage().
absl::StatusOr<CostBreakdown> PriceAfterCall(const ModelInfo& model, std::string_view usage_json,
                                             UsageFormat format = UsageFormat::kAuto,
                                             const PriceOptions& options = {});

struct WindowCheck {
  bool fits = false;               // All three limits below hold.
  bool input_fits = false;         // input <= max_input (if set) and input <= window.
  bool output_within_max = false;  // requested_output <= model.max_output.
  // The largest max_tokens this input allows: min(window - input, max_output); 0 if the input
  // alone fills the window or passes max_input.
  uint64_t largest_max_output = 0;
  uint64_t context_window = 0;
};

// Context-window check, exact: input + requested_output <= context_window, requested_output
// <= max_output, and input <= max_input when the model sets one. A 128,000-token window with
// 1 input token allows 127,999 output tokens (less if max_output is lower).
// Errors: FailedPrecondition if the model's context_window or max_output is 0 (unknown).
absl::StatusOr<WindowCheck> CheckContextWindow(const ModelInfo& model, uint64_t input_tokens,
                                               uint64_t requested_output);

}  // namespace tokwise

#endif  // TOKWISE_PRICING_H_
