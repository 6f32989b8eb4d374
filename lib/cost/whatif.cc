// What-ifs against a baseline and the self-hosting break-even.
#include "tokwise/whatif.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise {
namespace {

using Wide = __int128;

std::string Thousands(uint64_t v) {
  std::string d = std::to_string(v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(d[i]);
  }
  return out;
}

}  // namespace

WhatIf CachingWhatIf(const EvalOptions& base, CacheMode mode) {
  WhatIf w{"", std::nullopt, base};
  w.options.cache.mode = mode;
  w.options.batch = false;
  switch (mode) {
    case CacheMode::kExplicit5m:
      w.label = "prompt caching, 5-minute";
      break;
    case CacheMode::kExplicit1h:
      w.label = "prompt caching, 1-hour";
      break;
    case CacheMode::kAutomatic:
      w.label = "automatic prompt caching";
      break;
    case CacheMode::kOff:
      w.label = "no prompt caching";
      break;
    case CacheMode::kProviderDefault:
      w.label = "provider's default caching";
      break;
  }
  return w;
}

WhatIf CheaperModelWhatIf(const EvalOptions& base, const ModelInfo& model,
                          uint32_t token_ratio_ppm) {
  WhatIf w{absl::StrCat("model ", model.id), model, base};
  w.options.token_ratio_ppm = token_ratio_ppm;
  if (token_ratio_ppm != 1'000'000) {
    absl::StrAppend(&w.label, " (tokens x", token_ratio_ppm / 1e6, ")");
  }
  // Keep the baseline's caching mode where the other model offers it; otherwise use what its
  // provider does by default (and say so).
  const Prices& p = model.prices;
  const bool reads = p.cache_read != kNotOffered;
  const bool writes = p.cache_write_5m != kNotOffered || p.cache_write_1h != kNotOffered;
  bool offered = true;
  switch (base.cache.mode) {
    case CacheMode::kAutomatic:
      offered = reads && !writes;
      break;
    case CacheMode::kExplicit5m:
      offered = reads && p.cache_write_5m != kNotOffered;
      break;
    case CacheMode::kExplicit1h:
      offered = reads && p.cache_write_1h != kNotOffered;
      break;
    default:
      break;
  }
  if (!offered) {
    w.options.cache.mode = CacheMode::kProviderDefault;
    absl::StrAppend(&w.label, ", its default caching");
  }
  return w;
}

WhatIf RagWhatIf(const EvalOptions& base, std::optional<uint32_t> max_chunks,
                 std::optional<uint32_t> max_chunk_tokens) {
  WhatIf w{"retrieval", std::nullopt, base};
  w.options.rag_max_chunks = max_chunks;
  w.options.rag_max_chunk_tokens = max_chunk_tokens;
  if (max_chunks) absl::StrAppend(&w.label, ": at most ", *max_chunks, " chunks");
  if (max_chunk_tokens) {
    absl::StrAppend(&w.label, max_chunks ? "," : ":", " chunks of at most ",
                    Thousands(*max_chunk_tokens), " tokens");
  }
  return w;
}

WhatIf WindowWhatIf(const EvalOptions& base, uint64_t window_tokens) {
  WhatIf w{absl::StrCat("history window of ", Thousands(window_tokens), " tokens"), std::nullopt,
           base};
  w.options.context.window_tokens = window_tokens;
  return w;
}

WhatIf SummarizeWhatIf(const EvalOptions& base, uint64_t above_tokens, uint32_t summary_tokens) {
  WhatIf w{absl::StrCat("summarize history above ", Thousands(above_tokens), " tokens into ",
                        Thousands(summary_tokens)),
           std::nullopt, base};
  w.options.context.summarize_above_tokens = above_tokens;
  w.options.context.summary_tokens = summary_tokens;
  return w;
}

WhatIf RestartWhatIf(const EvalOptions& base, uint32_t every_calls, uint32_t carry_tokens) {
  WhatIf w{absl::StrCat("restart every ", every_calls, " calls, carrying ", Thousands(carry_tokens),
                        " tokens"),
           std::nullopt, base};
  w.options.context.restart_every_calls = every_calls;
  w.options.context.restart_carry_tokens = carry_tokens;
  return w;
}

WhatIf BatchWhatIf(const EvalOptions& base) {
  WhatIf w{"batch prices (no caching)", std::nullopt, base};
  w.options.batch = true;
  return w;
}

WhatIf MaxOutputWhatIf(const EvalOptions& base, uint32_t max_output_tokens) {
  WhatIf w{absl::StrCat("output capped at ", Thousands(max_output_tokens), " tokens"), std::nullopt,
           base};
  w.options.max_output_tokens = max_output_tokens;
  return w;
}

absl::StatusOr<WhatIfComparison> CompareWhatIfs(const Scenario& scenario, const ModelInfo& model,
                                                const EvalOptions& baseline,
                                                const std::vector<WhatIf>& variants) {
  WhatIfComparison cmp;
  ScenarioEvaluator ev;
  if (absl::Status st = ev.Evaluate(scenario, model, baseline, &cmp.baseline); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat("baseline: ", std::string(st.message())));
  }
  const ScenarioResult& b = cmp.baseline;
  for (const WhatIf& w : variants) {
    const ModelInfo& m = w.model ? *w.model : model;
    WhatIfDelta d;
    d.label = w.label;
    d.model = m.id;
    if (absl::Status st = ev.Evaluate(scenario, m, w.options, &d.result); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat(w.label, ": ", std::string(st.message())));
    }
    const ScenarioResult& r = d.result;
    d.input_delta = static_cast<int64_t>(r.tokens.input()) - static_cast<int64_t>(b.tokens.input());
    d.output_delta = static_cast<int64_t>(r.tokens.output) - static_cast<int64_t>(b.tokens.output);
    d.token_delta = d.input_delta + d.output_delta;
    d.cost_delta = r.total_cost() - b.total_cost();
    cmp.deltas.push_back(std::move(d));
  }
  return cmp;
}

