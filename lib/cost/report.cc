// Text tables and JSON for cost-model results.
#include <cinttypes>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json.h"
#include "tokwise/cost_report.h"

namespace tokwise {
namespace {

std::string Num(uint64_t v) {
  std::string d = std::to_string(v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(d[i]);
  }
  return out;
}

std::string Signed(int64_t v) {
  if (v < 0) return "-" + Num(static_cast<uint64_t>(-(v + 1)) + 1);
  return (v > 0 ? "+" : "") + Num(static_cast<uint64_t>(v));
}

std::string SignedUsd(PicoUsdWide v) {
  std::string s = FormatDollars(v, 6);
  return v > 0 ? "+" + s : s;
}

std::string Mult(uint64_t tokens, uint64_t direct) {
  if (direct == 0) return "-";
  return absl::StrFormat("%.1fx", static_cast<double>(tokens) / static_cast<double>(direct));
}

std::string Time(int64_t ms) {
  const int64_t s = ms / 1000;
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

std::string KindList(const std::array<uint64_t, kNumTokenKinds>& k) {
  std::string out;
  for (int i = 0; i < kNumTokenKinds; ++i) {
    if (k[i] == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ",
                    std::string(TokenKindName(static_cast<TokenKind>(i))), " ", Num(k[i]));
  }
  return out;
}

std::string CacheLabel(const ScenarioResult& r) {
  if (r.batch) return "batch prices, no caching";
  switch (r.cache_mode) {
    case CacheMode::kOff:
      return "no prompt caching";
    case CacheMode::kAutomatic:
      return "automatic prompt caching";
    case CacheMode::kExplicit5m:
      return "prompt caching, 5-minute";
    case CacheMode::kExplicit1h:
      return "prompt caching, 1-hour";
    default:
      return "provider default";
  }
}

std::string JsonBuckets(const TokenBuckets& t, const BucketCosts& c) {
  return absl::StrFormat(
      "{\"uncached\":%u,\"cache_read\":%u,\"cache_write_5m\":%u,\"cache_write_1h\":%u,"
      "\"output\":%u,\"input\":%u,\"total\":%u,\"cost_pico\":{\"uncached\":%d,\"cache_read\":%d,"
      "\"cache_write_5m\":%d,\"cache_write_1h\":%d,\"output\":%d,\"total\":%d}}",
      t.uncached, t.cache_read, t.cache_write_5m, t.cache_write_1h, t.output, t.input(), t.total(),
      c.uncached, c.cache_read, c.cache_write_5m, c.cache_write_1h, c.output, c.total());
}

}  // namespace

std::string FormatStepTable(const ScenarioResult& r, std::string_view description) {
  std::string out = absl::StrCat("scenario ", r.scenario);
  if (!description.empty()) absl::StrAppend(&out, ": ", std::string(description));
  absl::StrAppend(&out, "\nmodel ", r.model, ", ", CacheLabel(r), "; direct answer ",
                  Num(r.direct_answer_tokens), " tokens\n\n");
  const bool many = r.sequences.size() > 1;
  absl::StrAppend(&out, absl::StrFormat("%-14s %5s %7s %9s %8s %9s %8s %9s %9s %9s %9s %12s "
                                        "%11s %7s  %s\n",
                                        "sequence", "call", "time", "re-sent", "new", "input",
                                        "output", "total", "uncached", "cache rd", "cache wr",
                                        "cost", "cumulative", "x", "new tokens by kind"));
  for (const StepResult& s : r.steps) {
    std::string call = absl::StrCat(s.call + 1, s.summarization ? "s" : "");
    absl::StrAppend(
        &out,
        absl::StrFormat("%-14s %5s %7s %9s %8s %9s %8s %9s %9s %9s %9s %12s %11s %7s  %s\n",
                        r.sequences[s.sequence].name.substr(0, 14), call, Time(s.time_ms),
                        Num(s.resent), Num(s.new_input), Num(s.input), Num(s.output),
                        Num(s.total()), Num(s.tokens.uncached), Num(s.tokens.cache_read),
                        Num(s.tokens.cache_write_5m + s.tokens.cache_write_1h),
                        FormatDollars(s.cost.total(), 6), Num(s.cumulative_tokens),
                        Mult(s.cumulative_tokens, r.direct_answer_tokens), KindList(s.new_tokens)));
  }
  absl::StrAppend(
      &out,
      absl::StrFormat("%-14s %5u %7s %9s %8s %9s %8s %9s %9s %9s %9s %12s %11s %7s\n", "total",
                      r.calls, "", "", "", Num(r.tokens.input()), Num(r.tokens.output),
                      Num(r.total_tokens()), Num(r.tokens.uncached), Num(r.tokens.cache_read),
                      Num(r.tokens.cache_write_5m + r.tokens.cache_write_1h),
                      FormatDollars(r.total_cost(), 6), Num(r.total_tokens()),
                      Mult(r.total_tokens(), r.direct_answer_tokens)));

  if (many) {
    absl::StrAppend(&out, "\nper sequence:\n");
    for (const SequenceTotals& q : r.sequences) {
      absl::StrAppend(&out, absl::StrFormat("  %-14s %3u calls %9s input %8s output %9s total "
                                            "%12s\n",
                                            q.name.substr(0, 14), q.calls, Num(q.tokens.input()),
                                            Num(q.tokens.output), Num(q.tokens.total()),
                                            FormatDollars(q.cost.total(), 6)));
    }
  }

  absl::StrAppend(&out, "\nby kind (input includes re-sent tokens):\n");
  for (int k = 0; k < kNumTokenKinds; ++k) {
    if (r.input_by_kind[k] == 0 && r.output_by_kind[k] == 0) continue;
    absl::StrAppend(
        &out, absl::StrFormat("  %-16s input %9s %12s   output %8s %12s\n",
                              std::string(TokenKindName(static_cast<TokenKind>(k))),
                              Num(r.input_by_kind[k]), FormatDollars(r.input_cost_by_kind[k], 6),
                              Num(r.output_by_kind[k]), FormatDollars(r.output_cost_by_kind[k], 6)));
  }
  if (r.calls_over_context_window > 0) {
    absl::StrAppend(&out, "\nwarning: ", r.calls_over_context_window,
                    " call(s) exceed the model's context window; the provider would reject them\n");
  }
  if (r.calls_over_max_output > 0) {
    absl::StrAppend(&out, "\nwarning: ", r.calls_over_max_output,
                    " call(s) ask for more output than the model's maximum\n");
  }
  return out;
}

std::string FormatLevels(const std::vector<ScenarioResult>& results) {
  std::string out;
  if (!results.empty()) {
    absl::StrAppend(&out, "model ", results[0].model, ", ", CacheLabel(results[0]), "\n\n");
  }
  absl::StrAppend(&out, absl::StrFormat("%-22s %6s %10s %9s %10s %8s %13s %14s\n", "level", "calls",
                                        "input", "output", "total", "x", "cost", "per 1,000 runs"));
  for (const ScenarioResult& r : results) {
    absl::StrAppend(
        &out, absl::StrFormat("%-22s %6u %10s %9s %10s %8s %13s %14s\n", r.scenario, r.calls,
                              Num(r.tokens.input()), Num(r.tokens.output), Num(r.total_tokens()),
                              Mult(r.total_tokens(), r.direct_answer_tokens),
                              FormatDollars(r.total_cost(), 6),
                              FormatDollars(static_cast<PicoUsdWide>(r.total_cost()) * 1000, 2)));
  }
  return out;
}

std::string FormatTaskRanges(const std::vector<TaskRange>& ranges) {
  std::string out =
      "typical tokens per task: model (billed layout, every corner of the ranges) vs the article\n"
      "multipliers against the 550-token direct answer\n\n";
  absl::StrAppend(
      &out, absl::StrFormat("%-22s %19s %13s   %19s %11s  %s\n", "setup", "model tokens", "model x",
                            "article tokens", "article x", "verdict"));
  for (const TaskRange& r : ranges) {
    absl::StrAppend(&out,
                    absl::StrFormat("%-22s %19s %13s   %19s %11s  %s\n", r.setup,
                                    absl::StrCat(Num(r.low), "-", Num(r.high)),
                                    absl::StrFormat("%.1f-%.1f", r.low_x, r.high_x),
                                    absl::StrCat(Num(r.article_low), "-", Num(r.article_high)),
                                    absl::StrFormat("%.0f-%.0f", r.article_low_x, r.article_high_x),
                                    r.agrees ? "agrees" : "DISAGREES"));
  }
  absl::StrAppend(&out, "\n");
  for (const TaskRange& r : ranges) {
    absl::StrAppend(&out, r.setup, "\n  parameters: ", r.parameters, "\n  ", r.why, "\n");
  }
  return out;
}

std::string FormatWhatIfs(const WhatIfComparison& c) {
  const ScenarioResult& b = c.baseline;
  std::string out = absl::StrCat("what-ifs for ", b.scenario, " against the baseline (model ",
                                 b.model, ", ", CacheLabel(b), "): ", Num(b.total_tokens()),
                                 " tokens, ", FormatDollars(b.total_cost(), 6), "\n\n");
  absl::StrAppend(&out, absl::StrFormat("%-52s %11s %10s %11s %13s %8s\n", "what if", "tokens",
                                        "delta", "cost", "delta", "saving"));
  for (const WhatIfDelta& d : c.deltas) {
    const double pct =
        b.total_cost() == 0 || d.cost_delta == 0
            ? 0.0
            : -100.0 * static_cast<double>(d.cost_delta) / static_cast<double>(b.total_cost());
    absl::StrAppend(
        &out, absl::StrFormat("%-52s %11s %10s %11s %13s %7.1f%%\n", d.label.substr(0, 52),
                              Num(d.result.total_tokens()), Signed(d.token_delta),
                              FormatDollars(d.result.total_cost(), 6), SignedUsd(d.cost_delta), pct));
  }
  return out;
}

std::string FormatCachePayoff(const ModelInfo& model) {
  const Prices& p = model.prices;
  std::string out;
  if (p.input <= 0 || p.cache_read == kNotOffered) return out;
  auto ratio = [&](int64_t v) { return static_cast<double>(v) / static_cast<double>(p.input); };
  auto ordinal = [](uint32_t n) {
    const char* suffix = n % 10 == 1 && n % 100 != 11   ? "st"
                         : n % 10 == 2 && n % 100 != 12 ? "nd"
                         : n % 10 == 3 && n % 100 != 13 ? "rd"
                                                        : "th";
    return absl::StrCat(n, suffix);
  };
  const struct {
    CacheMode mode;
    int64_t write;
    const char* name;
  } modes[] = {{CacheMode::kExplicit5m, p.cache_write_5m, "5-minute"},
               {CacheMode::kExplicit1h, p.cache_write_1h, "1-hour"}};
  bool any = false;
  for (const auto& m : modes) {
    if (m.write == kNotOffered) continue;
    any = true;
    auto reads = CacheWritePayoffReads(p, m.mode);
    absl::StrAppend(&out, absl::StrFormat("%s: a %s cache write (%.2fx input) ", model.id, m.name,
                                          ratio(m.write)));
    absl::StrAppend(&out, reads.ok() ? absl::StrCat("pays off from the ", ordinal(*reads), " read")
                                     : std::string(reads.status().message()));
    absl::StrAppend(&out, absl::StrFormat(" (reads %.2fx input)\n", ratio(p.cache_read)));
  }
  if (!any) {
    absl::StrAppend(&out, absl::StrFormat("%s: automatic caching, no write surcharge: pays off "
                                          "from the 1st read (reads %.2fx input)\n",
                                          model.id, ratio(p.cache_read)));
  }
  return out;
}

std::string FormatForecast(const ForecastResult& f, const ForecastInput& in) {
  std::string out =
      absl::StrCat("forecast: ", Num(in.users), " users x ", Num(in.runs_per_user_per_day),
                   " runs a day (month = ", in.days_per_month, " days)\n");
  auto period = [&](const char* name, const ForecastPeriod& p) {
    absl::StrAppend(
        &out, absl::StrFormat("  %-8s %16s runs %20s tokens %22s\n"
                              "           system-prompt tax %20s tokens %22s\n"
                              "           tool definitions  %20s tokens %22s\n",
                              name, Num(p.runs), Num(p.tokens), FormatDollars(p.cost, 2),
                              Num(p.system_tokens), FormatDollars(p.system_cost, 2),
                              Num(p.tool_definition_tokens), FormatDollars(p.tool_definition_cost, 2)));
  };
  period("daily", f.daily);
  period("monthly", f.monthly);
  return out;
}

std::string FormatSelfHosting(const SelfHostingResult& r, const SelfHostingInput& in) {
  return absl::StrFormat(
      "self-hosting at %s/hour, %s tokens/s sustained, %u hours a month:\n"
      "  self-hosted at full load %s per million tokens; API (this scenario's mix) %s\n"
      "  monthly fixed cost %s; capacity %s tokens a month\n"
      "  break-even at %s tokens a month (%s runs): %s\n",
      FormatDollars(static_cast<PicoUsdWide>(in.hourly_micro_usd) * 1'000'000, 2),
      Num(in.tokens_per_second), in.hours_per_month,
      FormatDollars(static_cast<PicoUsdWide>(r.self_hosted_per_mtok) * 1'000'000, 4),
      FormatDollars(static_cast<PicoUsdWide>(r.api_per_mtok) * 1'000'000, 4),
      FormatDollars(r.monthly_fixed_cost, 2), Num(r.monthly_capacity_tokens),
      Num(r.break_even_monthly_tokens), Num(r.break_even_monthly_runs),
      r.pays_off ? "self-hosting is cheaper above it, within capacity"
                 : "beyond the deployment's capacity: the API stays cheaper");
}

std::string ResultToJson(const ScenarioResult& r) {
  std::string out = "{";
  absl::StrAppend(&out, "\"scenario\":", base::JsonString(r.scenario),
                  ",\"model\":", base::JsonString(r.model),
                  ",\"cache\":", base::JsonString(CacheModeName(r.cache_mode)),
                  ",\"batch\":", r.batch ? "true" : "false", ",\"calls\":", r.calls,
                  ",\"direct_answer_tokens\":", r.direct_answer_tokens,
                  absl::StrFormat(",\"multiplier\":%.4f", r.Multiplier()),
                  ",\"totals\":", JsonBuckets(r.tokens, r.cost));
  absl::StrAppend(&out, ",\"by_kind\":{");
  bool first = true;
  for (int k = 0; k < kNumTokenKinds; ++k) {
    if (r.input_by_kind[k] == 0 && r.output_by_kind[k] == 0) continue;
    absl::StrAppend(&out, first ? "" : ",",
                    base::JsonString(TokenKindName(static_cast<TokenKind>(k))),
                    absl::StrFormat(":{\"input\":%u,\"input_cost_pico\":%d,\"output\":%u,"
                                    "\"output_cost_pico\":%d}",
                                    r.input_by_kind[k], r.input_cost_by_kind[k],
                                    r.output_by_kind[k], r.output_cost_by_kind[k]));
    first = false;
  }
  absl::StrAppend(&out, "},\"sequences\":[");
  for (size_t i = 0; i < r.sequences.size(); ++i) {
    const SequenceTotals& q = r.sequences[i];
    absl::StrAppend(&out, i ? "," : "", "{\"name\":", base::JsonString(q.name),
                    ",\"calls\":", q.calls, ",\"totals\":", JsonBuckets(q.tokens, q.cost), "}");
  }
  absl::StrAppend(&out, "],\"steps\":[");
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const StepResult& s = r.steps[i];
    absl::StrAppend(&out, i ? "," : "", "{\"sequence\":", s.sequence, ",\"call\":", s.call + 1,
                    ",\"summarization\":", s.summarization ? "true" : "false",
                    ",\"time_ms\":", s.time_ms, ",\"resent\":", s.resent,
                    ",\"new_input\":", s.new_input, ",\"input\":", s.input,
                    ",\"output\":", s.output, ",\"new_by_kind\":{");
    bool f = true;
    for (int k = 0; k < kNumTokenKinds; ++k) {
      if (s.new_tokens[k] == 0) continue;
      absl::StrAppend(&out, f ? "" : ",",
                      base::JsonString(TokenKindName(static_cast<TokenKind>(k))), ":",
                      s.new_tokens[k]);
      f = false;
    }
    absl::StrAppend(&out, "},\"buckets\":", JsonBuckets(s.tokens, s.cost),
                    ",\"cumulative_tokens\":", s.cumulative_tokens,
                    ",\"cumulative_cost_pico\":", s.cumulative_cost,
                    ",\"over_context_window\":", s.over_context_window ? "true" : "false", "}");
  }
  absl::StrAppend(&out, "]}");
  return out;
}

}  // namespace tokwise
