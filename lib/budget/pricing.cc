#include "budget/pricing.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise::budget_internal {

const Prices& PricesFor(const Prices& base, const std::vector<LongContextTier>& tiers,
                        int64_t input_total) {
  const Prices* p = &base;
  for (const LongContextTier& t : tiers) {
    if (input_total > static_cast<int64_t>(t.threshold_tokens)) p = &t.prices;
  }
  return *p;
}

absl::StatusOr<Costing> PriceUsage(const Prices& prices, const Usage& usage,
                                   const Prices* fallback) {
  Costing c;
  // Adds tokens * price for one bucket. A price is pico-dollars per token.
  auto bucket = [&](const char* name, int64_t tokens, PricePerMTok price, PricePerMTok fb,
                    bool is_input, PricePerMTok* used_price) -> absl::Status {
    if (price == kNotOffered && fallback != nullptr) price = fb;
    if (used_price != nullptr) *used_price = price;
    if (tokens == 0) return absl::OkStatus();
    if (price == kNotOffered || price < 0) {
      if (c.priced) c.missing = name;
      c.priced = false;
      return absl::OkStatus();
    }
    int64_t part;
    if (__builtin_mul_overflow(tokens, price, &part) ||
        __builtin_add_overflow(c.cost, part, &c.cost)) {
      return absl::OutOfRangeError(
          absl::StrCat("cost of ", tokens, " ", name, " tokens overflows 64-bit pico-dollars"));
    }
    if (is_input) c.input_cost += part;
    return absl::OkStatus();
  };
  const Prices none;
  const Prices& fb = fallback != nullptr ? *fallback : none;
  absl::Status s;
  if (!(s = bucket("input", usage.input_uncached, prices.input, fb.input, true, nullptr)).ok())
    return s;
  if (!(s = bucket("cache_read", usage.cache_read, prices.cache_read, fb.cache_read, true, nullptr))
           .ok())
    return s;
  if (!(s = bucket("cache_write_5m", usage.cache_write_5m, prices.cache_write_5m, fb.cache_write_5m,
                   true, nullptr))
           .ok())
    return s;
  if (!(s = bucket("cache_write_1h", usage.cache_write_1h, prices.cache_write_1h, fb.cache_write_1h,
                   true, nullptr))
           .ok())
    return s;
  PricePerMTok out_price = kNotOffered;
  if (!(s = bucket("output", usage.output, prices.output, fb.output, false, &out_price)).ok())
    return s;
  c.output_priced = out_price != kNotOffered && out_price >= 0;
  c.output_price = c.output_priced ? out_price : 0;
  // A model without an input price cannot be priced even for a request that happens to have
  // no uncached input: its prices are simply unknown.
  if (c.priced && (prices.input == kNotOffered && (fallback == nullptr || fb.input < 0))) {
    c.priced = false;
    c.missing = "input";
  }
  if (c.priced && !c.output_priced) {
    c.priced = false;
    c.missing = "output";
  }
  return c;
}

std::string FormatUsd(PicoUsd pico) { return FormatPicoUsd(pico); }

}  // namespace tokwise::budget_internal

namespace tokwise {

std::string FormatPicoUsd(PicoUsd pico) {
  const bool neg = pico < 0;
  // Work in unsigned so INT64_MIN negates safely.
  uint64_t v =
      neg ? static_cast<uint64_t>(0) - static_cast<uint64_t>(pico) : static_cast<uint64_t>(pico);
  const uint64_t whole = v / 1'000'000'000'000ull;
  std::string frac = std::to_string(v % 1'000'000'000'000ull);
  frac.insert(0, 12 - frac.size(), '0');
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return absl::StrCat(neg ? "-$" : "$", whole, ".", frac);
}

}  // namespace tokwise