std::vector<WhatIf> StandardWhatIfs(const Scenario& scenario, const ModelInfo& model,
                                    const EvalOptions& base, const ModelInfo* cheaper,
                                    uint32_t cheaper_token_ratio_ppm) {
  std::vector<WhatIf> out;
  const Prices& p = model.prices;
  const CacheMode current = ResolveCacheMode(base.cache.mode, model);
  if (p.cache_read != kNotOffered && !base.batch) {
    const bool writes = p.cache_write_5m != kNotOffered || p.cache_write_1h != kNotOffered;
    if (p.cache_write_5m != kNotOffered && current != CacheMode::kExplicit5m) {
      out.push_back(CachingWhatIf(base, CacheMode::kExplicit5m));
    }
    if (p.cache_write_1h != kNotOffered && current != CacheMode::kExplicit1h) {
      out.push_back(CachingWhatIf(base, CacheMode::kExplicit1h));
    }
    if (!writes && current != CacheMode::kAutomatic) {
      out.push_back(CachingWhatIf(base, CacheMode::kAutomatic));
    }
    if (current != CacheMode::kOff) out.push_back(CachingWhatIf(base, CacheMode::kOff));
  }
  if (cheaper != nullptr)
    out.push_back(CheaperModelWhatIf(base, *cheaper, cheaper_token_ratio_ppm));

  // Scenario shape: retrieved chunks per call, calls and carried tokens per sequence (an upper
  // bound of its largest history), largest output of a call.
  uint32_t max_chunks = 0, max_calls = 0;
  uint64_t max_output = 0, max_history = 0;
  for (const SequenceSpec& q : scenario.sequences()) {
    max_calls = std::max(max_calls, q.num_calls);
    uint64_t history = 0;
    for (uint32_t ci = 0; ci < q.num_calls; ++ci) {
      const CallSpec& c = scenario.calls()[q.first_call + ci];
      uint32_t chunks = 0;
      uint64_t output = 0;
      for (uint32_t i = 0; i < c.num_input + c.num_output; ++i) {
        const Item& it = scenario.items()[c.first_item + i];
        const bool input = i < c.num_input;
        if (input && it.kind == TokenKind::kRetrieved) ++chunks;
        if (!input) output += it.tokens;
        if (!it.flags.pinned && !it.flags.transient) history += it.tokens;
      }
      max_chunks = std::max(max_chunks, chunks);
      max_output = std::max(max_output, output);
    }
    max_history = std::max(max_history, history);
  }
  auto round100 = [](uint64_t v) { return std::max<uint64_t>(100, (v + 50) / 100 * 100); };

  if (max_chunks > 1) out.push_back(RagWhatIf(base, max_chunks / 2, std::nullopt));
  if (max_calls > 1 && max_history > 0) {
    const uint64_t quarter = round100(max_history / 4);
    out.push_back(WindowWhatIf(base, quarter));
    out.push_back(SummarizeWhatIf(base, quarter, static_cast<uint32_t>(round100(quarter / 4))));
    out.push_back(RestartWhatIf(base, std::max<uint32_t>(2, max_calls / 2), 300));
  }
  if (p.batch_input != kNotOffered && p.batch_output != kNotOffered)
    out.push_back(BatchWhatIf(base));
  if (max_output > 1) out.push_back(MaxOutputWhatIf(base, static_cast<uint32_t>(max_output / 2)));
  return out;
}

absl::StatusOr<SelfHostingResult> SelfHostingBreakEven(const ScenarioResult& api,
                                                       const SelfHostingInput& in) {
  if (in.hourly_micro_usd <= 0) return absl::InvalidArgumentError("hourly price must be positive");
  if (in.tokens_per_second == 0) return absl::InvalidArgumentError("throughput must be positive");
  if (in.hours_per_month == 0)
    return absl::InvalidArgumentError("hours per month must be positive");
  const uint64_t tokens = api.total_tokens();
  const PicoUsd cost = api.total_cost();
  if (tokens == 0 || cost <= 0) {
    return absl::InvalidArgumentError("the scenario has no tokens or no cost to compare against");
  }
  SelfHostingResult r;
  // micro-USD per hour * 10^6 tokens / (tokens per hour), rounded up.
  const Wide per_hour_tokens = static_cast<Wide>(in.tokens_per_second) * 3600;
  const Wide num = static_cast<Wide>(in.hourly_micro_usd) * 1'000'000;
  r.self_hosted_per_mtok = static_cast<int64_t>((num + per_hour_tokens - 1) / per_hour_tokens);
  // Pico-dollars per token = micro-dollars per million tokens.
  r.api_per_mtok = static_cast<int64_t>((static_cast<Wide>(cost) + tokens / 2) / tokens);
  r.monthly_fixed_cost = static_cast<Wide>(in.hourly_micro_usd) * 1'000'000 * in.hours_per_month;
  const Wide capacity = per_hour_tokens * in.hours_per_month;
  r.monthly_capacity_tokens =
      capacity > static_cast<Wide>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(capacity);
  // fixed / (cost / tokens) tokens, rounded up.
  const Wide be = (r.monthly_fixed_cost * tokens + cost - 1) / cost;
  r.break_even_monthly_tokens =
      be > static_cast<Wide>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(be);
  r.break_even_monthly_runs = static_cast<uint64_t>((be + tokens - 1) / tokens);
  r.pays_off = be <= capacity;
  return r;
}

}  // namespace tokwise
