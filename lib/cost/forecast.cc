// Forecasts: one evaluated run scaled to users, days and months, with exact wide money.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tokwise/whatif.h"

namespace tokwise {
namespace {

using UWide = unsigned __int128;

// a * b, or false when it does not fit in 64 bits.
bool MulU64(uint64_t a, uint64_t b, uint64_t* out) {
  const UWide v = static_cast<UWide>(a) * b;
  if (v > UINT64_MAX) return false;
  *out = static_cast<uint64_t>(v);
  return true;
}

absl::Status Scale(const ForecastPeriod& unit, uint64_t runs, ForecastPeriod* out,
                   const char* period) {
  out->runs = runs;
  if (!MulU64(unit.input_tokens, runs, &out->input_tokens) ||
      !MulU64(unit.output_tokens, runs, &out->output_tokens) ||
      !MulU64(unit.tokens, runs, &out->tokens) ||
      !MulU64(unit.system_tokens, runs, &out->system_tokens) ||
      !MulU64(unit.tool_definition_tokens, runs, &out->tool_definition_tokens)) {
    return absl::OutOfRangeError(absl::StrCat("forecast: ", period, " token count exceeds 2^64"));
  }
  // |cost per run| < 2^63 and runs < 2^64, so the product fits in 127 bits.
  out->cost = unit.cost * static_cast<PicoUsdWide>(runs);
  out->system_cost = unit.system_cost * static_cast<PicoUsdWide>(runs);
  out->tool_definition_cost = unit.tool_definition_cost * static_cast<PicoUsdWide>(runs);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ForecastResult> Forecast(const ScenarioResult& per_run, const ForecastInput& in) {
  uint64_t runs_per_day = 0, runs_per_month = 0;
  if (!MulU64(in.users, in.runs_per_user_per_day, &runs_per_day) ||
      !MulU64(runs_per_day, in.days_per_month, &runs_per_month)) {
    return absl::OutOfRangeError("forecast: run count exceeds 2^64");
  }
  ForecastPeriod unit;
  unit.input_tokens = per_run.tokens.input();
  unit.output_tokens = per_run.tokens.output;
  unit.tokens = per_run.total_tokens();
  unit.cost = per_run.total_cost();
  const size_t sys = static_cast<size_t>(TokenKind::kSystem);
  const size_t tools = static_cast<size_t>(TokenKind::kToolDefinitions);
  unit.system_tokens = per_run.input_by_kind[sys];
  unit.system_cost = per_run.input_cost_by_kind[sys];
  unit.tool_definition_tokens = per_run.input_by_kind[tools];
  unit.tool_definition_cost = per_run.input_cost_by_kind[tools];

  ForecastResult r;
  if (absl::Status st = Scale(unit, runs_per_day, &r.daily, "daily"); !st.ok()) return st;
  // A month is days_per_month days, scaled from one run (not from the rounded day).
  if (absl::Status st = Scale(unit, runs_per_month, &r.monthly, "monthly"); !st.ok()) return st;
  return r;
}

}  // namespace tokwise
