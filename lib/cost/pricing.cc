// Pricing of billing buckets, before and after a call, and the context-window check.
#include "tokwise/pricing.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise {
namespace {

// One bucket's price: `price` pico-dollars per token, times num/den (the batch ratio; 1/1
// otherwise).
struct BucketPrice {
  PricePerMTok price = kNotOffered;
  int64_t num = 1;
  int64_t den = 1;
};

PricePerMTok Pick(PricePerMTok tier, PricePerMTok base) {
  return tier != kNotOffered ? tier : base;
}

absl::Status CostBucket(const ModelInfo& model, std::string_view bucket, uint64_t tokens,
                        const BucketPrice& p, PicoUsdWide* sum, PicoUsd* out) {
  *out = 0;
  if (tokens == 0) return absl::OkStatus();
  if (p.price < 0) {
    return absl::FailedPreconditionError(absl::StrCat("the usage has ", tokens, " ",
                                                      std::string(bucket), " tokens but ", model.id,
                                                      " has no ", std::string(bucket), " price"));
  }
  // tokens < 2^64, price < 2^63, num <= 2^63: the product fits in 128 bits only when
  // num is small; batch ratios are prices themselves, so divide first where exact.
  using U128 = unsigned __int128;
  U128 value = static_cast<U128>(tokens) * static_cast<U128>(p.price);
  if (p.num != p.den) {
    const U128 max_before_mul = std::numeric_limits<U128>::max() / static_cast<U128>(p.num);
    if (value > max_before_mul) {
      return absl::OutOfRangeError(absl::StrCat(std::string(bucket), " cost out of range"));
    }
    value *= static_cast<U128>(p.num);
    const U128 den = static_cast<U128>(p.den);
    const U128 q = value / den;
    const U128 r = value % den;
    value = q + (r >= den - r ? 1 : 0);  // Nearest pico-dollar, half up.
  }
  if (value > static_cast<U128>(std::numeric_limits<int64_t>::max())) {
    return absl::OutOfRangeError(
        absl::StrCat(tokens, " ", std::string(bucket),
                     " tokens cost more than the int64 pico-dollar range (about USD 9.2 million)"));
  }
  *out = static_cast<PicoUsd>(value);
  *sum += *out;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CostBreakdown> PriceUsage(const ModelInfo& model, const NormalizedUsage& usage,
                                         const PriceOptions& options) {
  if (usage.audio_input != 0 || usage.audio_output != 0) {
    return absl::UnimplementedError(absl::StrCat(
        "the usage has audio tokens (", usage.audio_input, " in, ", usage.audio_output,
        " out); audio prices are not in the catalog, and pricing them as text would be wrong"));
  }
  // The highest tier whose threshold the prompt passes applies to the whole request.
  const uint64_t input_total = usage.input_total();
  const LongContextTier* tier = nullptr;
  for (const LongContextTier& t : model.long_context_tiers) {
    if (input_total > t.threshold_tokens) tier = &t;
  }
  const Prices& base = model.prices;
  Prices eff = base;
  if (tier != nullptr) {
    const Prices& tp = tier->prices;
    eff.input = Pick(tp.input, base.input);
    eff.output = Pick(tp.output, base.output);
    eff.cache_read = Pick(tp.cache_read, base.cache_read);
    eff.cache_write_5m = Pick(tp.cache_write_5m, base.cache_write_5m);
    eff.cache_write_1h = Pick(tp.cache_write_1h, base.cache_write_1h);
    // A tier's batch prices are its own; without them batch is derived by the ratio below.
    eff.batch_input = tp.batch_input;
    eff.batch_output = tp.batch_output;
  }

  BucketPrice in{eff.input}, out{eff.output}, read{eff.cache_read}, w5{eff.cache_write_5m},
      w1{eff.cache_write_1h};
  if (options.batch) {
    if (base.batch_input < 0 || base.batch_output < 0 || base.input <= 0 || base.output <= 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(model.id, " has no batch prices in the catalog"));
    }
    // Input-side buckets scale by batch_input / input, output by batch_output / output.
    const BucketPrice in_ratio{0, base.batch_input, base.input};
    const BucketPrice out_ratio{0, base.batch_output, base.output};
    for (BucketPrice* b : {&read, &w5, &w1}) {
      b->num = in_ratio.num;
      b->den = in_ratio.den;
    }
    if (eff.batch_input >= 0) {
      in.price = eff.batch_input;
    } else {
      in.num = in_ratio.num;
      in.den = in_ratio.den;
    }
    if (eff.batch_output >= 0) {
      out.price = eff.batch_output;
    } else {
      out.num = out_ratio.num;
      out.den = out_ratio.den;
    }
  }

  CostBreakdown c;
  c.batch = options.batch;
  c.tier_threshold = tier != nullptr ? tier->threshold_tokens : 0;
  PicoUsdWide sum = 0;
  if (auto s =
          CostBucket(model, "uncached input", usage.uncached_input, in, &sum, &c.uncached_input);
      !s.ok()) {
    return s;
  }
  if (auto s = CostBucket(model, "cache read", usage.cache_read, read, &sum, &c.cache_read);
      !s.ok()) {
    return s;
  }
  if (auto s =
          CostBucket(model, "cache write 5m", usage.cache_write_5m, w5, &sum, &c.cache_write_5m);
      !s.ok()) {
    return s;
  }
  if (auto s =
          CostBucket(model, "cache write 1h", usage.cache_write_1h, w1, &sum, &c.cache_write_1h);
      !s.ok()) {
    return s;
  }
  if (auto s = CostBucket(model, "output", usage.output, out, &sum, &c.output); !s.ok()) {
    return s;
  }
  if (sum > std::numeric_limits<int64_t>::max()) {
    return absl::OutOfRangeError(
        "total cost passes the int64 pico-dollar range (about USD 9.2 million)");
  }
  c.total = static_cast<PicoUsd>(sum);
  return c;
}

absl::StatusOr<CostBreakdown> PriceBeforeCall(const ModelInfo& model, uint64_t input_tokens,
                                              uint64_t max_output_tokens,
                                              const PriceOptions& options) {
  NormalizedUsage worst;
  worst.uncached_input = input_tokens;
  worst.output = max_output_tokens;
  return PriceUsage(model, worst, options);
}

absl::StatusOr<CostBreakdown> PriceAfterCall(const ModelInfo& model, std::string_view usage_json,
                                             UsageFormat format, const PriceOptions& options) {
  auto usage = NormalizeUsage(usage_json, format);
  if (!usage.ok()) return usage.status();
  return PriceUsage(model, *usage, options);
}

absl::StatusOr<WindowCheck> CheckContextWindow(const ModelInfo& model, uint64_t input_tokens,
                                               uint64_t requested_output) {
  if (model.context_window == 0 || model.max_output == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(model.id, " has no known context window or max output"));
  }
  WindowCheck w;
  w.context_window = model.context_window;
  const uint64_t window = model.context_window;
  w.input_fits =
      input_tokens <= window && (model.max_input == 0 || input_tokens <= model.max_input);
  w.output_within_max = requested_output <= model.max_output;
  // Compare without overflow: input + requested <= window.
  const bool sum_fits = input_tokens <= window && requested_output <= window - input_tokens;
  w.fits = w.input_fits && w.output_within_max && sum_fits;
  w.largest_max_output =
      w.input_fits ? std::min<uint64_t>(window - input_tokens, model.max_output) : 0;
  return w;
}

}  // namespace tokwise
