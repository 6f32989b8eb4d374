// Exact pricing of a usage for the ledger: integer pico-dollars from catalog.h's prices.
//
// TODO: the cost layer (lib/cost) is getting its own pricing helpers; when they land the
// ledger should call them so one set of rules (long-context tiers, batch, cache minimums)
// prices everything. Until then this file holds the rules the ledger needs.
#ifndef TOKWISE_LIB_BUDGET_PRICING_H_
#define TOKWISE_LIB_BUDGET_PRICING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/budget.h"
#include "tokwise/catalog.h"

namespace tokwise::budget_internal {

// Counts above this are rejected as input errors (2^40: far beyond any context window), so
// every product of a count and a price fits in 64 bits with room to add.
inline constexpr int64_t kMaxTokens = int64_t{1} << 40;

// What a reservation keeps of its model to price the real usage later.
struct PriceSheet {
  std::string model;
  std::string provider;
  Prices prices;
  std::vector<LongContextTier> tiers;
};

// The prices that apply to a request with `input_total` input tokens: the highest long-context
// tier whose threshold the input exceeds, else the base prices.
const Prices& PricesFor(const Prices& base, const std::vector<LongContextTier>& tiers,
                        int64_t input_total);

struct Costing {
  PicoUsd cost = 0;               // Sum over the priced buckets.
  bool priced = true;             // False if a bucket with tokens has no price (and no fallback).
  std::string missing;            // The first such bucket: "input", "output", "cache_read", ...
  PicoUsd input_cost = 0;         // The input buckets' part of `cost`.
  PricePerMTok output_price = 0;  // Pico-dollars per output token (fallback applied).
  bool output_priced = true;
};

// Prices `usage` with `prices`; a bucket with tokens but kNotOffered takes its price from
// `fallback` when given (and priced there). The output price is reported even when the usage
// has no output, so callers can compute what more output would cost. OutOfRange on overflow.
absl::StatusOr<Costing> PriceUsage(const Prices& prices, const Usage& usage,
                                   const Prices* fallback);

// "$0.0035": exact decimal dollars, at least two decimals, no trailing zeros beyond them.
std::string FormatUsd(PicoUsd pico);

}  // namespace tokwise::budget_internal

#endif  // TOKWISE_LIB_BUDGET_PRICING_H_
