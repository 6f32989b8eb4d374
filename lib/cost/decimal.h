// Exact decimal text -> scaled integer, for prices read from JSON (no float on the way).
#ifndef TOKWISE_LIB_COST_DECIMAL_H_
#define TOKWISE_LIB_COST_DECIMAL_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace tokwise::cost_internal {

enum class Inexact {
  kError,  // A value finer than the scale is InvalidArgument.
  kRound,  // Round to nearest, half away from zero.
};

// Reads a JSON-style decimal number ("2.50", "1.25e-06", "-3", "1E+2") and returns
// value * 10^shift as an integer. InvalidArgument for malformed text, a negative value, or
// (with Inexact::kError) digits below the scale; OutOfRange if the result passes int64.
// Messages describe the problem only; callers prefix the location.
absl::StatusOr<int64_t> ScaleDecimal(std::string_view text, int shift, Inexact inexact);

}  // namespace tokwise::cost_internal

#endif  // TOKWISE_LIB_COST_DECIMAL_H_
