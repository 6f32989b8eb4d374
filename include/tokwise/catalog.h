// tokwise/catalog.h: models, their context windows and prices.
//
// Money is exact integer arithmetic. A price is an integer number of micro-dollars per
// million tokens (USD 2.50 / M = 2'500'000), which is the same number as pico-dollars per
// token; so the cost of any whole number of tokens is an exact integer number of pico-dollars
// (1e-12 USD), with no floating-point drift. Micro-dollar figures are derived from it.
//
// STATUS: interface agreed between the catalog and the cost model; the catalog owner fills in
// the embedded data, overrides, LiteLLM import and pricing helpers.
#ifndef TOKWISE_CATALOG_H_
#define TOKWISE_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tokwise {

// Exact money: pico-dollars (1e-12 USD).
using PicoUsd = int64_t;

// Micro-dollars per million tokens (= pico-dollars per token). kNotOffered where the provider
// does not offer the bucket (no caching, no batch).
using PricePerMTok = int64_t;
inline constexpr PricePerMTok kNotOffered = -1;

struct Prices {
  PricePerMTok input = kNotOffered;           // Uncached input.
  PricePerMTok output = kNotOffered;          // Output, reasoning included.
  PricePerMTok cache_read = kNotOffered;      // Input read from the prompt cache.
  PricePerMTok cache_write_5m = kNotOffered;  // Input written to a 5-minute cache.
  PricePerMTok cache_write_1h = kNotOffered;  // Input written to a 1-hour cache.
  PricePerMTok batch_input = kNotOffered;     // Batch API.
  PricePerMTok batch_output = kNotOffered;
};

// Above `threshold_tokens` of input, the whole request is priced with `prices`.
struct LongContextTier {
  uint32_t threshold_tokens = 0;
  Prices prices;
};

struct ModelInfo {
  std::string id;         // Canonical name, e.g. "gpt-4o-2024-08-06".
  std::string provider;   // "openai", "anthropic", "google", ...
  std::string tokenizer;  // Tokenizer / encoding name from the model registry.
  uint32_t context_window = 0;  // Input + output tokens.
  uint32_t max_output = 0;
  Prices prices;
  std::vector<LongContextTier> long_context_tiers;  // Ascending thresholds.
  uint32_t min_cacheable_prefix = 0;  // Tokens; 0 = no minimum / no caching.
  std::string prices_effective;       // ISO date the prices took effect.
  std::string source;                 // Where the prices come from.
};

class Catalog {
 public:
  // The catalog compiled into the library. Made on first use; thread-safe.
  static const Catalog& Default();

  // Parses a catalog in tokwise's own JSON form (the form of the embedded catalog).
  static absl::StatusOr<Catalog> FromJson(std::string_view json);

  // Finds a model by name: exact ids and aliases, dated snapshots, `provider/model` and
  // Azure / Bedrock forms. NotFound for an unknown model: never priced at 0.
  absl::StatusOr<const ModelInfo*> Find(std::string_view model) const;

  // Every model, sorted by id.
  std::vector<const ModelInfo*> All() const;

 private:
  std::map<std::string, std::shared_ptr<const ModelInfo>, std::less<>> by_id_;
};

}  // namespace tokwise

#endif  // TOKWISE_CATALOG_H_
