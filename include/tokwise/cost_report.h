// tokwise/cost_report.h: text tables and JSON for cost-model results (what `tokwise simulate`
// prints). Plain text, fixed-width columns, deterministic; money exact to the micro-dollar.
//
// Thread safety: pure functions.
#ifndef TOKWISE_COST_REPORT_H_
#define TOKWISE_COST_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "tokwise/cost_model.h"
#include "tokwise/scenario.h"
#include "tokwise/whatif.h"

namespace tokwise {

// The per-step table: per call the re-sent, new, input, output and total tokens, the input
// split into uncached / cache read / cache write, the cost, the cumulative tokens and the
// multiplier against the direct answer, and the new tokens by kind; then totals, per-sequence
// totals (for several sequences), input and output by kind, and warnings (calls over the
// context window or the model's max output).
std::string FormatStepTable(const ScenarioResult& result, std::string_view description = "");

// Several results side by side, one row each (the five levels).
std::string FormatLevels(const std::vector<ScenarioResult>& results);

// The regenerated "typical tokens per task" table with the verdicts.
std::string FormatTaskRanges(const std::vector<TaskRange>& ranges);

// Baseline and per-variant token and dollar deltas.
std::string FormatWhatIfs(const WhatIfComparison& comparison);

// When a cache write pays off on `model`, per caching mode it offers, from its rates: "a
// 5-minute write (1.25x input) pays off from the 1st read (reads 0.10x)".
std::string FormatCachePayoff(const ModelInfo& model);

std::string FormatForecast(const ForecastResult& forecast, const ForecastInput& input);
std::string FormatSelfHosting(const SelfHostingResult& result, const SelfHostingInput& input);

// The result as one JSON object: scenario, model, cache mode, totals by bucket (tokens and
// pico-dollars), by kind, per sequence and per step. Money is in integer pico-dollars
// ("cost_pico") so that nothing is rounded.
std::string ResultToJson(const ScenarioResult& result);

}  // namespace tokwise

#endif  // TOKWISE_COST_REPORT_H_
